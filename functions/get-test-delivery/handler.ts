import { type Dependencies, lambdaEntry } from '../adapters/dependencies.ts';
import { readSandboxDelivery } from '../app/sandbox-confirmation.ts';
import { httpHandler, json } from '../http/http-handler.ts';
import { notFound } from '../http/problem.ts';
import { bankInScope } from '../http/scope.ts';

/** GET /banks/{bankId}/test-deliveries/{deliveryId} (admin, that bank): a sandbox push and its confirmations. */
export const createGetTestDelivery = (deps: Dependencies) =>
  httpHandler('getTestDelivery', async (request) => {
    const bankId = request.pathParam('bankId');
    if (request.who.role !== 'admin') bankInScope(request.who, bankId);
    const deliveryId = request.pathParam('deliveryId');
    const record = await readSandboxDelivery(deps, bankId, deliveryId);
    if (!record) throw notFound(`sandbox delivery ${deliveryId}`);
    return json(200, record);
  });

export const handler = lambdaEntry(createGetTestDelivery);
