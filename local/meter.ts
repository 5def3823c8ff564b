import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/**
 * Usage metering of the local runtime, for the benchmark's cost model (bench/cost-model.ts): what the
 * same work would be billed for in AWS, counted as the local system runs it (never estimated by hand).
 *
 * Off by default: `startLocalSystem({ meter })` wires it in (handlers, workflow engine, DynamoDB client,
 * event bus, bank connector, secret store); without a meter nothing is wrapped and nothing is counted.
 *
 * Counted:
 * - Step Functions: state transitions per workflow (every state entered, Map iterations' inner states
 *   included, plus every retry), and executions started;
 * - Lambda: invocations and handler durations per function (its folder under functions/). The table's
 *   stream consumer is counted as AWS invokes it: only for records passing the event source mapping's
 *   filter, one invocation per batch of up to its batch size;
 * - DynamoDB: read and write request units per operation, from the ConsumedCapacity DynamoDB (Local)
 *   returns; the few failed conditional writes, which return none, by the documented rules (estimated);
 * - API Gateway HTTP API requests, EventBridge events published (64 KB chunks), bank pushes, and the
 *   signing-secret reads/writes (Secrets Manager API calls in AWS).
 */

/** Lambda: one function's invocations and handler durations (ms). */
export interface LambdaUsage {
  invocations: number;
  /** Sum of the measured handler durations. */
  totalMs: number;
  /** Sum of the durations as Lambda bills them: each rounded up to the next 1 ms. */
  billedMs: number;
  /** Every measured duration, in the order they ended. */
  durationsMs: number[];
}

/** DynamoDB: one operation's calls and consumed request units. */
export interface DynamoUsage {
  calls: number;
  readUnits: number;
  writeUnits: number;
  /** Calls that failed (condition check, cancelled transaction) and whose units are estimated. */
  estimatedCalls: number;
  /** The read + write units of those calls (included in readUnits / writeUnits). */
  estimatedUnits: number;
}

export interface MeterSnapshot {
  /** Step Functions, per workflow. */
  workflows: Record<string, { executions: number; transitions: number; retries: number }>;
  /** Lambda, per function folder. */
  lambda: Record<string, LambdaUsage>;
  /** DynamoDB, per operation (`GetItem`, `TransactWriteItems`, ...). */
  dynamo: Record<string, DynamoUsage>;
  /** API Gateway HTTP API requests, per route id. */
  apiRequests: Record<string, number>;
  /** EventBridge PutEvents entries, in 64 KB chunks as billed. */
  eventsPublished: number;
  /** Pushes to banks' webhooks (data transfer out in AWS, not priced here). */
  bankPushes: number;
  /** Secrets Manager API calls (GetSecretValue / PutSecretValue in AWS; every read counted, no cache). */
  secretsManagerCalls: number;
}

const emptySnapshot = (): MeterSnapshot => ({
  workflows: {},
  lambda: {},
  dynamo: {},
  apiRequests: {},
  eventsPublished: 0,
  bankPushes: 0,
  secretsManagerCalls: 0,
});

/** The stream consumer's event source mapping: batch size (infra/constructs/functions.ts). */
export const STREAM_BATCH_SIZE = 10;

export class Meter {
  private data: MeterSnapshot = emptySnapshot();
  /** Bumped on every count: `quiet()` waits until it stops moving. */
  private activity = 0;

  /** Forgets everything counted so far. */
  reset(): void {
    this.data = emptySnapshot();
  }

  /** A deep copy of what has been counted since the last reset (JSON-able). */
  snapshot(): MeterSnapshot {
    return structuredClone(this.data);
  }

  /** Resolves once nothing has been counted for `quietMs` (at most `timeoutMs`). */
  async quiet(quietMs = 150, timeoutMs = 10_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    let seen = this.activity;
    for (;;) {
      await new Promise((r) => setTimeout(r, quietMs));
      if (this.activity === seen || Date.now() > end) return;
      seen = this.activity;
    }
  }

  executionStarted(workflow: string): void {
    this.workflow(workflow).executions += 1;
    this.activity++;
  }

  /** One billed state transition: a state entered, or a retry of it. */
  stateTransition(workflow: string, retry = false): void {
    const w = this.workflow(workflow);
    w.transitions += 1;
    if (retry) w.retries += 1;
    this.activity++;
  }

  lambdaInvocation(fn: string, durationMs: number, invocations = 1): void {
    const l = this.data.lambda[fn] ?? { invocations: 0, totalMs: 0, billedMs: 0, durationsMs: [] };
    this.data.lambda[fn] = l;
    l.invocations += invocations;
    l.totalMs += durationMs;
    // Several invocations sharing one measured call (stream batches split by the batch size): each
    // gets an equal share, billed rounded up on its own.
    const share = durationMs / invocations;
    for (let i = 0; i < invocations; i++) {
      l.billedMs += Math.max(1, Math.ceil(share));
      l.durationsMs.push(share);
    }
    this.activity++;
  }

  dynamoCall(operation: string, units: { read: number; write: number }, estimated = false): void {
    const d = this.data.dynamo[operation] ?? {
      calls: 0,
      readUnits: 0,
      writeUnits: 0,
      estimatedCalls: 0,
      estimatedUnits: 0,
    };
    this.data.dynamo[operation] = d;
    d.calls += 1;
    d.readUnits += units.read;
    d.writeUnits += units.write;
    if (estimated) {
      d.estimatedCalls += 1;
      d.estimatedUnits += units.read + units.write;
    }
    this.activity++;
  }

  apiRequest(routeId: string): void {
    this.data.apiRequests[routeId] = (this.data.apiRequests[routeId] ?? 0) + 1;
    this.activity++;
  }

