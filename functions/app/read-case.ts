import type { Dependencies } from '../adapters/dependencies.ts';
import { type CaseView, getCaseTotalsItem, loadCaseView, readCaseAudit } from '../adapters/dynamo/cases.ts';
import type { Item } from '../adapters/dynamo/codec.ts';
import {
  type AuditEvent,
  type ChainVerification,
  verifyAuditChainAgainstHead,
} from '../domain/audit-chain.ts';
import { NotFound } from '../domain/errors.ts';
import { ID_PATTERN } from '../domain/ids.ts';
import type { Caller } from '../schemas/claims.ts';
import { canSeeCase } from './case-scope.ts';

const missing = (caseId: string) => new NotFound(`case ${caseId} does not exist`);

/** A case with everything in it (access pattern 1: one Query, paged), if the caller may see it. */
export async function readCase(deps: Dependencies, caller: Caller, caseId: string): Promise<CaseView> {
  const view = ID_PATTERN.test(caseId) ? await loadCaseView(deps.db, caseId) : undefined;
  if (!view || !canSeeCase(caller, view.fraudCase)) throw missing(caseId);
  return view;
}

/** A case's totals item: one consistent GetItem, O(1) in the case's size. */
export async function readCaseTotals(deps: Dependencies, caller: Caller, caseId: string): Promise<Item> {
  const item = ID_PATTERN.test(caseId) ? await getCaseTotalsItem(deps.db, caseId) : undefined;
  if (!item || !canSeeCase(caller, { agencyId: String(item.agencyId) })) throw missing(caseId);
  return item;
}

export interface CaseAuditAnswer {
  caseId: string;
  events: AuditEvent[];
  head: ChainVerification['head'];
  verified: boolean;
  firstBadSeq?: number;
  pending: number;
}

/**
 * A case's hash chain and whether it verifies (docs/api.md "Audit"). The head is read first and the events
 * after it (adapters/dynamo/cases.ts readCaseAudit), so a read taken during writes never reports a
 * break: the chain is judged up to that head, which must also be its last event (an event cut off the
 * end is detected). Events committed after the head was read are counted in `pending`; events that no
 * head covers are a break at the first of them.
 */
export async function readAudit(
  deps: Dependencies,
  caller: Caller,
  caseId: string,
): Promise<CaseAuditAnswer> {
  const read = ID_PATTERN.test(caseId) ? await readCaseAudit(deps.db, caseId) : undefined;
  if (!read || !canSeeCase(caller, read.fraudCase)) throw missing(caseId);
  const check = verifyAuditChainAgainstHead(read.events, read.head);
  let { verified, firstBadSeq } = check;
  if (verified && read.unchained.length > 0) {
    verified = false;
    firstBadSeq = read.unchained[0]!.seq;
  }
  return {
    caseId,
    events: [...read.events, ...read.unchained],
    head: check.head,
    verified,
    ...(verified || firstBadSeq === undefined ? {} : { firstBadSeq }),
    pending: read.pending,
  };
}
