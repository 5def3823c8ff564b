import './polyfills.ts';
import { EventEmitter } from 'node:events';
import { DescribeTableCommand, DynamoDBClient, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBBatchResponse } from 'aws-lambda';
import type { Dependencies } from '../functions/adapters/dependencies.ts';
import { documentClient } from '../functions/adapters/dynamo/db.ts';
import type { DomainEvent, EventPublisher } from '../functions/adapters/event-publisher.ts';
import type { WorkflowClient } from '../functions/adapters/workflow-client.ts';
import { type StreamConsumer, streamConsumers } from '../functions/schemas/stream-consumers.ts';
import { DEV_JWT_SECRET } from './dev-jwt.ts';
import {
  createTable,
  type DynamoLocal,
  JAVA_OPTIONS,
  localClientConfig,
  startDynamoLocal,
} from './dynamo-local.ts';
import { type LocalHandlers, loadAllHandlers, sandboxedHandlers } from './handlers.ts';
import { type LocalHttpServer, startHttpServer } from './http-server.ts';
import { localDependencies, nudgeStreamOnWrites } from './local-dependencies.ts';
import type { Meter } from './meter.ts';
import { type ReconcilerTimer, startReconcilerTimer } from './reconciler-timer.ts';
import { SandboxPool } from './sandbox/pool.ts';
import { tableStreamCheckpoints } from './stream-checkpoints.ts';
import { type StreamPoller, startStreamPoller } from './stream-poller.ts';
import { addMissingIndexes } from './table-migration.ts';
import { type LocalEngineOptions, LocalWorkflowEngine } from './workflow-engine.ts';

export const LOCAL_TABLE_NAME = 'freezeflow';

export interface LocalSystemOptions {
  port?: number;
  /** DynamoDB Local keeps its data here across restarts; in memory when absent. */
  dataDir?: string;
  jwtSecret?: string;
  engine?: LocalEngineOptions;
  /** Reuse a running DynamoDB Local (tests) instead of starting one; the system then does not stop it. */
  dynamo?: DynamoLocal;
  tableName?: string;
  now?: () => Date;
  /**
   * Counts what AWS would bill (local/meter.ts): Lambda invocations and durations, state transitions,
   * DynamoDB request units, API requests, events, secret reads. Off (and nothing wrapped) when absent.
   */
  meter?: Meter;
  /** The reconciler's local timer (local/reconciler-timer.ts); `false` turns it off (workflow tests). */
  reconciler?: Partial<{ intervalMs: number; graceMs: number; leaseMs: number; limit: number }> | false;
  /**
   * Where handlers run: in sandboxes (local/sandbox/pool.ts), at most `perFunction` per function, as
   * Lambda runs them (the default: FREEZEFLOW_SANDBOXES_PER_FUNCTION or DEFAULT_SANDBOXES_PER_FUNCTION),
   * or `false`: all in this process, with `now` (tests that drive the clock).
   */
  sandboxes?: { perFunction?: number; timeoutMs?: number } | false;
}

/** Sandboxes per function unless told: enough for a fan-out's deliveries to overlap as in AWS. */
export const DEFAULT_SANDBOXES_PER_FUNCTION = 8;

function sandboxesPerFunction(options: LocalSystemOptions): number | undefined {
  if (options.sandboxes === false) return undefined;
  const raw = process.env.FREEZEFLOW_SANDBOXES_PER_FUNCTION?.trim();
  const fromEnv = raw ? Number(raw) : Number.NaN;
  const n =
    options.sandboxes?.perFunction ?? (Number.isInteger(fromEnv) ? fromEnv : DEFAULT_SANDBOXES_PER_FUNCTION);
  if (!Number.isInteger(n) || n < 0)
    throw new Error(`sandboxes per function must be a whole number, not ${n}`);
  if (n > 0 && options.now) throw new Error('a clock (`now`) reaches no sandbox: use sandboxes: false');
  return n === 0 ? undefined : n;
}

/** The local stand-in for the EventBridge bus: subscribers in this process (the demo, tests). */
export class LocalEventBus extends EventEmitter implements EventPublisher {
  readonly published: DomainEvent[] = [];
  constructor(private readonly meter?: Meter) {
    super();
  }
  async publish(event: DomainEvent): Promise<void> {
    // One PutEvents entry, billed per 64 KB chunk.
    this.meter?.eventPublished(Buffer.byteLength(JSON.stringify(event)));
    this.published.push(event);
    this.emit(event.detailType, event.detail);
  }
}

export interface LocalSystem {
  url: string;
  events: LocalEventBus;
  deps: Dependencies;
  engine: LocalWorkflowEngine;
  dynamo: DynamoLocal;
  /** The meter given in the options, if any. */
  meter?: Meter;
  /** The reconciler's timer, unless turned off. */
  reconciler?: ReconcilerTimer;
  /** The sandboxes handlers run in, unless they run in this process (options.sandboxes false). */
  sandboxes?: SandboxPool;
  stop(): Promise<void>;
}

/** A WorkflowClient that forwards to the engine once it exists (handlers and engine need each other). */
class LateBoundWorkflowClient implements WorkflowClient {
  target?: WorkflowClient;
  private get bound(): WorkflowClient {
    if (!this.target) throw new Error('workflow engine not started');
    return this.target;
  }
  startExecution: WorkflowClient['startExecution'] = (...a) => this.bound.startExecution(...a);
  sendTaskSuccess: WorkflowClient['sendTaskSuccess'] = (...a) => this.bound.sendTaskSuccess(...a);
  sendTaskFailure: WorkflowClient['sendTaskFailure'] = (...a) => this.bound.sendTaskFailure(...a);
}

