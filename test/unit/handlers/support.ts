/**
 * Shared fixtures of the handler unit tests: API Gateway v2 events, a fake Lambda context, the
 * Dependencies with a mocked DynamoDB document client (aws-sdk-client-mock), stubs of the workflow
 * client and the bank connector, and items built with the codec the repository writes with.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type {
  APIGatewayProxyEventV2WithJWTAuthorizer,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { expect, vi } from 'vitest';
import type { BankConnector } from '../../../functions/adapters/bank-connector.ts';
import type { Dependencies } from '../../../functions/adapters/dependencies.ts';
import {
  bankToItem,
  caseToItem,
  type Item,
  instructionToItem,
} from '../../../functions/adapters/dynamo/codec.ts';
import { documentClient } from '../../../functions/adapters/dynamo/db.ts';
import { requestHash } from '../../../functions/adapters/dynamo/idempotency.ts';
import { keys } from '../../../functions/adapters/keys.ts';
import { MemorySecretStore } from '../../../functions/adapters/secret-store.ts';
import type { WorkflowClient } from '../../../functions/adapters/workflow-client.ts';
import type {
  BankDirectoryEntry,
  FraudCase,
  StopPaymentInstruction,
} from '../../../functions/domain/entities.ts';
import { money } from '../../../functions/domain/money.ts';

export const TABLE = 'freezeflow-test';
export const NOW = new Date('2026-11-20T10:00:00.000Z');

// ---------------------------------------------------------------- claims and events

export type Claims = Record<string, string | number | boolean | string[]>;

export const claims = {
  police: { sub: 'u1', role: 'police', agencyId: 'PSB-1' },
  otherPolice: { sub: 'u9', role: 'police', agencyId: 'PSB-2' },
  bank: { sub: 'ops1', role: 'bank', bankId: 'B001' },
  otherBank: { sub: 'ops2', role: 'bank', bankId: 'B002' },
  regulator: { sub: 'r1', role: 'regulator' },
  admin: { sub: 'a1', role: 'admin' },
} satisfies Record<string, Claims>;

export type HttpEvent = APIGatewayProxyEventV2WithJWTAuthorizer;

export interface EventOptions {
  method?: string;
  path?: string;
  pathParameters?: Record<string, string>;
  /** Omitted or null: no authorizer at all (no token). */
  claims?: Claims | null;
  /** A string is sent as is; anything else is JSON-encoded. */
  body?: unknown;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  isBase64Encoded?: boolean;
}

/** An API Gateway HTTP API (v2) event as the JWT authorizer (or the local server) hands it over. */
export function httpEvent(options: EventOptions = {}): HttpEvent {
  const method = options.method ?? 'GET';
  const path = options.path ?? '/';
  const body =
    options.body === undefined
      ? undefined
      : typeof options.body === 'string'
        ? options.body
        : JSON.stringify(options.body);
  const event: HttpEvent = {
    version: '2.0',
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: new URLSearchParams(options.query ?? {}).toString(),
    headers: { 'content-type': 'application/json', ...(options.headers ?? {}) },
    queryStringParameters: options.query,
    pathParameters: options.pathParameters,
    body,
    isBase64Encoded: options.isBase64Encoded ?? false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'unit',
      domainName: 'unit.test',
      domainPrefix: 'unit',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'vitest' },
      requestId: 'req-1',
      routeKey: `${method} ${path}`,
      stage: '$default',
      time: NOW.toISOString(),
      timeEpoch: NOW.getTime(),
      authorizer: {
        principalId: '',
        integrationLatency: 0,
        jwt: { claims: options.claims ?? {}, scopes: [] },
      },
    },
  };
  if (!options.claims) delete (event.requestContext as { authorizer?: unknown }).authorizer;
  return event;
}

/** The smallest Lambda context middy is happy with. */
export function fakeContext(): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'unit-test',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:unit-test',
    memoryLimitInMB: '256',
    awsRequestId: 'aws-req-1',
    logGroupName: '/aws/lambda/unit-test',
    logStreamName: 'unit',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export type HttpResult = APIGatewayProxyStructuredResultV2;
type HttpLambda = (event: HttpEvent, context: Context) => Promise<HttpResult>;

export interface Answer {
  status: number;
  headers: Record<string, string | number | boolean>;
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field in the tests
  body: any;
  raw: HttpResult;
}

/** Invokes an HTTP handler and parses its JSON body. */
export async function invoke(handler: HttpLambda, event: HttpEvent): Promise<Answer> {
  const raw = await handler(event, fakeContext());
  return {
    status: raw.statusCode ?? 200,
    headers: raw.headers ?? {},
    body: raw.body ? JSON.parse(raw.body) : undefined,
    raw,
  };
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: { path: string; message: string }[];
  /** 409s name the rule that refused (a freezeflow extension member). */
  rule?: string;
}

