import { beforeEach, describe, expect, it } from 'vitest';
import { keys } from '../../../functions/adapters/keys.ts';
import { type AuditEvent, GENESIS_HASH, nextAuditEvent } from '../../../functions/domain/audit-chain.ts';
import { createGetCaseAudit } from '../../../functions/get-case-audit/handler.ts';
import {
  CASE_ID,
  type Claims,
  caseItem,
  claims,
  expectProblem,
  FakeTable,
  fraudCase,
  httpEvent,
  invoke,
  OTHER_CASE_ID,
  testDeps,
} from './support.ts';

const table = new FakeTable();

function chain(n: number): AuditEvent[] {
  const events: AuditEvent[] = [];
  let head = { seq: 0, hash: GENESIS_HASH };
  for (let i = 1; i <= n; i++) {
    const event = nextAuditEvent(head, {
      at: `2026-11-20T10:00:0${i}.000Z`,
      actor: 'police:PSB-1:u1',
      action: i === 1 ? 'CASE_OPENED' : 'FREEZE_ORDER_SUBMITTED',
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

/** The case item's head says `headSeq`/`headHash`; the partition holds `stored`. */
function seed(stored: AuditEvent[], headSeq: number, headHash: string) {
  table.put({ ...caseItem(fraudCase(), headSeq), auditHead: headHash }, ...stored.map(eventItem));
}

beforeEach(() => {
  table.reset();
  table.put(caseItem(fraudCase({ caseId: OTHER_CASE_ID, agencyId: 'PSB-2' }), 1));
});

const audit = (caseId = CASE_ID, who: Claims = claims.police) =>
  invoke(
    createGetCaseAudit(testDeps().deps),
    httpEvent({ path: `/cases/${caseId}/audit`, pathParameters: { caseId }, claims: who }),
  );

describe('GET /cases/{caseId}/audit', () => {
  it('answers the events in ascending seq, the head and verified: true for an intact chain', async () => {
    const events = chain(3);
    seed(events, 3, events[2]!.hash);
    const answer = await audit();
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ events, head: events[2]!.hash, verified: true });
    expect(answer.body).not.toHaveProperty('firstBadSeq');
    expect(answer.body.events[0].prevHash).toBe(GENESIS_HASH);
    expect((await audit(CASE_ID, claims.regulator)).status).toBe(200);
  });

  it('an altered event: verified false and the first bad seq', async () => {
    const events = chain(3);
    const tampered = events.map((e) => (e.seq === 2 ? { ...e, subject: 'something else' } : e));
    seed(tampered, 3, events[2]!.hash);
    expect((await audit()).body).toMatchObject({ verified: false, firstBadSeq: 2 });
  });

  it('an event cut off the end is detected against the stored head', async () => {
    const events = chain(4);
    seed(events.slice(0, 3), 4, events[3]!.hash);
    expect((await audit()).body).toMatchObject({ verified: false, firstBadSeq: 4 });
  });

  it('404 for another agency case and for a case that does not exist', async () => {
    expectProblem(await audit(OTHER_CASE_ID), 404);
    expectProblem(await audit('CNOSUCHCAS0'), 404);
  });
});
