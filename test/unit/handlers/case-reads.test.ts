/** GET /cases/{caseId}, /cases/{caseId}/totals and /cases/{caseId}/trail. */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { edgeToItem, orderToItem } from '../../../functions/adapters/dynamo/codec.ts';
import { keys } from '../../../functions/adapters/keys.ts';
import { instructionStatuses } from '../../../functions/domain/instruction-lifecycle.ts';
import { money } from '../../../functions/domain/money.ts';
import { createGetCase } from '../../../functions/get-case/handler.ts';
import { createGetCaseTotals } from '../../../functions/get-case-totals/handler.ts';
import { createGetCaseTrail } from '../../../functions/get-case-trail/handler.ts';
import {
  CASE_ID,
  type Claims,
  caseItem,
  caseTotalsItem,
  claims,
  expectProblem,
  FakeTable,
  fraudCase,
  httpEvent,
  INSTRUCTION_ID,
  instructionItem,
  invoke,
  legalBasis,
  ORDER_ID,
  OTHER_CASE_ID,
  testDeps,
} from './support.ts';

const table = new FakeTable();
const FOLLOW_ON_ID = `${INSTRUCTION_ID}-1`;
const RELEASE_ID = `${CASE_ID}.RREL00001`;

beforeEach(() => {
  table.reset();
  table.put(
    caseItem(fraudCase(), 9),
    caseTotalsItem(fraudCase(), {
      amt_frozen_CNY: 5_000_000,
      amt_restored_CNY: 1_000_000,
      amt_frozen_USD: 2500,
      cnt_PENDING: 0,
      cnt_PARTIALLY_FROZEN: 1,
      cnt_OVERDUE: 1,
      hop_1: 2,
      hop_2: 1,
    }),
    orderToItem({
      caseId: CASE_ID,
      orderId: ORDER_ID,
      legalBasis,
      holdHours: 48,
      submittedAt: '2026-11-20T09:00:00.000Z',
      submittedBy: 'police:PSB-1:u1',
      instructionIds: [INSTRUCTION_ID, `${ORDER_ID}.2`],
    }),
    instructionItem(
      {
        status: 'PARTIALLY_FROZEN',
        frozen: money('CNY', 5_000_000n),
        confirmedAt: '2026-11-20T09:10:00.000Z',
      },
      { taskToken: 'secret-task-token', trailResolvedAt: '2026-11-20T09:10:01.000Z' },
    ),
    instructionItem({
      instructionId: `${ORDER_ID}.2`,
      bankId: 'B003',
      accountNumber: '6217000011112222',
      status: 'OVERDUE',
      overdueAt: '2026-11-20T11:00:02.000Z',
      escalatedAt: '2026-11-20T13:00:03.000Z',
    }),
    instructionItem({
      instructionId: FOLLOW_ON_ID,
      bankId: 'B002',
      accountNumber: '6228480011223344',
      hop: 2,
      parentInstructionId: INSTRUCTION_ID,
      requested: money('CNY', 4_000_000n),
      status: 'PENDING',
      dispatchedAt: null,
      deadlineAt: null,
      holdUntil: null,
    }),
    instructionItem({
      kind: 'RELEASE',
      instructionId: RELEASE_ID,
      releasesInstructionId: INSTRUCTION_ID,
      disposition: 'RETURN_TO_VICTIM',
      requested: money('CNY', 1_000_000n),
      status: 'DISPATCHED',
    }),
    edgeToItem(CASE_ID, {
      fromInstructionId: INSTRUCTION_ID,
      transferIndex: 0,
      toInstructionId: FOLLOW_ON_ID,
      toBankId: 'B002',
      toAccount: '6228480011223344',
      amount: money('CNY', 4_000_000n),
      transferredAt: '2026-11-19T08:30:00Z',
      followed: true,
    }),
    edgeToItem(CASE_ID, {
      fromInstructionId: INSTRUCTION_ID,
      transferIndex: 1,
      toInstructionId: null,
      toBankId: 'B999',
      toAccount: '9999000011112222',
      amount: money('CNY', 3_000_000n),
      transferredAt: null,
      followed: false,
      reasonNotFollowed: 'BANK_NOT_INTEGRATED',
    }),
    { ...keys.confirmation(CASE_ID, 'B001', 'CONF-1'), type: 'BankConfirmation', requestHash: 'h' },
    caseItem(fraudCase({ caseId: OTHER_CASE_ID, agencyId: 'PSB-2' }), 1),
    caseTotalsItem(fraudCase({ caseId: OTHER_CASE_ID, agencyId: 'PSB-2' })),
  );
});