/** Asserts an RFC 9457 problem answer of `status` and returns its body. */
export function expectProblem(answer: Answer, status: number): Problem {
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  expect(answer.headers['content-type']).toBe('application/problem+json');
  const body = answer.body as Problem;
  expect(body).toMatchObject({
    type: expect.any(String),
    title: expect.any(String),
    status,
    detail: expect.any(String),
  });
  expect(
    Object.keys(body).every((k) => ['type', 'title', 'status', 'detail', 'errors', 'rule'].includes(k)),
  ).toBe(true);
  if (body.errors !== undefined) {
    for (const e of body.errors) expect(e).toEqual({ path: expect.any(String), message: expect.any(String) });
  }
  return body;
}

/** The distinct paths a 422 names, sorted (a field may carry several messages). */
export function errorPaths(problem: Problem): string[] {
  return [...new Set((problem.errors ?? []).map((e) => e.path))].sort();
}

// ---------------------------------------------------------------- DynamoDB mock

export type DdbMock = AwsClientStub<DynamoDBDocumentClient>;

const keyOf = (key: Record<string, unknown>) => `${String(key.PK)}|${String(key.SK)}`;

/**
 * The mocked document client plus a little item store behind GetItem, BatchGetItem and Query
 * (writes are recorded by the mock, never applied: tests assert on the commands sent).
 */
export class FakeTable {
  readonly ddb: DdbMock = mockClient(DynamoDBDocumentClient);
  readonly items = new Map<string, Item>();

  /** Clears items and history and installs the default behaviours (call in beforeEach). */
  reset(): this {
    this.items.clear();
    this.ddb.reset();
    this.ddb.on(GetCommand).callsFake((input: { Key: Record<string, unknown> }) => {
      const item = this.items.get(keyOf(input.Key));
      return item ? { Item: item } : {};
    });
    this.ddb
      .on(BatchGetCommand)
      .callsFake((input: { RequestItems: Record<string, { Keys: Record<string, unknown>[] }> }) => ({
        Responses: Object.fromEntries(
          Object.entries(input.RequestItems).map(([table, request]) => [
            table,
            request.Keys.flatMap((k) => {
              const item = this.items.get(keyOf(k));
              return item ? [item] : [];
            }),
          ]),
        ),
      }));
    this.ddb.on(QueryCommand).callsFake((input: QueryInput) => ({ Items: this.query(input) }));
    this.ddb.on(TransactWriteCommand).resolves({});
    this.ddb.on(UpdateCommand).resolves({});
    this.ddb.on(PutCommand).resolves({});
    this.ddb.on(DeleteCommand).resolves({});
    return this;
  }

  put(...items: Item[]): this {
    for (const item of items) this.items.set(keyOf(item), item);
    return this;
  }

  /** `PK = :pk [AND begins_with(SK, :prefix)]` on the table, `GSI1PK|GSI2PK = :pk` on the inbox indexes. */
  private query(input: QueryInput): Item[] {
    const values = input.ExpressionAttributeValues ?? {};
    const pkName = /^(\w+) = :pk/.exec(input.KeyConditionExpression)?.[1] ?? 'PK';
    const prefixValue = Object.entries(values).find(([name]) => name !== ':pk')?.[1];
    const skName = pkName === 'PK' ? 'SK' : pkName.replace('PK', 'SK');
    return [...this.items.values()]
      .filter((item) => item[pkName] === values[':pk'])
      .filter((item) => typeof prefixValue !== 'string' || String(item[skName]).startsWith(prefixValue))
      .sort((a, b) => String(a[skName]).localeCompare(String(b[skName])));
  }

  /** Every write command sent, of any kind. */
  writes(): unknown[] {
    return [
      ...this.ddb.commandCalls(TransactWriteCommand),
      ...this.ddb.commandCalls(PutCommand),
      ...this.ddb.commandCalls(UpdateCommand),
      ...this.ddb.commandCalls(DeleteCommand),
      ...this.ddb.commandCalls(BatchWriteCommand),
    ];
  }

  /** The TransactItems of the n-th TransactWriteItems sent (0-based). */
  transactItems(n = 0): TransactItem[] {
    const call = this.ddb.commandCalls(TransactWriteCommand)[n];
    if (!call) throw new Error(`no TransactWriteCommand #${n}`);
    return (call.args[0].input.TransactItems ?? []) as TransactItem[];
  }
}

interface QueryInput {
  KeyConditionExpression: string;
  ExpressionAttributeValues?: Record<string, unknown>;
}

