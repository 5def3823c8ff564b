import { getCase } from '../adapters/dynamo/cases.ts';
import type { Db } from '../adapters/dynamo/db.ts';
import type { FraudCase } from '../domain/entities.ts';
import { ID_PATTERN } from '../domain/ids.ts';
import type { Caller } from '../schemas/claims.ts';
import { notFound } from './problem.ts';

/**
 * Scope checks (docs/api.md: an id outside the caller's scope answers 404, as if it did not exist).
 * Police see their agency's cases; regulators see every case; banks see only their own bankId.
 */
export function canSeeCase(caller: Caller, fraudCase: { agencyId: string }): boolean {
  if (caller.role === 'regulator') return true;
  return caller.role === 'police' && caller.agencyId === fraudCase.agencyId;
}

export async function caseInScope(db: Db, caller: Caller, caseId: string): Promise<FraudCase> {
  const fraudCase = ID_PATTERN.test(caseId) ? await getCase(db, caseId) : undefined;
  if (!fraudCase || !canSeeCase(caller, fraudCase)) throw notFound(`case ${caseId}`);
  return fraudCase;
}

export function bankInScope(caller: Caller, bankId: string): void {
  if (caller.role !== 'bank' || caller.bankId !== bankId) throw notFound(`bank ${bankId}`);
}
