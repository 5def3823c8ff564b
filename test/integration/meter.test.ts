import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CostModelResult, runCostModel } from '../../bench/cost-model.ts';
import {
  billedQuantities,
  type LambdaConfig,
  loadPrices,
  type PriceTable,
  priceUsage,
  scaleCost,
} from '../../bench/pricing.ts';
import { documentClient } from '../../functions/adapters/dynamo/db.ts';
import { DEV_JWT_SECRET } from '../../local/dev-jwt.ts';
import { localClientConfig } from '../../local/dynamo-local.ts';
import { Meter, type MeterSnapshot, meterDynamoClient } from '../../local/meter.ts';
import { type SimulatedBanks, startSimulatedBanks } from '../../local/simulated-banks.ts';
import { useDynamoLocal } from '../support/dynamo.ts';
import { useLocalSystem } from '../support/local-system.ts';

/** Figure (f)'s meter, counted by a real run: one order of 2 accounts through its whole lifecycle. */
const meter = new Meter();
const local = useLocalSystem({ meter });
const dynamo = useDynamoLocal();
let banks: SimulatedBanks;

beforeAll(async () => {
  banks = await startSimulatedBanks({
    jwtSecret: DEV_JWT_SECRET,
    banks: [
      {
        bankId: 'MB',
        name: 'Metered bank',
        signingSecret: 'meter-secret-0123456789abcdef',
        slaSeconds: 600,
        accounts: {},
        defaultScript: { result: 'ACTIONED', frozen: 'ALL', delayMs: 0 },
      },
    ],
  });
  const registered = await local.api.request('PUT', '/banks/MB', {
    as: { role: 'admin' },
    body: {
      name: 'Metered bank',
      mode: 'push',
      endpoint: banks.endpoint('MB'),
      slaSeconds: 600,
      signingSecret: 'meter-secret-0123456789abcdef',
    },
  });
  expect(registered.status).toBeLessThan(300);
});

afterAll(async () => {
  await banks?.stop();
});

