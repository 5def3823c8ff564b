import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { countAuditIntents } from '../../functions/adapters/dynamo/audit-sequencer.ts';
import { readCaseAudit } from '../../functions/adapters/dynamo/cases.ts';
import { auditEventFromItem } from '../../functions/adapters/dynamo/codec.ts';
import type { Db } from '../../functions/adapters/dynamo/db.ts';
import { caseChain, commitChainedChange, readChainHead } from '../../functions/adapters/dynamo/transact.ts';
import { keys } from '../../functions/adapters/keys.ts';
import { sequenceAudit } from '../../functions/app/sequence-audit.ts';
import { verifyAuditChain, verifyAuditChainAgainstHead } from '../../functions/domain/audit-chain.ts';
import { useDynamoLocal } from '../support/dynamo.ts';
import { openTestCase, testDependencies } from '../support/fixtures.ts';

const dynamo = useDynamoLocal();
const at = () => new Date().toISOString();

const auditOnly = (subject: string) => async () => ({
  ops: [],
  audit: [{ actor: 'test', action: 'TEST_EVENT', subject }],
  result: subject,
});

async function chainEvents(db: Db, caseId: string) {
  const out = await db.doc.send(
    new QueryCommand({
      TableName: db.table,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :audit)',
      ExpressionAttributeValues: { ':pk': keys.casePartition(caseId), ':audit': 'AUDIT#' },
      ConsistentRead: true,
    }),
  );
  return (out.Items ?? []).map(auditEventFromItem);
}