const get = (
  factory: typeof createGetCase | typeof createGetCaseTotals | typeof createGetCaseTrail,
  suffix: string,
  caseId = CASE_ID,
  who: Claims = claims.police,
) =>
  invoke(
    factory(testDeps().deps),
    httpEvent({ path: `/cases/${caseId}${suffix}`, pathParameters: { caseId }, claims: who }),
  );

const readers = [
  { name: 'GET /cases/{caseId}', factory: createGetCase, suffix: '' },
  { name: 'GET /cases/{caseId}/totals', factory: createGetCaseTotals, suffix: '/totals' },
  { name: 'GET /cases/{caseId}/trail', factory: createGetCaseTrail, suffix: '/trail' },
];

describe.each(readers)('$name: scope', ({ factory, suffix }) => {
  it('200 for police of the owning agency and for a regulator', async () => {
    expect((await get(factory, suffix)).status).toBe(200);
    expect((await get(factory, suffix, CASE_ID, claims.regulator)).status).toBe(200);
  });

  it('404 for another agency case, answered exactly like a case that does not exist', async () => {
    const other = expectProblem(await get(factory, suffix, OTHER_CASE_ID), 404);
    const missing = expectProblem(await get(factory, suffix, 'CNOSUCHCAS0'), 404);
    expect({ ...other, detail: '' }).toEqual({ ...missing, detail: '' });
    expect(other.detail).not.toContain('PSB-2');
  });

  it('404 for an id that is not an id, without a read', async () => {
    expectProblem(await get(factory, suffix, 'a b'), 404);
    expectProblem(await get(factory, suffix, 'x'.repeat(129)), 404);
    expect(table.ddb.calls()).toHaveLength(0);
  });
});

// Regression: HttpRequest.pathParam percent-decodes path parameters, and a malformed escape throws a
// URIError (500). The local server passes raw path segments, so `GET /cases/%E0%A4%A` answers 500.
it('a path id with a malformed percent-escape is a 404 (not a 500) on every case read', async () => {
  const statuses = [];
  for (const { factory, suffix } of readers) statuses.push((await get(factory, suffix, '%E0%A4%A')).status);
  expect(statuses).toEqual([404, 404, 404]);
});

describe('GET /cases/{caseId}', () => {
  it('answers the case with orders, instructions (docs/api.md fields), releases apart and totals, from one Query', async () => {
    const answer = await get(createGetCase, '');
    expect(answer.status).toBe(200);
    const body = answer.body;
    expect(body).toMatchObject({
      caseId: CASE_ID,
      agencyId: 'PSB-1',
      reference: 'REF-1',
      reportedLoss: { currency: 'CNY', minor: '50000000' },
    });
    expect(body.orders).toEqual([
      {
        orderId: ORDER_ID,
        legalBasis,
        holdHours: 48,
        submittedAt: '2026-11-20T09:00:00.000Z',
        instructionIds: [INSTRUCTION_ID, `${ORDER_ID}.2`],
      },
    ]);
    const ids = (body.instructions as { instructionId: string }[]).map((i) => i.instructionId).sort();
    expect(ids).toEqual([INSTRUCTION_ID, FOLLOW_ON_ID, `${ORDER_ID}.2`].sort());
    for (const i of body.instructions) {
      for (const field of [
        'instructionId',
        'bankId',
        'accountNumber',
        'hop',
        'parentInstructionId',
        'status',
        'requested',
        'frozen',
        'late',
        'dispatchedAt',
        'deadlineAt',
        'holdUntil',
        'confirmedAt',
        'escalatedAt',
      ]) {
        expect(i, field).toHaveProperty(field);
      }
    }
    const first = body.instructions.find(
      (i: { instructionId: string }) => i.instructionId === INSTRUCTION_ID,
    );
    expect(first).toMatchObject({
      status: 'PARTIALLY_FROZEN',
      hop: 1,
      parentInstructionId: null,
      requested: { currency: 'CNY', minor: '12000000' },
      frozen: { currency: 'CNY', minor: '5000000' },
      late: false,
      confirmedAt: '2026-11-20T09:10:00.000Z',
      escalatedAt: null,
    });
    const followOn = body.instructions.find(
      (i: { instructionId: string }) => i.instructionId === FOLLOW_ON_ID,
    );
    expect(followOn).toMatchObject({ hop: 2, parentInstructionId: INSTRUCTION_ID, dispatchedAt: null });
    expect(body.releases).toHaveLength(1);
    expect(body.releases[0]).toMatchObject({
      instructionId: RELEASE_ID,
      releasesInstructionId: INSTRUCTION_ID,
    });
    expect(body.escalations).toEqual([
      { instructionId: `${ORDER_ID}.2`, bankId: 'B003', escalatedAt: '2026-11-20T13:00:03.000Z' },
    ]);
    expect(body.banksNotIntegrated).toEqual([
      {
        bankId: 'B999',
        accountNumber: '9999000011112222',
        amount: { currency: 'CNY', minor: '3000000' },
        fromInstructionId: INSTRUCTION_ID,
        transferredAt: null,
      },
    ]);
    expect(body.totals).toMatchObject({ caseId: CASE_ID, maxHop: 2 });
    expect(table.ddb.commandCalls(QueryCommand)).toHaveLength(1);
    expect(table.ddb.commandCalls(QueryCommand)[0]?.args[0].input).toMatchObject({ ConsistentRead: true });
  });

  it('never returns task tokens, request hashes or audit internals', async () => {
    const text = (await get(createGetCase, '')).raw.body ?? '';
    expect(text).not.toContain('secret-task-token');
    expect(text).not.toContain('taskToken');
    expect(text).not.toContain('requestHash');
    expect(text).not.toContain('auditHead');
  });
});