describe('meter on the local system', () => {
  let result: CostModelResult;

  it('counts one order of 2 accounts: transitions, invocations, request units, API requests', async () => {
    result = await runCostModel({
      api: local.api,
      system: local.system,
      banks,
      bankIds: ['MB'],
      sizes: [2],
      holdHours: 0.0003, // ~1 s: the hold timers expire the holds within the test
      warmUp: false,
    });
    const [order] = result.orders;
    expect(order?.k).toBe(2);
    const o = order!;
    // Per workflow, every state entered: Map + 2 iterations + Summarize + OrderDone; Dispatch,
    // DeliveryOutcome, IsAwaiting, Await, Done per instruction; CheckHold, Choice, Wait, CheckHold,
    // Choice, HoldDone per hold timer.
    expect(o.workflows).toEqual({
      freezeOrder: { executions: 1, transitions: 5, retries: 0 },
      stopPaymentInstruction: { executions: 2, transitions: 10, retries: 0 },
      holdTimer: { executions: 2, transitions: 12, retries: 0 },
    });
    expect(o.lambda['dispatch-instruction']?.invocations).toBe(2);
    expect(o.lambda['register-task-token']?.invocations).toBe(2);
    expect(o.lambda['record-confirmation']?.invocations).toBe(2);
    expect(o.lambda['check-hold']?.invocations).toBe(4);
    expect(o.lambda['submit-freeze-order']?.invocations).toBe(1);
    expect(o.lambda['follow-the-money']?.invocations).toBeGreaterThanOrEqual(1);
    expect(o.lambda['follow-the-money']?.invocations).toBeLessThanOrEqual(2);
    expect(o.apiRequests).toEqual({ submitFreezeOrder: 1, recordConfirmation: 2 });
    expect(o.bankPushes).toBe(4); // FREEZE and EXPIRED, each instruction
    expect(o.quantities.writeRequestUnits).toBeGreaterThan(0);
    expect(o.quantities.readRequestUnits).toBeGreaterThan(0);
    expect(o.dynamo.TransactWriteItems?.writeUnits).toBeGreaterThan(0);
    expect(o.quantities.lambdaGbSeconds).toBeGreaterThan(0);
    expect(o.quantities.secretsManagerCalls).toBeGreaterThan(0);
    expect(o.usdPer1000Instructions.total).toBeGreaterThan(0);
    expect(o.usdPer1000Instructions.total).toBeCloseTo(o.usdPerOrder.total * 500, 12);
    // open-case, and the audit sequencer chaining its entry (once more if the bank registered just
    // before is chained in the same window).
    expect(result.openCase.quantities.lambdaRequests).toBeGreaterThanOrEqual(2);
    expect(result.openCase.quantities.lambdaRequests).toBeLessThanOrEqual(3);
    expect(result.openCase.quantities.apiRequests).toBe(1);
  });

  it('DynamoDB Local returns ConsumedCapacity (transactions 2x, GSIs included) and the middleware sums it', async () => {
    const table = await dynamo.freshTable();
    const own = new Meter();
    const client = new DynamoDBClient(localClientConfig(dynamo.endpoint));
    meterDynamoClient(client, own);
    const doc = documentClient(client);
    try {
      await doc.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: table, Item: { PK: 'M#1', SK: 'A' } } },
            // 1 KB item with both GSI keys: 1 WRU for the table + 1 per GSI, x2 for the transaction.
            {
              Put: {
                TableName: table,
                Item: { PK: 'M#1', SK: 'B', GSI1PK: 'g', GSI1SK: 'g', GSI2PK: 'h', GSI2SK: 'h' },
              },
            },
          ],
        }),
      );
      await doc.send(new GetCommand({ TableName: table, Key: { PK: 'M#1', SK: 'A' }, ConsistentRead: true }));
      await doc.send(new GetCommand({ TableName: table, Key: { PK: 'M#1', SK: 'A' } }));
      // The local secret store's items are Secrets Manager calls in AWS: not DynamoDB units.
      await doc.send(new GetCommand({ TableName: table, Key: { PK: 'SECRET#X', SK: '#SIGNING' } }));
      await expect(
        doc.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: table,
                  Item: { PK: 'M#1', SK: 'A' },
                  ConditionExpression: 'attribute_not_exists(PK)',
                },
              },
            ],
          }),
        ),
      ).rejects.toThrow();
      const s = own.snapshot();
      expect(s.dynamo.TransactWriteItems).toEqual({
        calls: 2,
        readUnits: 0,
        writeUnits: 2 * (1 + 3) + 2, // the cancelled one estimated: 2 WRU per item
        estimatedCalls: 1,
        estimatedUnits: 2,
      });
      expect(s.dynamo.GetItem).toEqual({
        calls: 2,
        readUnits: 1.5,
        writeUnits: 0,
        estimatedCalls: 0,
        estimatedUnits: 0,
      });
    } finally {
      client.destroy();
    }
  });
});

