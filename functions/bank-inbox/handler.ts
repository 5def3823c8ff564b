import { type Dependencies, lambdaEntry } from '../adapters/dependencies.ts';
import { queryInbox } from '../adapters/dynamo/instructions.ts';
import { httpHandler, json } from '../http/http-handler.ts';
import { bankInScope } from '../http/scope.ts';
import { bankInstructionView } from '../http/views.ts';
import { BankInboxQuery } from '../schemas/api.ts';

/** GET /banks/{bankId}/instructions (that bank): its inbox, oldest first, optionally by status. */
export const createBankInbox = (deps: Dependencies) =>
  httpHandler('bankInbox', async (request) => {
    const bankId = request.pathParam('bankId');
    bankInScope(request.who, bankId);
    const query = request.query(BankInboxQuery);
    const page = await queryInbox(deps.db, bankId, query.status, query.limit, query.cursor);
    return json(200, { items: page.items.map(bankInstructionView), nextCursor: page.nextCursor });
  });

export const handler = lambdaEntry(createBankInbox);