describe('the audit chain, sequenced from the stream: no change waits on another', () => {
  it('a change commits its entry and touches no chain head; the sequencer chains it and moves the head', async () => {
    const deps = testDependencies(await dynamo.freshDb());
    const caseId = await openTestCase(deps);
    await sequenceAudit(deps, keys.casePartition(caseId));
    const headBefore = await readChainHead(deps.db, caseChain(caseId));
    await commitChainedChange(deps.db, caseChain(caseId), at, auditOnly('e1'));
    // Committed, not chained: the head did not move and the read says pending.
    expect(await readChainHead(deps.db, caseChain(caseId))).toEqual(headBefore);
    const before = await readCaseAudit(deps.db, caseId);
    expect(before?.pending).toBe(1);
    expect(verifyAuditChainAgainstHead(before!.events, before!.head).verified).toBe(true);

    expect(await sequenceAudit(deps, keys.casePartition(caseId))).toBe(1);
    const after = await readCaseAudit(deps.db, caseId);
    expect(after?.pending).toBe(0);
    expect(after?.events.map((e) => e.subject).at(-1)).toBe('e1');
    expect(verifyAuditChainAgainstHead(after!.events, after!.head).verified).toBe(true);
  });

  it('100 changes committed at once never conflict with one another, and are chained once each, in order of time', async () => {
    const deps = testDependencies(await dynamo.freshDb());
    const caseId = await openTestCase(deps);
    const subjects = Array.from({ length: 100 }, (_, i) => `c${i}`);
    let transactions = 0;
    const send = deps.db.doc.send.bind(deps.db.doc);
    const counting = Object.create(deps.db.doc) as Db['doc'];
    // biome-ignore lint/suspicious/noExplicitAny: a pass-through wrapper of the client's overloaded send
    (counting as any).send = (command: any, ...rest: any[]) => {
      if (command.constructor.name === 'TransactWriteCommand') transactions++;
      return send(command, ...rest);
    };
    const db = { ...deps.db, doc: counting };
    await Promise.all(subjects.map((s) => commitChainedChange(db, caseChain(caseId), at, auditOnly(s))));
    expect(transactions).toBe(100); // one attempt each: nothing shared to conflict on
    expect(await countAuditIntents(deps.db, caseChain(caseId))).toBe(101); // + the case's opening
    expect(await sequenceAudit(deps, keys.casePartition(caseId))).toBe(101);
    const events = await chainEvents(deps.db, caseId);
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 101 }, (_, i) => i + 1));
    expect(events[0]!.action).toBe('CASE_OPENED');
    expect(new Set(events.slice(1).map((e) => e.subject))).toEqual(new Set(subjects));
    const times = events.map((e) => e.at);
    expect([...times].sort()).toEqual(times);
    expect(verifyAuditChain(events).verified).toBe(true);
  });

  it('sequencers racing on one chain (at-least-once, several shards) leave one chain: no fork, no gap, no double', async () => {
    const deps = testDependencies(await dynamo.freshDb());
    const caseId = await openTestCase(deps);
    const writers = Array.from({ length: 120 }, (_, i) =>
      commitChainedChange(deps.db, caseChain(caseId), at, auditOnly(`r${i}`)),
    );
    const sequencers = Array.from({ length: 6 }, async () => {
      let chained = 0;
      for (let round = 0; round < 5; round++)
        chained += await sequenceAudit(deps, keys.casePartition(caseId));
      return chained;
    });
    await Promise.all(writers);
    const chainedByRacers = (await Promise.all(sequencers)).reduce((a, b) => a + b, 0);
    const rest = await sequenceAudit(deps, keys.casePartition(caseId));
    expect(chainedByRacers + rest).toBe(121);
    const events = await chainEvents(deps.db, caseId);
    expect(events).toHaveLength(121);
    expect(new Set(events.map((e) => e.subject)).size).toBe(121);
    expect(
      verifyAuditChainAgainstHead(events, await readChainHead(deps.db, caseChain(caseId))).verified,
    ).toBe(true);
    expect(await countAuditIntents(deps.db, caseChain(caseId))).toBe(0);
  });

  it('a sequencer that dies between its reads and its write loses nothing: the next run chains every entry once', async () => {
    const deps = testDependencies(await dynamo.freshDb());
    const caseId = await openTestCase(deps);
    await sequenceAudit(deps, keys.casePartition(caseId));
    for (let i = 0; i < 5; i++) await commitChainedChange(deps.db, caseChain(caseId), at, auditOnly(`d${i}`));
    // The database refuses every transaction: the sequencer reads, then fails (as a crash before its write would).
    const send = deps.db.doc.send.bind(deps.db.doc);
    const dying = Object.create(deps.db.doc) as Db['doc'];
    // biome-ignore lint/suspicious/noExplicitAny: a pass-through wrapper of the client's overloaded send
    (dying as any).send = (command: any, ...rest: any[]) => {
      if (command.constructor.name === 'TransactWriteCommand')
        return Promise.reject(new Error('sandbox died'));
      return send(command, ...rest);
    };
    await expect(
      sequenceAudit({ db: { ...deps.db, doc: dying } }, keys.casePartition(caseId)),
    ).rejects.toThrow('sandbox died');
    expect((await readCaseAudit(deps.db, caseId))?.pending).toBe(5);
    expect(await sequenceAudit(deps, keys.casePartition(caseId))).toBe(5);
    expect(await sequenceAudit(deps, keys.casePartition(caseId))).toBe(0);
    const events = await chainEvents(deps.db, caseId);
    expect(events.map((e) => e.subject).slice(-5)).toEqual(['d0', 'd1', 'd2', 'd3', 'd4']);
    expect(verifyAuditChain(events).verified).toBe(true);
  });

  it('an edited event and a deleted last event are still detected', async () => {
    const deps = testDependencies(await dynamo.freshDb());
    const caseId = await openTestCase(deps);
    for (let i = 0; i < 3; i++) await commitChainedChange(deps.db, caseChain(caseId), at, auditOnly(`t${i}`));
    await sequenceAudit(deps, keys.casePartition(caseId));
    const events = await chainEvents(deps.db, caseId);
    const head = await readChainHead(deps.db, caseChain(caseId));
    const edited = events.map((e) => (e.seq === 2 ? { ...e, subject: 'edited' } : e));
    expect(verifyAuditChainAgainstHead(edited, head)).toMatchObject({ verified: false, firstBadSeq: 2 });
    expect(verifyAuditChainAgainstHead(events.slice(0, -1), head)).toMatchObject({ verified: false });
  });

  it('partitions that hold no chain are left alone', async () => {
    const deps = testDependencies(await dynamo.freshDb());
    expect(await sequenceAudit(deps, 'BANK#B1')).toBe(0);
    expect(await sequenceAudit(deps, 'CASE#')).toBe(0);
  });
});