describe('price arithmetic', () => {
  const prices: PriceTable = {
    asOf: '2026-11-23',
    note: 'test',
    region: 'us-east-1',
    stepFunctions: { standardPerStateTransition: 0.000025, source: '' },
    lambda: {
      perRequest: 0.0000002,
      perGbSecond: { x86_64: 0.0000166667, arm64: 0.0000133334 },
      billingGranularityMs: 1,
      source: '',
    },
    dynamodb: { perWriteRequestUnit: 0.000000625, perReadRequestUnit: 0.000000125, source: '' },
    apiGatewayHttpApi: { perRequest: 0.000001, source: '' },
    eventBridge: { perCustomEvent: 0.000001, source: '' },
    secretsManager: { perApiCall: 0.000005, source: '' },
  };
  const config: LambdaConfig = { memoryMb: (fn) => (fn === 'big' ? 1024 : 512), architecture: 'x86_64' };
  const usage: MeterSnapshot = {
    workflows: {
      a: { executions: 1, transitions: 30, retries: 0 },
      b: { executions: 2, transitions: 10, retries: 1 },
    },
    lambda: {
      small: { invocations: 3, totalMs: 2999.5, billedMs: 3000, durationsMs: [] },
      big: { invocations: 1, totalMs: 999.2, billedMs: 1000, durationsMs: [] },
    },
    dynamo: {
      PutItem: { calls: 4, readUnits: 0, writeUnits: 16, estimatedCalls: 0, estimatedUnits: 0 },
      GetItem: { calls: 8, readUnits: 8, writeUnits: 0, estimatedCalls: 0, estimatedUnits: 0 },
    },
    apiRequests: { submitFreezeOrder: 1, recordConfirmation: 3 },
    eventsPublished: 2,
    bankPushes: 6,
    secretsManagerCalls: 2,
  };

  it('prices a hand-made usage exactly', () => {
    const q = billedQuantities(usage, config);
    // 3 s x 0.5 GB + 1 s x 1 GB = 2.5 GB-s
    expect(q).toEqual({
      stateTransitions: 40,
      lambdaRequests: 4,
      lambdaGbSeconds: 2.5,
      writeRequestUnits: 16,
      readRequestUnits: 8,
      apiRequests: 4,
      events: 2,
      secretsManagerCalls: 2,
    });
    const c = priceUsage(usage, prices, config);
    const exact = {
      stepFunctions: 0.001, // 40 x 0.025 / 1000
      lambdaRequests: 0.0000008,
      lambdaDuration: 0.00004166675, // 2.5 x 0.0000166667
      dynamodbWrites: 0.00001, // 16 x 0.625 / 1e6
      dynamodbReads: 0.000001,
      apiGateway: 0.000004,
      eventBridge: 0.000002,
      secretsManager: 0.00001,
    };
    for (const [k, v] of Object.entries(exact)) expect(c[k as keyof typeof c]).toBeCloseTo(v, 15);
    expect(c.lambda).toBeCloseTo(0.00004246675, 15);
    expect(c.dynamodb).toBeCloseTo(0.000011, 15);
    expect(c.total).toBeCloseTo(0.00106946675, 15);
    // Per 1,000 instructions of an order of 4.
    expect(scaleCost(c, 1000 / 4).total).toBeCloseTo(0.2673666875, 12);
    // arm64 duration rate
    expect(priceUsage(usage, prices, { ...config, architecture: 'arm64' }).lambdaDuration).toBeCloseTo(
      0.0000333335,
      15,
    );
  });

  it('the repo price table has a date, sources and the list prices', () => {
    const p = loadPrices();
    expect(p.asOf).toBe('2026-11-23');
    expect(p.stepFunctions.standardPerStateTransition * 1000).toBeCloseTo(0.025, 12);
    expect(p.dynamodb.perWriteRequestUnit * 1e6).toBeCloseTo(0.625, 12);
    expect(p.dynamodb.perReadRequestUnit * 1e6).toBeCloseTo(0.125, 12);
    expect(p.lambda.perRequest * 1e6).toBeCloseTo(0.2, 12);
    expect(p.lambda.perGbSecond.x86_64).toBe(0.0000166667);
    expect(p.apiGatewayHttpApi.perRequest * 1e6).toBeCloseTo(1, 12);
    expect(p.eventBridge.perCustomEvent * 1e6).toBeCloseTo(1, 12);
    expect(p.secretsManager.perApiCall * 1e4).toBeCloseTo(0.05, 12);
    for (const s of [
      p.stepFunctions,
      p.lambda,
      p.dynamodb,
      p.apiGatewayHttpApi,
      p.eventBridge,
      p.secretsManager,
    ])
      expect(s.source).toMatch(/^https:\/\/aws\.amazon\.com\//);
  });
});
