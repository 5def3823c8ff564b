import type { TrailEdge } from '../../domain/entities.ts';
import { accountKey } from '../../domain/money-trail.ts';
import { skPrefix } from '../keys.ts';
import { queryCase } from './cases.ts';
import { edgeFromItem } from './codec.ts';
import type { Db } from './db.ts';

/**
 * Access pattern 6: every account targeted in the case (accountKey), the trail's cycle check. A
 * marker whose holds were all rolled back (adapters/dynamo/commit.ts) keeps its item but targets
 * nothing.
 */
export async function targetedAccounts(db: Db, caseId: string): Promise<Set<string>> {
  return new Set(
    (await queryCase(db, caseId, skPrefix.targetedAccount))
      .filter((i) => ((i.instructionIds as Set<string> | undefined)?.size ?? 0) > 0)
      .map((i) => accountKey(String(i.bankId), String(i.accountNumber))),
  );
}

/** The trail edges recorded from one instruction's confirmation. */
export async function edgesFrom(db: Db, caseId: string, instructionId: string): Promise<TrailEdge[]> {
  return (await queryCase(db, caseId, `${skPrefix.trailEdge}${instructionId}#`)).map(edgeFromItem);
}