  eventPublished(bytes: number): void {
    this.data.eventsPublished += Math.max(1, Math.ceil(bytes / (64 * 1024)));
    this.activity++;
  }

  bankPush(): void {
    this.data.bankPushes += 1;
    this.activity++;
  }

  secretsManagerCall(): void {
    this.data.secretsManagerCalls += 1;
    this.activity++;
  }

  private workflow(name: string) {
    const w = this.data.workflows[name] ?? { executions: 0, transitions: 0, retries: 0 };
    this.data.workflows[name] = w;
    return w;
  }
}

/** Totals of a snapshot, across workflows, functions and operations. */
export function meterTotals(s: MeterSnapshot) {
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const workflows = Object.values(s.workflows);
  const lambda = Object.values(s.lambda);
  const dynamo = Object.values(s.dynamo);
  return {
    executions: sum(workflows.map((w) => w.executions)),
    transitions: sum(workflows.map((w) => w.transitions)),
    lambdaInvocations: sum(lambda.map((l) => l.invocations)),
    lambdaBilledMs: sum(lambda.map((l) => l.billedMs)),
    readUnits: sum(dynamo.map((d) => d.readUnits)),
    writeUnits: sum(dynamo.map((d) => d.writeUnits)),
    apiRequests: sum(Object.values(s.apiRequests)),
    eventsPublished: s.eventsPublished,
    bankPushes: s.bankPushes,
    secretsManagerCalls: s.secretsManagerCalls,
  };
}

/* ---------------------------------------------------------------- DynamoDB ---------------------- */

const READ_OPERATIONS = new Set(['GetItem', 'Query', 'Scan', 'BatchGetItem', 'TransactGetItems']);
const WRITE_OPERATIONS = new Set([
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'BatchWriteItem',
  'TransactWriteItems',
]);
const PARTIQL_OPERATIONS = new Set(['ExecuteStatement', 'BatchExecuteStatement', 'ExecuteTransaction']);
/** Local runtime only: signing secrets are table items here, Secrets Manager calls in AWS (not DynamoDB). */
const LOCAL_SECRET_PK_PREFIX = 'SECRET#';

interface CapacityLike {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
}

/** Read and write units of a ConsumedCapacity (an object, or an array for the Batch and Transact operations). */
export function consumedUnits(
  operation: string,
  consumed: CapacityLike | CapacityLike[] | undefined,
): { read: number; write: number } {
  let read = 0;
  let write = 0;
  for (const c of Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) {
    if (c.ReadCapacityUnits !== undefined || c.WriteCapacityUnits !== undefined) {
      read += c.ReadCapacityUnits ?? 0;
      write += c.WriteCapacityUnits ?? 0;
    } else if (READ_OPERATIONS.has(operation)) {
      read += c.CapacityUnits ?? 0;
    } else {
      write += c.CapacityUnits ?? 0;
    }
  }
  return { read, write };
}

function isLocalSecretItem(input: Record<string, unknown>): boolean {
  // Document client commands are marshalled after this middleware's step: PK is a string or {S}.
  const pk = (input.Key ?? input.Item) as { PK?: string | { S?: string } } | undefined;
  const value = typeof pk?.PK === 'string' ? pk.PK : pk?.PK?.S;
  return value?.startsWith(LOCAL_SECRET_PK_PREFIX) === true;
}

/**
 * Adds to a DynamoDB client (give it a client of its own: the middleware stays on it) a middleware that
 * asks every operation that supports it for `ReturnConsumedCapacity: 'TOTAL'` and adds what comes back
 * to the meter. DynamoDB Local 3.x returns ConsumedCapacity for every item operation, Batch* and
 * Transact* included, GSI writes and the transactional 2x included (checked in
 * test/integration/meter.test.ts). It returns none on a failed condition or a cancelled transaction;
 * those are estimated by AWS's documented rules: a failed conditional write consumes the write of the
 * item (minimum 1 WRU; its size is unknown here: 1), a cancelled TransactWriteItems 2 WRU per item
 * (TransactGetItems 2 RRU per item), each of at most 1 KB.
 */
export function meterDynamoClient(client: DynamoDBClient, meter: Pick<Meter, 'dynamoCall'>): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = String(context.commandName ?? '').replace(/Command$/, '');
      const input = args.input as unknown as Record<string, unknown>;
      const supported =
        READ_OPERATIONS.has(operation) ||
        WRITE_OPERATIONS.has(operation) ||
        PARTIQL_OPERATIONS.has(operation);
      if (!supported || isLocalSecretItem(input)) return next(args);
      const asked =
        input.ReturnConsumedCapacity === 'INDEXES' ? input : { ...input, ReturnConsumedCapacity: 'TOTAL' };
      try {
        const result = await next({ ...args, input: asked as typeof args.input });
        const output = result.output as { ConsumedCapacity?: CapacityLike | CapacityLike[] };
        meter.dynamoCall(operation, consumedUnits(operation, output.ConsumedCapacity));
        return result;
      } catch (error) {
        const name = (error as { name?: string }).name;
        const items = Array.isArray(input.TransactItems) ? input.TransactItems.length : 1;
        if (name === 'ConditionalCheckFailedException') {
          meter.dynamoCall(operation, { read: 0, write: 1 }, true);
        } else if (name === 'TransactionCanceledException') {
          const units = 2 * items;
          meter.dynamoCall(
            operation,
            operation === 'TransactGetItems' ? { read: units, write: 0 } : { read: 0, write: units },
            true,
          );
        }
        throw error;
      }
    },
    { step: 'initialize', name: 'freezeflowMeterConsumedCapacity' },
  );
}
