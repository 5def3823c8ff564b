import type { Dependencies } from '../adapters/dependencies.ts';
import { type InboxQuery, queryInbox } from '../adapters/dynamo/instructions.ts';
import { bankInstructionView } from '../http/views.ts';

/**
 * GET /banks/{bankId}/instructions: a page of the bank's inbox, by creation, by status or by last
 * change (`updatedSince`, the change feed), each item shaped as its push (docs/api.md "The inbox").
 */
export async function readBankInbox(deps: Dependencies, bankId: string, query: InboxQuery) {
  const page = await queryInbox(deps.db, bankId, query);
  return {
    items: page.items.map((i) => bankInstructionView(i, deps.apiBaseUrl)),
    nextCursor: page.nextCursor,
  };
}