export interface TransactItem {
  Put?: { Item: Item; ConditionExpression?: string; ExpressionAttributeValues?: Record<string, unknown> };
  Update?: {
    Key: Record<string, unknown>;
    UpdateExpression: string;
    ConditionExpression?: string;
    ExpressionAttributeNames?: Record<string, string>;
    ExpressionAttributeValues?: Record<string, unknown>;
  };
}

type ItemKey = { PK: string; SK: string };
type TxUpdate = NonNullable<TransactItem['Update']>;
type TxPut = NonNullable<TransactItem['Put']>;

/**
 * The Update ops of a transaction whose key matches (found by key, not position: the ops of a
 * change may grow, e.g. a new counter, without the tests depending on their order).
 */
export function updatesWhere(items: TransactItem[], match: (key: ItemKey) => boolean): TxUpdate[] {
  return items.flatMap((i) => (i.Update && match(i.Update.Key as ItemKey) ? [i.Update] : []));
}

/** The one Update whose key matches (fails the test when there is none or several). */
export function updateWhere(items: TransactItem[], match: (key: ItemKey) => boolean): TxUpdate {
  const found = updatesWhere(items, match);
  expect(found, 'exactly one matching Update').toHaveLength(1);
  return found[0]!;
}

/** The Put ops of a transaction whose item has `type`. */
export function putsOfType(items: TransactItem[], type: string): TxPut[] {
  return items.flatMap((i) => (i.Put && i.Put.Item.type === type ? [i.Put] : []));
}

/** The one Put of `type` (fails the test when there is none or several). */
export function putOfType(items: TransactItem[], type: string): TxPut {
  const found = putsOfType(items, type);
  expect(found, `exactly one ${type} Put`).toHaveLength(1);
  return found[0]!;
}

export const isInstructionKey = (key: ItemKey) => key.SK.startsWith('INSTR#');
export const isCaseTotalsKey = (key: ItemKey) => key.SK === '#TOTALS';
export const isCaseHeadKey = (key: ItemKey) => key.SK === '#CASE';
export const isBankDayKey = (key: ItemKey) => key.PK.startsWith('DAY#');

/** Attribute name -> value of a SET/ADD update, resolving `#name`/`:value` placeholders. */
export function updatedAttributes(update: NonNullable<TransactItem['Update']>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const names = update.ExpressionAttributeNames ?? {};
  const values = update.ExpressionAttributeValues ?? {};
  for (const m of update.UpdateExpression.matchAll(/(#\w+)\s*=?\s*(:\w+)/g)) {
    const name = names[m[1]!] ?? m[1]!;
    out[name] = values[m[2]!];
  }
  return out;
}

// ---------------------------------------------------------------- dependencies

export interface TestDeps {
  deps: Dependencies;
  workflow: { [K in keyof WorkflowClient]: ReturnType<typeof vi.fn<WorkflowClient[K]>> };
  connector: { push: ReturnType<typeof vi.fn<BankConnector['push']>> };
  /** The signing secrets store (in memory; `bank()` points at `BANK_SECRET_REF`, preloaded). */
  secrets: MemorySecretStore;
}

export const BANK_SECRET = '0123456789abcdef-secret';
export const BANK_SECRET_REF = 'memory:B001';

export function testDeps(overrides: Partial<Dependencies> = {}): TestDeps {
  const doc = documentClient(
    new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }),
  );
  const workflow = {
    startExecution: vi.fn<WorkflowClient['startExecution']>(async () => undefined),
    sendTaskSuccess: vi.fn<WorkflowClient['sendTaskSuccess']>(async () => undefined),
    sendTaskFailure: vi.fn<WorkflowClient['sendTaskFailure']>(async () => undefined),
  };
  const connector = { push: vi.fn<BankConnector['push']>(async () => undefined) };
  const secrets = new MemorySecretStore();
  secrets.values.set(BANK_SECRET_REF, [BANK_SECRET]);
  const deps: Dependencies = {
    db: { doc, table: TABLE },
    workflow,
    connector,
    secrets,
    now: () => new Date(NOW),
    allowLoopbackHttp: false,
    hopLimit: 6,
    apiBaseUrl: 'https://api.freezeflow.test',
    events: { publish: vi.fn(async () => undefined) },
    ...overrides,
  };
  return {
    deps,
    workflow,
    connector,
    secrets: deps.secrets instanceof MemorySecretStore ? deps.secrets : secrets,
  };
}

// ---------------------------------------------------------------- entities and items

export const CASE_ID = 'CTESTCASE01';
export const OTHER_CASE_ID = 'COTHERCASE2';
export const ORDER_ID = `${CASE_ID}.OORDER1`;
export const INSTRUCTION_ID = `${ORDER_ID}.1`;
export const AUDIT_HEAD = 'ab'.repeat(32);

