import { GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { getBankForDelivery, putBank } from '../../functions/adapters/dynamo/banks.ts';
import { commitCaseChange } from '../../functions/adapters/dynamo/commit.ts';
import type { Db } from '../../functions/adapters/dynamo/db.ts';
import { changeInstruction, getInstruction } from '../../functions/adapters/dynamo/instructions.ts';
import { keys } from '../../functions/adapters/keys.ts';
import { instructionChange } from '../../functions/domain/change-set.ts';
import type { BankDirectoryEntry } from '../../functions/domain/entities.ts';
import { IllegalTransition } from '../../functions/domain/instruction-lifecycle.ts';
import { useDynamoLocal } from '../support/dynamo.ts';
import { openTestCase, registerPullBank, submitOrder, testDependencies } from '../support/fixtures.ts';

const dynamo = useDynamoLocal();

/** The same Db, counting the commands it sends by kind (GetItem of what, transactions). */
function counting(db: Db) {
  const counts = { instructionReads: 0, bankReads: 0, transactions: 0, failedTransactions: 0 };
  const send = db.doc.send.bind(db.doc);
  const doc = Object.create(db.doc) as Db['doc'];
  // biome-ignore lint/suspicious/noExplicitAny: a pass-through wrapper of the client's overloaded send
  (doc as any).send = async (command: any, ...rest: any[]) => {
    if (command instanceof GetCommand) {
      const sk = String((command.input.Key as { SK: string }).SK);
      if (sk.startsWith('INSTR#')) counts.instructionReads++;
      if (sk.startsWith('#BANK') || String((command.input.Key as { PK: string }).PK).startsWith('BANK#'))
        counts.bankReads++;
    }
    const isTransaction = command instanceof TransactWriteCommand;
    if (isTransaction) counts.transactions++;
    try {
      return await send(command, ...rest);
    } catch (error) {
      if (isTransaction) counts.failedTransactions++;
      throw error;
    }
  };
  return { db: { ...db, doc }, counts };
}

const at = () => new Date().toISOString();
const auditOf = (subject: string) => ({ actor: 'test', action: 'TEST_CHANGE', subject });
const setNote = (subject: string) => ({
  decide: () => ({ patch: { remindedAt: at() }, audit: [auditOf(subject)] }),
});

async function oneInstruction() {
  const deps = testDependencies(await dynamo.freshDb());
  await registerPullBank(deps, 'B1');
  const caseId = await openTestCase(deps);
  const order = await submitOrder(deps, caseId, [
    { bankId: 'B1', accountNumber: '6222000000000009', minor: 1000n },
  ]);
  return { deps, instructionId: order.body.instructions[0]!.instructionId };
}

describe('every change is decided on a fresh read: a stale decision never lands (no in-process cache)', () => {
  it('a change decided before another change of the instruction fails its versioned write and is decided again', async () => {
    const { deps, instructionId } = await oneInstruction();
    const { db, counts } = counting(deps.db);
    const caseId = instructionId.split('.')[0]!;
    let attempts = 0;
    const seenVersions: number[] = [];
    await commitCaseChange(db, caseId, at, async () => {
      attempts += 1;
      const current = await getInstruction(db, instructionId);
      if (!current) throw new Error('no instruction');
      seenVersions.push(current.version ?? 0);
      // The fault: another sandbox's change of the same instruction lands between this read and its
      // write (written straight to the table: no lock of this process can order it).
      if (attempts === 1) {
        await db.doc.send(
          new UpdateCommand({
            TableName: db.table,
            Key: keys.instruction(caseId, instructionId),
            UpdateExpression: 'SET dispatchedAt = :at, version = if_not_exists(version, :zero) + :one',
            ExpressionAttributeValues: { ':at': at(), ':zero': 0, ':one': 1 },
          }),
        );
      }
      return instructionChange(current, { patch: { remindedAt: at() }, audit: [auditOf('late')] }, undefined);
    });
    expect(attempts).toBe(2);
    expect(seenVersions[1]).toBe(seenVersions[0]! + 1);
    expect(counts.failedTransactions).toBe(1);
    const after = await getInstruction(db, instructionId);
    // Both changes are on the item: the racing one was not overwritten by the stale decision.
    expect(after?.dispatchedAt).not.toBeNull();
    expect(after?.remindedAt).not.toBeNull();
    expect(after?.version).toBe(seenVersions[0]! + 2);
  });

  it('each attempt reads the instruction again, even with nothing in between (one read, one transaction)', async () => {
    const { deps, instructionId } = await oneInstruction();
    const { db, counts } = counting(deps.db);
    const changed = await changeInstruction(db, instructionId, at, setNote('first'));
    expect(changed?.changed).toBe(true);
    expect(counts).toMatchObject({ instructionReads: 1, transactions: 1, failedTransactions: 0 });
  });

  it('a status change the lifecycle does not allow is refused and writes nothing', async () => {
    const { deps, instructionId } = await oneInstruction();
    const { db, counts } = counting(deps.db);
    await expect(
      changeInstruction(db, instructionId, at, {
        decide: () => ({ patch: { status: 'EXPIRED' }, audit: [auditOf('illegal')] }),
      }),
    ).rejects.toBeInstanceOf(IllegalTransition);
    expect(counts.transactions).toBe(0);
    expect((await getInstruction(db, instructionId))?.status).toBe('PENDING');
  });
});

describe('bank entries for deliveries: one read per bank within the TTL, a local update seen at once', () => {
  it('reads a bank once for many deliveries, and again after putBank', async () => {
    const deps = testDependencies(await dynamo.freshDb());
    await registerPullBank(deps, 'B1');
    const { db, counts } = counting(deps.db);
    const first = await Promise.all(Array.from({ length: 10 }, () => getBankForDelivery(db, 'B1')));
    expect(new Set(first.map((b) => b?.slaSeconds)).size).toBe(1);
    expect(counts.bankReads).toBe(1);

    const updated: BankDirectoryEntry = { ...first[0]!, slaSeconds: 777 };
    await putBank(db, updated, { actor: 'test', action: 'BANK_UPDATED', subject: 'B1' }, at);
    const readsAfterPut = counts.bankReads;
    expect((await getBankForDelivery(db, 'B1'))?.slaSeconds).toBe(777);
    expect(counts.bankReads).toBe(readsAfterPut + 1);
  });

  it('an unknown bank is not remembered (it may be registered any moment)', async () => {
    const deps = testDependencies(await dynamo.freshDb());
    const { db, counts } = counting(deps.db);
    expect(await getBankForDelivery(db, 'NOPE')).toBeUndefined();
    expect(await getBankForDelivery(db, 'NOPE')).toBeUndefined();
    expect(counts.bankReads).toBe(2);
  });
});
