import { type Dependencies, lambdaEntry } from '../adapters/dependencies.ts';
import { readBankInbox } from '../app/bank-inbox.ts';
import { httpHandler, json } from '../http/http-handler.ts';
import { bankInScope } from '../http/scope.ts';
import { BankInboxQuery } from '../schemas/api.ts';

/** GET /banks/{bankId}/instructions (that bank): its inbox or its change feed (app/bank-inbox.ts). */
export const createBankInbox = (deps: Dependencies) =>
  httpHandler('bankInbox', async (request) => {
    const bankId = request.pathParam('bankId');
    bankInScope(request.who, bankId);
    return json(200, await readBankInbox(deps, bankId, request.query(BankInboxQuery)));
  });

export const handler = lambdaEntry(createBankInbox);
