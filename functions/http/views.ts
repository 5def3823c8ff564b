import { type Item, readAmountCounters, readStatusCounters } from '../adapters/dynamo/codec.ts';
import type { FraudCase, StopPaymentInstruction } from '../domain/entities.ts';
import { instructionStatuses } from '../domain/instruction-lifecycle.ts';
import { type MoneyJson, toMoneyJson } from '../domain/money.ts';
import { totalsBuckets } from '../domain/totals.ts';
import { freezeMessage, releaseMessage } from '../workflow/messages.ts';

/** JSON views of stored entities: what the routes of docs/api.md answer. */

export const caseView = (c: FraudCase) => ({
  caseId: c.caseId,
  agencyId: c.agencyId,
  reference: c.reference,
  reportedLoss: toMoneyJson(c.reportedLoss),
  reportedAt: c.reportedAt,
  ...(c.summary ? { summary: c.summary } : {}),
  openedAt: c.openedAt,
});

export function instructionView(i: StopPaymentInstruction) {
  return {
    instructionId: i.instructionId,
    kind: i.kind,
    caseId: i.caseId,
    orderId: i.orderId,
    bankId: i.bankId,
    accountNumber: i.accountNumber,
    ...(i.accountName ? { accountName: i.accountName } : {}),
    hop: i.hop,
    parentInstructionId: i.parentInstructionId,
    status: i.status,
    requested: toMoneyJson(i.requested),
    amount: toMoneyJson(i.requested),
    frozen: toMoneyJson(i.frozen),
    /** Held now = frozen; what left the hold so far by release or expiry is shown beside it. */
    held: toMoneyJson(i.frozen),
    released: toMoneyJson(i.released),
    expired: toMoneyJson(i.expired),
    releasePending: { currency: i.requested.currency, minor: i.releasePending.toString() },
    cashWithdrawn: toMoneyJson(i.cashWithdrawn),
    late: i.late,
    createdAt: i.createdAt,
    dispatchedAt: i.dispatchedAt,
    deadlineAt: i.deadlineAt,
    holdUntil: i.holdUntil,
    confirmedAt: i.confirmedAt,
    overdueAt: i.overdueAt,
    escalatedAt: i.escalatedAt,
    ...(i.releasesInstructionId
      ? { releasesInstructionId: i.releasesInstructionId, disposition: i.disposition }
      : {}),
  };
}

/**
 * What a bank sees of its instruction in the inbox (docs/api.md "The inbox"): the body of the push
 * that announces it (FREEZE, or RELEASE for a release instruction), plus its status, its last change
 * and what is known of its outcome.
 */
export function bankInstructionView(i: StopPaymentInstruction, apiBaseUrl: string) {
  const push =
    i.kind === 'RELEASE'
      ? releaseMessage(i, i.deadlineAt, apiBaseUrl)
      : freezeMessage(i, { deadlineAt: i.deadlineAt, holdUntil: i.holdUntil }, apiBaseUrl);
  return {
    ...push,
    status: i.status,
    updatedAt: i.updatedAt ?? i.createdAt,
    frozen: toMoneyJson(i.frozen),
    late: i.late,
    confirmedAt: i.confirmedAt,
    escalatedAt: i.escalatedAt,
  };
}
export type BankInstructionView = ReturnType<typeof bankInstructionView>;

export interface TotalsView {
  caseId: string;
  reportedLoss: MoneyJson;
  frozen: MoneyJson[];
  expired: MoneyJson[];
  released: MoneyJson[];
  restored: MoneyJson[];
  instructions: Record<string, number>;
  maxHop: number;
  updatedAt: string;
}

/**
 * The case totals item as docs/api.md "Totals": every bucket lists the same currencies (the reported
 * loss's and every currency ever counted), zeros included, so the four lists line up.
 */
export function totalsView(item: Item): TotalsView {
  const reportedLoss = item.reportedLoss as MoneyJson;
  const buckets = Object.fromEntries(totalsBuckets.map((b) => [b, readAmountCounters(item, b)])) as Record<
    (typeof totalsBuckets)[number],
    Map<string, bigint>
  >;
  const currencies = new Set<string>([reportedLoss.currency]);
  for (const b of totalsBuckets) for (const c of buckets[b].keys()) currencies.add(c);
  const list = (b: (typeof totalsBuckets)[number]) =>
    [...currencies]
      .sort()
      .map((currency) => ({ currency, minor: (buckets[b].get(currency) ?? 0n).toString() }));
  const counts = readStatusCounters(item);
  const instructions = Object.fromEntries(instructionStatuses.map((s) => [s, counts.get(s) ?? 0]));
  let maxHop = 0;
  for (const name of Object.keys(item)) {
    const hop = /^hop_(\d+)$/.exec(name)?.[1];
    if (hop && Number(item[name]) > 0) maxHop = Math.max(maxHop, Number(hop));
  }
  return {
    caseId: String(item.caseId),
    reportedLoss,
    frozen: list('frozen'),
    expired: list('expired'),
    released: list('released'),
    restored: list('restored'),
    instructions,
    maxHop,
    updatedAt: String(item.updatedAt),
  };
}
