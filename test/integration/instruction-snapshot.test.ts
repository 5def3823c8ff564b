import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { getBankForDelivery, putBank } from '../../functions/adapters/dynamo/banks.ts';
import type { Db } from '../../functions/adapters/dynamo/db.ts';
import {
  changeInstruction,
  getInstructionSnapshot,
  stillCurrent,
} from '../../functions/adapters/dynamo/instructions.ts';
import type { BankDirectoryEntry } from '../../functions/domain/entities.ts';
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
const markDispatched = (subject: string) => ({
  decide: () => ({
    set: { dispatchedAt: at() },
    audit: [{ actor: 'test', action: 'TEST_CHANGE', subject }],
  }),
});
const setNote = (subject: string) => ({
  decide: () => ({
    set: { remindedAt: at() },
    audit: [{ actor: 'test', action: 'TEST_CHANGE', subject }],
  }),
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

describe('instruction snapshots: a change decided on a read made moments ago, guarded by its version', () => {
  it('a snapshot with no change of its case since is used as read: no second read, one transaction', async () => {
    const { deps, instructionId } = await oneInstruction();
    const { db, counts } = counting(deps.db);
    const snapshot = await getInstructionSnapshot(db, instructionId);
    expect(stillCurrent(db, snapshot, instructionId)?.instructionId).toBe(instructionId);
    const readsAfterSnapshot = counts.instructionReads;

    const changed = await changeInstruction(db, instructionId, at, setNote('first'), { known: snapshot });
    expect(changed?.changed).toBe(true);
    expect(counts.instructionReads).toBe(readsAfterSnapshot);
    expect(counts).toMatchObject({ transactions: 1, failedTransactions: 0 });
  });

  it('a snapshot gone stale (another sandbox changed the instruction) fails its first attempt only: the retry reads again, nothing lost', async () => {
    const { deps, instructionId } = await oneInstruction();
    const { db, counts } = counting(deps.db);
    const stale = await getInstructionSnapshot(db, instructionId);
    // Another change of the same instruction, as from another sandbox: nothing here can know of it.
    await changeInstruction(db, instructionId, at, markDispatched('racing'));
    const before = { ...counts };

    const changed = await changeInstruction(db, instructionId, at, setNote('late'), { known: stale });
    expect(changed?.changed).toBe(true);
    expect(changed?.before.version).toBe((stale?.instruction.version ?? 0) + 1);
    expect(counts.instructionReads).toBe(before.instructionReads + 1);
    expect(counts.transactions).toBe(before.transactions + 2);
    expect(counts.failedTransactions).toBe(1);
  });

  it('a snapshot of another instruction is never used', async () => {
    const { deps, instructionId } = await oneInstruction();
    const snapshot = await getInstructionSnapshot(deps.db, instructionId);
    expect(stillCurrent(deps.db, snapshot, `${instructionId}x`)).toBeUndefined();
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
