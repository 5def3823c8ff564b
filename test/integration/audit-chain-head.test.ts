import { GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { auditEventFromItem } from '../../functions/adapters/dynamo/codec.ts';
import type { Db } from '../../functions/adapters/dynamo/db.ts';
import { caseChain, commitChainedChange, readChainHead } from '../../functions/adapters/dynamo/transact.ts';
import { keys } from '../../functions/adapters/keys.ts';
import { nextAuditEvent, verifyAuditChain } from '../../functions/domain/audit-chain.ts';
import { useDynamoLocal } from '../support/dynamo.ts';

const dynamo = useDynamoLocal();

/** The same Db, counting the reads of one chain's head item. */
function countingHeadReads(db: Db, headKey: { PK: string; SK: string }) {
  const counter = { headReads: 0 };
  const send = db.doc.send.bind(db.doc);
  const doc = Object.create(db.doc) as Db['doc'];
  // biome-ignore lint/suspicious/noExplicitAny: a pass-through wrapper of the client's overloaded send
  (doc as any).send = (command: any, ...rest: any[]) => {
    if (command instanceof GetCommand) {
      const key = command.input.Key as { PK: string; SK: string };
      if (key.PK === headKey.PK && key.SK === headKey.SK) counter.headReads++;
    }
    return send(command, ...rest);
  };
  return { db: { ...db, doc }, counter };
}

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

describe('audit chain head: the process links to the head it wrote last', () => {
  it('reads the head once for a run of changes, and the chain still verifies', async () => {
    const caseId = `CHEAD${Date.now()}`;
    const chain = caseChain(caseId);
    const { db, counter } = countingHeadReads(await dynamo.freshDb(), chain.headKey);
    const at = () => new Date().toISOString();
    for (let i = 1; i <= 5; i++) await commitChainedChange(db, chain, at, auditOnly(`e${i}`));
    expect(counter.headReads).toBe(1);
    const events = await chainEvents(db, caseId);
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(verifyAuditChain(events)).toMatchObject({ verified: true });
  });

  it('a head moved by another process fails the write once; the retry reads it and links after it', async () => {
    const caseId = `CMOVED${Date.now()}`;
    const chain = caseChain(caseId);
    const { db, counter } = countingHeadReads(await dynamo.freshDb(), chain.headKey);
    const at = () => new Date().toISOString();
    await commitChainedChange(db, chain, at, auditOnly('ours-1'));

    // Another process (another Lambda container) appends event 2 the same way transact.ts does.
    const head = await readChainHead(db, chain);
    const theirs = nextAuditEvent(head, {
      at: at(),
      actor: 'other',
      action: 'TEST_EVENT',
      subject: 'theirs',
    });
    await db.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: db.table,
              Item: { ...keys.auditEvent(chain.eventsPk, theirs.seq), type: 'AuditEvent', ...theirs },
              ConditionExpression: 'attribute_not_exists(PK)',
            },
          },
          {
            Update: {
              TableName: db.table,
              Key: chain.headKey,
              UpdateExpression: 'SET auditSeq = :next, auditHead = :hash',
              ConditionExpression: 'auditSeq = :prev',
              ExpressionAttributeValues: { ':next': theirs.seq, ':hash': theirs.hash, ':prev': head.seq },
            },
          },
        ],
      }),
    );
    const readsBefore = counter.headReads;

    await commitChainedChange(db, chain, at, auditOnly('ours-2'));
    expect(counter.headReads).toBe(readsBefore + 1); // the stale head failed; one fresh read
    const events = await chainEvents(db, caseId);
    expect(events.map((e) => [e.seq, e.subject])).toEqual([
      [1, 'ours-1'],
      [2, 'theirs'],
      [3, 'ours-2'],
    ]);
    expect(verifyAuditChain(events)).toMatchObject({ verified: true });
  });
});