describe('GET /cases/{caseId}/totals', () => {
  it('answers docs/api.md Totals from one GetItem: aligned currency lists, every status counted, maxHop', async () => {
    const answer = await get(createGetCaseTotals, '/totals');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      caseId: CASE_ID,
      reportedLoss: { currency: 'CNY', minor: '50000000' },
      frozen: [
        { currency: 'CNY', minor: '5000000' },
        { currency: 'USD', minor: '2500' },
      ],
      expired: [
        { currency: 'CNY', minor: '0' },
        { currency: 'USD', minor: '0' },
      ],
      released: [
        { currency: 'CNY', minor: '0' },
        { currency: 'USD', minor: '0' },
      ],
      restored: [
        { currency: 'CNY', minor: '1000000' },
        { currency: 'USD', minor: '0' },
      ],
      instructions: Object.fromEntries(
        instructionStatuses.map((s) => [s, s === 'PARTIALLY_FROZEN' || s === 'OVERDUE' ? 1 : 0]),
      ),
      maxHop: 2,
      updatedAt: '2026-11-20T09:30:00.000Z',
    });
    expect(table.ddb.commandCalls(GetCommand)).toHaveLength(1);
    expect(table.ddb.commandCalls(GetCommand)[0]?.args[0].input).toMatchObject({
      Key: keys.caseTotals(CASE_ID),
      ConsistentRead: true,
    });
    expect(table.ddb.commandCalls(QueryCommand)).toHaveLength(0);
  });

  it('counters past 2^53 (read back as bigint) are exact digit strings', async () => {
    table.put(caseTotalsItem(fraudCase(), { amt_frozen_CNY: 999_999_999_999_999_999n }));
    const answer = await get(createGetCaseTotals, '/totals');
    expect(answer.body.frozen).toEqual([{ currency: 'CNY', minor: '999999999999999999' }]);
  });

  it('a new case: zero in the reported currency, maxHop 0', async () => {
    table.put(caseTotalsItem(fraudCase()));
    const answer = await get(createGetCaseTotals, '/totals');
    expect(answer.body).toMatchObject({
      frozen: [{ currency: 'CNY', minor: '0' }],
      expired: [{ currency: 'CNY', minor: '0' }],
      maxHop: 0,
    });
  });
});

describe('GET /cases/{caseId}/trail', () => {
  it('nodes are the freeze instructions, edges every reported transfer, followed or not and why', async () => {
    const answer = await get(createGetCaseTrail, '/trail');
    expect(answer.status).toBe(200);
    const nodes = answer.body.nodes as { instructionId: string }[];
    expect(nodes.map((n) => n.instructionId).sort()).toEqual(
      [INSTRUCTION_ID, FOLLOW_ON_ID, `${ORDER_ID}.2`].sort(),
    );
    expect(nodes.find((n) => n.instructionId === FOLLOW_ON_ID)).toEqual({
      instructionId: FOLLOW_ON_ID,
      bankId: 'B002',
      accountNumber: '6228480011223344',
      hop: 2,
      parentInstructionId: INSTRUCTION_ID,
      status: 'PENDING',
      requested: { currency: 'CNY', minor: '4000000' },
      frozen: { currency: 'CNY', minor: '0' },
    });
    expect(answer.body.edges).toEqual([
      {
        fromInstructionId: INSTRUCTION_ID,
        toInstructionId: FOLLOW_ON_ID,
        toBankId: 'B002',
        toAccount: '6228480011223344',
        amount: { currency: 'CNY', minor: '4000000' },
        transferredAt: '2026-11-19T08:30:00Z',
        followed: true,
      },
      {
        fromInstructionId: INSTRUCTION_ID,
        toInstructionId: null,
        toBankId: 'B999',
        toAccount: '9999000011112222',
        amount: { currency: 'CNY', minor: '3000000' },
        transferredAt: null,
        followed: false,
        reasonNotFollowed: 'BANK_NOT_INTEGRATED',
      },
    ]);
  });
});