async function ensureTable(dynamo: DynamoLocal, tableName: string): Promise<void> {
  try {
    await dynamo.client.send(new DescribeTableCommand({ TableName: tableName }));
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
    await createTable(dynamo.client, tableName);
    return;
  }
  await addMissingIndexes(dynamo.client, tableName);
}

/** GetRecords while nothing was written (AWS's event source mapping polls a shard 4 times a second). */
const IDLE_STREAM_POLL_MS = 250;
/**
 * The whole system on this machine (docs/design.md §4): DynamoDB Local with the table from the shared
 * definition, the HTTP API on loopback, the workflow engine running the ASL with the same handlers,
 * and the stream poller feeding confirmations to follow-the-money. `stop()` leaves nothing running.
 */
export async function startLocalSystem(options: LocalSystemOptions = {}): Promise<LocalSystem> {
  // A system of its own runs until Ctrl-C (or a whole benchmark): the JIT that is fast when warm.
  const dynamo =
    options.dynamo ??
    (await startDynamoLocal({
      dataDir: options.dataDir,
      javaToolOptions: JAVA_OPTIONS.longRunning,
      supervise: true, // a JVM that dies is restarted on the same port (local/dynamo-local.ts)
    }));
  const ownsDynamo = !options.dynamo;
  const tableName = options.tableName ?? LOCAL_TABLE_NAME;
  let http: LocalHttpServer | undefined;
  const pollers: StreamPoller[] = [];
  let engine: LocalWorkflowEngine | undefined;
  let pool: SandboxPool | undefined;
  const { meter } = options;
  // A client of its own, so its middlewares (the stream nudge, the meter's consumed capacity) never
  // reach a client shared with other systems or tests.
  const client = new DynamoDBClient(localClientConfig(dynamo.endpoint));
  // Checkpoint writes go through a client of their own, which does not nudge the pollers.
  const checkpointClient = new DynamoDBClient(localClientConfig(dynamo.endpoint));
  const nudgePollers = () => {
    for (const poller of pollers) poller.nudge();
  };
  nudgeStreamOnWrites(client, nudgePollers);
  const perFunction = sandboxesPerFunction(options);
  const sandboxTimeoutMs = options.sandboxes ? options.sandboxes.timeoutMs : undefined;
  try {
    await ensureTable(dynamo, tableName);
    // After a restart in memory the table is gone: create it again before the restart counts.
    dynamo.supervisor?.afterRestart(() => ensureTable(dynamo, tableName));
    const workflow = new LateBoundWorkflowClient();
    const localEvents = new LocalEventBus(meter);
    const deps: Dependencies = localDependencies({
      client,
      tableName,
      workflow,
      events: localEvents,
      apiBaseUrl: '',
      ...(options.now ? { now: options.now } : {}),
      ...(meter ? { meter } : {}),
    });
    let handlers: LocalHandlers;
    if (perFunction === undefined) {
      handlers = await loadAllHandlers(deps, meter);
    } else {
      pool = new SandboxPool({
        dynamoEndpoint: dynamo.endpoint,
        tableName,
        maxPerFunction: perFunction,
        ...(sandboxTimeoutMs ? { timeoutMs: sandboxTimeoutMs } : {}),
        services: { workflow, events: localEvents, ...(meter ? { meter } : {}), nudge: nudgePollers },
      });
      handlers = await sandboxedHandlers(pool, meter);
    }
    engine = new LocalWorkflowEngine(
      handlers.workflow,
      meter ? { ...options.engine, meter } : options.engine,
    );
    workflow.target = engine;
    http = await startHttpServer({
      handlers: handlers.http,
      port: options.port,
      jwtSecret: options.jwtSecret ?? DEV_JWT_SECRET,
    });
    deps.apiBaseUrl = http.url;
    pool?.setApiBaseUrl(http.url);
    // One poller per consumer, as each has its own event source mapping in AWS: a failing
    // consumer retries its own batches and never holds the other back.
    for (const consumer of Object.keys(streamConsumers) as StreamConsumer[]) {
      const handler = handlers.stream.get(consumer);
      if (!handler) continue;
      pollers.push(
        await startStreamPoller({
          tableName,
          endpoint: dynamo.endpoint,
          onRecords: async (event) => (await handler(event)) as DynamoDBBatchResponse | undefined,
          // Every write of the system nudges the pollers (nudgeStreamOnWrites): the interval only
          // bounds how late a write from another client (a test's own) is seen.
          pollIntervalMs: IDLE_STREAM_POLL_MS,
          startingPosition: 'LATEST',
          // Durable positions: a restart on the same data dir resumes after the last handled record.
          checkpoints: tableStreamCheckpoints(
            { doc: documentClient(checkpointClient), table: tableName },
            consumer,
          ),
        }),
      );
    }
    const reconciler =
      options.reconciler === false ? undefined : startReconcilerTimer(deps, options.reconciler ?? {});
    const started = { http, engine, reconciler };
    let stopping: Promise<void> | undefined;
    return {
      url: http.url,
      deps,
      engine,
      dynamo,
      meter,
      events: localEvents,
      ...(reconciler ? { reconciler } : {}),
      ...(pool ? { sandboxes: pool } : {}),
      stop: () => {
        stopping ??= (async () => {
          await started.reconciler?.stop();
          await started.http.close();
          await started.engine.stop();
          await Promise.all(pollers.map((p) => p.stop()));
          await pool?.close();
          client.destroy();
          checkpointClient.destroy();
          if (ownsDynamo) await dynamo.stop();
        })();
        return stopping;
      },
    };
  } catch (error) {
    await http?.close();
    await engine?.stop();
    await Promise.all(pollers.map((p) => p.stop()));
    await pool?.close();
    client.destroy();
    checkpointClient.destroy();
    if (ownsDynamo) await dynamo.stop();
    throw error;
  }
}
