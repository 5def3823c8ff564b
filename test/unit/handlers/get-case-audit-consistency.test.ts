import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { keys } from '../../../functions/adapters/keys.ts';
import { type AuditEvent, GENESIS_HASH, nextAuditEvent } from '../../../functions/domain/audit-chain.ts';
import { createGetCaseAudit } from '../../../functions/get-case-audit/handler.ts';
import { CaseAuditAnswer } from '../../../functions/schemas/api.ts';
import {
  CASE_ID,
  caseItem,
  claims,
  expectProblem,
  FakeTable,
  fraudCase,
  httpEvent,
  invoke,
  testDeps,
} from './support.ts';

/**
 * GET /cases/{caseId}/audit while the case is being written (docs/api.md "Audit": a read taken during
 * writes never reports `verified: false` for an untampered chain). The fake table lets a change land
 * between the reads the handler makes, which is what the e2e race does at random.
 */
const table = new FakeTable();

function chain(n: number): AuditEvent[] {
  const events: AuditEvent[] = [];
  let head = { seq: 0, hash: GENESIS_HASH };
  for (let i = 1; i <= n; i++) {
    const event = nextAuditEvent(head, {
      at: `2026-11-20T10:00:0${i}.000Z`,
      actor: 'bank:B001',
      action: 'CONFIRMATION_RECORDED',
      subject: `${CASE_ID}:${i}`,
    });
    events.push(event);
    head = event;
  }
  return events;
}

const eventItem = (e: AuditEvent) => ({
  ...keys.auditEvent(keys.casePartition(CASE_ID), e.seq),
  type: 'AuditEvent',
  ...e,
});
const headItem = (events: AuditEvent[], n: number) => ({
  ...caseItem(fraudCase(), n),
  auditHead: n === 0 ? GENESIS_HASH : events[n - 1]!.hash,
});

/** Seeds the chain as of `n` events, and makes every GetItem of the case after the first see `later` events. */
function chainMovesAfterFirstHeadRead(events: AuditEvent[], n: number, later: number) {
  table.put(headItem(events, n), ...events.slice(0, n).map(eventItem));
  let headReads = 0;
  table.ddb.on(GetCommand).callsFake((input: { Key: { PK: string; SK: string } }) => {
    if (input.Key.SK !== '#CASE') return {};
    headReads += 1;
    if (headReads === 1) {
      // The head is read; before the events are, the next changes commit (event and head together).
      const answer = { Item: headItem(events, n) };
      table.put(headItem(events, later), ...events.slice(0, later).map(eventItem));
      return answer;
    }
    return { Item: table.items.get(`${input.Key.PK}|${input.Key.SK}`) };
  });
  return () => headReads;
}

const audit = () =>
  invoke(
    createGetCaseAudit(testDeps().deps),
    httpEvent({
      path: `/cases/${CASE_ID}/audit`,
      pathParameters: { caseId: CASE_ID },
      claims: claims.police,
    }),
  );

beforeEach(() => {
  table.reset();
});

describe('GET /cases/{caseId}/audit during writes', () => {
  it('an untampered chain with no write in between: verified, pending 0, one head read', async () => {
    const events = chain(3);
    const headReads = chainMovesAfterFirstHeadRead(events, 3, 3);
    const answer = await audit();
    expect(answer.body).toMatchObject({ events, head: events[2]!.hash, verified: true, pending: 0 });
    expect(answer.body).not.toHaveProperty('firstBadSeq');
    expect(headReads()).toBe(1);
  });

  it('changes committed between the head read and the events read are pending, not a break', async () => {
    const events = chain(5);
    chainMovesAfterFirstHeadRead(events, 3, 5);
    const answer = await audit();
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ verified: true, pending: 2, head: events[2]!.hash });
    expect(answer.body.events).toEqual(events.slice(0, 3));
    expect(answer.body).not.toHaveProperty('firstBadSeq');
    // The answer is the documented one (openapi.json is generated from this schema).
    expect(CaseAuditAnswer.safeParse(answer.body).error).toBeUndefined();
  });

  it('the head is read before the events (the order that cannot see a head ahead of its events)', async () => {
    const events = chain(2);
    table.put(headItem(events, 2), ...events.map(eventItem));
    await audit();
    const order = table.ddb.calls().map((call) => call.args[0].constructor.name);
    expect(order.indexOf('GetCommand')).toBeLessThan(order.indexOf('QueryCommand'));
  });

  it('events no head covers (appended behind the chain) are still a break, at the first of them', async () => {
    const events = chain(4);
    table.put(headItem(events, 3), ...events.map(eventItem));
    const answer = await audit();
    expect(answer.body).toMatchObject({ verified: false, firstBadSeq: 4, pending: 0 });
    expect(answer.body.events).toHaveLength(4);
  });

  it('an edited event is still caught even while the chain moves', async () => {
    const events = chain(5);
    const tampered = events.map((e) => (e.seq === 2 ? { ...e, actor: 'someone else' } : e));
    table.put(headItem(events, 3), ...tampered.slice(0, 3).map(eventItem));
    let first = true;
    table.ddb.on(GetCommand).callsFake((input: { Key: { PK: string; SK: string } }) => {
      if (input.Key.SK !== '#CASE') return {};
      const answer = { Item: headItem(events, first ? 3 : 5) };
      if (first) table.put(...tampered.slice(3).map(eventItem));
      first = false;
      return answer;
    });
    expect((await audit()).body).toMatchObject({ verified: false, firstBadSeq: 2, pending: 2 });
  });

  it('a database that does not answer is 503 with Retry-After, not 500', async () => {
    const events = chain(2);
    table.put(headItem(events, 2), ...events.map(eventItem));
    table.ddb
      .on(QueryCommand)
      .rejects(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8000'), { code: 'ECONNREFUSED' }));
    const answer = await audit();
    expectProblem(answer, 503);
    expect(answer.headers['retry-after']).toMatch(/^\d+$/);
  });
});
