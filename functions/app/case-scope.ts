import { getCase } from '../adapters/dynamo/cases.ts';
import type { Db } from '../adapters/dynamo/db.ts';
import { getInstruction } from '../adapters/dynamo/instructions.ts';
import type { FraudCase, StopPaymentInstruction } from '../domain/entities.ts';
import { NotFound } from '../domain/errors.ts';
import { ID_PATTERN } from '../domain/ids.ts';
import type { Caller } from '../schemas/claims.ts';

/**
 * Scope checks (docs/api.md: an id outside the caller's scope answers 404, as if it did not exist).
 * Police see their agency's cases; regulators see every case; admins may act in any case where a
 * route lets them (`adminToo`).
 */
export function canSeeCase(caller: Caller, fraudCase: { agencyId: string }): boolean {
  if (caller.role === 'regulator') return true;
  return caller.role === 'police' && caller.agencyId === fraudCase.agencyId;
}

export async function caseInScope(
  db: Db,
  caller: Caller,
  caseId: string,
  adminToo = false,
): Promise<FraudCase> {
  const fraudCase = ID_PATTERN.test(caseId) ? await getCase(db, caseId) : undefined;
  if (!fraudCase || !((adminToo && caller.role === 'admin') || canSeeCase(caller, fraudCase))) {
    throw new NotFound(`case ${caseId} does not exist`);
  }
  return fraudCase;
}

/** An instruction of the case (`kind`: only of that kind), else 404. */
export async function instructionOfCase(
  db: Db,
  fraudCase: FraudCase,
  instructionId: string,
  kind?: StopPaymentInstruction['kind'],
): Promise<StopPaymentInstruction> {
  const found = await getInstruction(db, instructionId);
  if (!found || found.caseId !== fraudCase.caseId || (kind && found.kind !== kind)) {
    throw new NotFound(`instruction ${instructionId} does not exist`);
  }
  return found;
}
