import { useQuery } from '@tanstack/react-query';
import { call } from '../../api/client.ts';
import type { BankInstructionView, InboxPage, LegalBasis } from '../../api/views.ts';
import { useConsole } from '../../context.tsx';

export { AWAITING, inboxOrder, isOverdue, needsAction } from '../../lib/inbox-order.ts';

/** Pages of 100 read per refresh; beyond that the desk says the list is cut. */
const MAX_PAGES = 20;
/** A desk worked by hand: new instructions, releases and changed holds show within seconds. */
export const INBOX_POLL_MS = 5000;

/**
 * The holdUntil first seen per instruction in this tab: a later, different one is an extension
 * (or a shortening) the bank must apply. The inbox has no field for it (API.md: a pull bank learns
 * of it from the change feed), so the desk compares what it saw, like the token, in memory only.
 */
const firstHold = new Map<string, string | null>();
export function holdChange(bankId: string, i: BankInstructionView): 'extended' | 'shortened' | undefined {
  const key = `${bankId}/${i.instructionId}`;
  if (!firstHold.has(key)) firstHold.set(key, i.holdUntil);
  const first = firstHold.get(key);
  if (!first || !i.holdUntil || first === i.holdUntil) return undefined;
  return Date.parse(i.holdUntil) > Date.parse(first) ? 'extended' : 'shortened';
}
export function acknowledgeHold(bankId: string, i: BankInstructionView): void {
  firstHold.set(`${bankId}/${i.instructionId}`, i.holdUntil);
}

/**
 * An inbox item is the body of its push (docs/api.md "The inbox": `amount`, not `requested`) plus its
 * state; the desk's pages read the instruction view's names, so the item is given both.
 */
function asInstructionView(item: BankInstructionView & { authority?: LegalBasis }): BankInstructionView {
  // A RELEASE's push names its legal basis `authority`.
  return {
    ...item,
    requested: item.requested ?? item.amount,
    legalBasis: item.legalBasis ?? item.authority,
  } as BankInstructionView;
}

/** The whole inbox of the signed-in bank (the API scopes it: another bank's id answers 404). */
export function useInbox(bankId: string) {
  const { api } = useConsole();
  return useQuery({
    queryKey: ['inbox', bankId],
    queryFn: async () => {
      const items: BankInstructionView[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const { data } = await call<InboxPage>(
          api.GET('/banks/{bankId}/instructions', {
            params: { path: { bankId }, query: { limit: 100, ...(cursor ? { cursor } : {}) } },
          }),
        );
        items.push(...data.items.map(asInstructionView));
        cursor = data.nextCursor ?? undefined;
        pages += 1;
      } while (cursor && pages < MAX_PAGES);
      return { items, truncated: cursor !== undefined };
    },
    refetchInterval: INBOX_POLL_MS,
  });
}
