import { type Dependencies, lambdaEntry } from '../adapters/dependencies.ts';
import { sendTestDelivery } from '../app/test-delivery.ts';
import { httpHandler, json } from '../http/http-handler.ts';
import { notFound } from '../http/problem.ts';
import { bankInScope } from '../http/scope.ts';
import { TestDeliveryBody } from '../schemas/api.ts';

/** POST /banks/{bankId}/test-deliveries (admin, that bank): a sandbox push (app/test-delivery.ts). */
export const createBankTestDelivery = (deps: Dependencies) =>
  httpHandler('bankTestDelivery', async (request) => {
    const bankId = request.pathParam('bankId');
    if (request.who.role !== 'admin') bankInScope(request.who, bankId);
    const answer = await sendTestDelivery(deps, bankId, () => request.body(TestDeliveryBody).kind);
    if (!answer) throw notFound(`bank ${bankId}`);
    return json(202, answer);
  });

export const handler = lambdaEntry(createBankTestDelivery);