export const legalBasis = {
  kind: 'Criminal Procedure Law art. 144',
  reference: 'PSB-1/2026/77',
  issuedBy: 'Inspector Li',
  issuedAt: '2026-11-20T09:00:00Z',
};

export function fraudCase(overrides: Partial<FraudCase> = {}): FraudCase {
  return {
    caseId: CASE_ID,
    agencyId: 'PSB-1',
    reference: 'REF-1',
    reportedLoss: money('CNY', 50_000_000n),
    reportedAt: '2026-11-19T08:00:00Z',
    openedAt: '2026-11-19T09:00:00.000Z',
    openedBy: 'police:PSB-1:u1',
    ...overrides,
  };
}

/** A case item as openCase leaves it after `auditSeq` audit events. */
export function caseItem(c: FraudCase = fraudCase(), auditSeq = 3): Item {
  return { ...caseToItem(c), auditSeq, auditHead: AUDIT_HEAD };
}

export function caseTotalsItem(
  c: FraudCase = fraudCase(),
  counters: Record<string, number | bigint> = {},
): Item {
  return {
    ...keys.caseTotals(c.caseId),
    type: 'CaseTotals',
    caseId: c.caseId,
    agencyId: c.agencyId,
    reportedLoss: { currency: c.reportedLoss.currency, minor: c.reportedLoss.minor.toString() },
    updatedAt: '2026-11-20T09:30:00.000Z',
    ...counters,
  };
}

export function instruction(overrides: Partial<StopPaymentInstruction> = {}): StopPaymentInstruction {
  const currency = overrides.requested?.currency ?? 'CNY';
  // Hold bookkeeping of the release/expiry work (spread, so the fixture compiles with or without it).
  const holdBook = { released: money(currency, 0n), releasePending: 0n, expired: money(currency, 0n) };
  const base: Omit<StopPaymentInstruction, keyof typeof holdBook> = {
    kind: 'FREEZE',
    caseId: CASE_ID,
    agencyId: 'PSB-1',
    orderId: ORDER_ID,
    instructionId: INSTRUCTION_ID,
    bankId: 'B001',
    accountNumber: '6222020200112233',
    accountName: 'Zhang San',
    requested: money('CNY', 12_000_000n),
    hop: 1,
    parentInstructionId: null,
    status: 'DISPATCHED',
    legalBasis,
    holdHours: 48,
    frozen: money(currency, 0n),
    cashWithdrawn: money(currency, 0n),
    late: false,
    createdAt: '2026-11-20T09:00:00.000Z',
    dispatchedAt: '2026-11-20T09:00:01.000Z',
    deadlineAt: '2026-11-20T11:00:01.000Z',
    holdUntil: '2026-11-22T09:00:01.000Z',
    confirmedAt: null,
    escalatedAt: null,
    overdueAt: null,
    reminderDeadlineAt: null,
    deliveryStartedAt: '2026-11-20T09:00:01.000Z',
    deliveryAttempts: 1,
    nextAttemptAt: null,
    redeliverUntil: null,
    lastDeliveryError: null,
    remindedAt: null,
    dispatchFailedAt: null,
    expiredAt: null,
    pendingNotice: null,
    followPending: false,
    trailResolvedAt: null,
  };
  return { ...holdBook, ...base, ...overrides };
}

export function instructionItem(overrides: Partial<StopPaymentInstruction> = {}, extra: Item = {}): Item {
  return { ...instructionToItem(instruction(overrides)), ...extra };
}

export function bank(overrides: Partial<BankDirectoryEntry> = {}): BankDirectoryEntry {
  return {
    bankId: 'B001',
    name: 'First Bank',
    mode: 'push',
    endpoint: 'https://bank.example/freezeflow',
    slaSeconds: 7200,
    signingSecretRef: BANK_SECRET_REF,
    signingSecretsValid: 1,
    registeredAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}

export const bankItem = (overrides: Partial<BankDirectoryEntry> = {}): Item => bankToItem(bank(overrides));

/** A completed Idempotency-Key record, as idempotencyCompleteOp writes it. */
export function idempotencyItem(
  callerScope: string,
  key: string,
  rawBody: unknown,
  response: { statusCode: number; body: unknown },
  /** The request's path: a key stands for this path and body (functions/http/idempotent.ts). */
  path: string,
): Item {
  return {
    ...keys.idempotency(callerScope, key),
    type: 'IdempotencyRecord',
    requestHash: requestHash({ path, body: rawBody }),
    state: 'COMPLETE',
    response,
    expiresAt: Math.floor(Date.now() / 1000) + 3600,
  };
}
