import { type Dependencies, lambdaEntry } from '../adapters/dependencies.ts';
import { readBank } from '../app/register-bank.ts';
import { httpHandler, json } from '../http/http-handler.ts';
import { notFound } from '../http/problem.ts';
import { bankInScope } from '../http/scope.ts';

/** GET /banks/{bankId} (admin, that bank): the registration, never the secret. */
export const createGetBank = (deps: Dependencies) =>
  httpHandler('getBank', async (request) => {
    const bankId = request.pathParam('bankId');
    if (request.who.role !== 'admin') bankInScope(request.who, bankId);
    const bank = await readBank(deps, bankId);
    if (!bank) throw notFound(`bank ${bankId}`);
    return json(200, bank);
  });

export const handler = lambdaEntry(createGetBank);
