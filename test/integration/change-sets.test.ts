import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Dependencies } from '../../functions/adapters/dependencies.ts';
import { queryCase } from '../../functions/adapters/dynamo/cases.ts';
import type { Db } from '../../functions/adapters/dynamo/db.ts';
import { getInstruction } from '../../functions/adapters/dynamo/instructions.ts';
import { targetedAccounts } from '../../functions/adapters/dynamo/trail.ts';
import { keys, skPrefix } from '../../functions/adapters/keys.ts';
import { orderRelease } from '../../functions/app/order-release.ts';
import { createRecordConfirmation } from '../../functions/record-confirmation/handler.ts';
import { useDynamoLocal } from '../support/dynamo.ts';
import {
  cny,
  legalBasis,
  openTestCase,
  registerPullBank,
  submitOrder,
  testDependencies,
} from '../support/fixtures.ts';
import { apiEvent, bank, call, police } from '../support/http-events.ts';

const dynamo = useDynamoLocal();

/** The same Db; `beforeTransaction` runs (once per call) just before each TransactWriteItems is sent. */
function withFault(db: Db, beforeTransaction: (n: number) => Promise<void>): Db {
  const send = db.doc.send.bind(db.doc);
  const doc = Object.create(db.doc) as Db['doc'];
  let n = 0;
  // biome-ignore lint/suspicious/noExplicitAny: a pass-through wrapper of the client's overloaded send
  (doc as any).send = async (command: any, ...rest: any[]) => {
    if (command instanceof TransactWriteCommand) await beforeTransaction(++n);
    return send(command, ...rest);
  };
  return { ...db, doc };
}

describe('the change-set writer (adapters/dynamo/commit.ts) against DynamoDB Local', () => {
  let deps: Dependencies;
  let caseId: string;
  beforeEach(async () => {
    deps = testDependencies(await dynamo.freshDb());
    await registerPullBank(deps, 'B1');
    caseId = await openTestCase(deps);
  });

  it('a large order that loses the hold limit mid-way (a concurrent order took it) leaves nothing behind: 409', async () => {
    const targets = Array.from({ length: 120 }, (_, i) => ({
      bankId: 'B1',
      accountNumber: `A${i}`,
      minor: 100n,
    }));
    // A concurrent order fills the marker of an account in the SECOND chunk after the first chunk was written.
    const faulty = withFault(deps.db, async (n) => {
      if (n !== 2) return;
      const marker = keys.targetedAccount(caseId, 'B1', 'A70');
      await deps.db.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: deps.db.table,
                Item: {
                  ...marker,
                  type: 'TargetedAccount',
                  bankId: 'B1',
                  accountNumber: 'A70',
                  instructionIds: new Set(['x1', 'x2']),
                },
              },
            },
          ],
        }),
      );
    });
    const answer = await submitOrder({ ...deps, db: faulty }, caseId, targets);
    expect(answer.status).toBe(409);
    expect(answer.body).toMatchObject({ rule: 'MAX_HOLDS_PER_ACCOUNT' });
    // The first chunk was rolled back: no instruction of the order, no marker of its accounts.
    expect(await queryCase(deps.db, caseId, skPrefix.instruction)).toHaveLength(0);
    const holding = (await queryCase(deps.db, caseId, skPrefix.targetedAccount)).filter(
      (m) => (m.instructionIds as Set<string> | undefined)?.size,
    );
    expect(holding.map((m) => String(m.accountNumber))).toEqual(['A70']);
    // An emptied marker does not count as targeted (the trail would refuse to follow into it).
    expect([...(await targetedAccounts(deps.db, caseId))]).toEqual(['B1/A70']);
  });

  it('concurrent releases of one hold never reserve more than it holds: the loser decides again on what is left', async () => {
    const order = await submitOrder(deps, caseId, [{ bankId: 'B1', accountNumber: 'A1', minor: 1000n }]);
    const heldId = order.body.instructions[0]!.instructionId;
    const confirmed = await call(
      createRecordConfirmation(deps),
      apiEvent('recordConfirmation', {
        claims: bank('B1'),
        path: { bankId: 'B1', instructionId: heldId },
        body: { confirmationId: 'K1', result: 'ACTIONED', frozen: cny(1000n) },
      }),
    );
    expect(confirmed.status).toBe(201);
    const caller = { sub: police().sub!, role: 'police' as const, agencyId: 'PSB-1' };
    const release = (minor: number, key: string) =>
      orderRelease(deps, caller, caseId, () => ({
        input: {
          instructionId: heldId,
          amount: { currency: 'CNY', minor: String(minor) },
          disposition: 'RETURN_TO_VICTIM',
          authority: legalBasis,
        },
        idem: { callerScope: 'police:PSB-1:officer-1', key, hash: key },
      }));
    const results = await Promise.allSettled([release(700, 'r1'), release(700, 'r2'), release(300, 'r3')]);
    const accepted = results.filter((r) => r.status === 'fulfilled');
    const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as { rule?: string }] : []));
    expect(refused.every((e) => e.rule === 'RELEASE_EXCEEDS_HOLD')).toBe(true);
    const held = await getInstruction(deps.db, heldId);
    expect(held?.releasePending).toBeLessThanOrEqual(1000n);
    const releases = (await queryCase(deps.db, caseId, skPrefix.instruction)).filter(
      (i) => i.kind === 'RELEASE',
    );
    const reserved = releases.reduce(
      (sum, r) => sum + BigInt(String((r.requested as { minor: string }).minor)),
      0n,
    );
    expect(reserved).toBe(held?.releasePending);
    expect(accepted.length).toBe(releases.length);
    expect(accepted.length).toBeGreaterThanOrEqual(1);
  });
});
