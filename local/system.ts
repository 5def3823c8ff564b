import './polyfills.ts';
import { EventEmitter } from 'node:events';
import { DescribeTableCommand, DynamoDBClient, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { type BankConnector, HttpBankConnector } from '../functions/adapters/bank-connector.ts';
import type { Dependencies } from '../functions/adapters/dependencies.ts';
import { documentClient } from '../functions/adapters/dynamo/db.ts';
import type { DomainEvent, EventPublisher } from '../functions/adapters/event-publisher.ts';
import type { SecretStore } from '../functions/adapters/secret-store.ts';
import type { WorkflowClient } from '../functions/adapters/workflow-client.ts';
import { DEFAULT_HOP_LIMIT } from '../functions/domain/money-trail.ts';
import { DEV_JWT_SECRET } from './dev-jwt.ts';
import {
  createTable,
  type DynamoLocal,
  JAVA_OPTIONS,
  localClientConfig,
  startDynamoLocal,
} from './dynamo-local.ts';
import { DynamoSecretStore } from './dynamo-secret-store.ts';
import { loadAllHandlers } from './handlers.ts';
import { type LocalHttpServer, startHttpServer } from './http-server.ts';
import { type Meter, meterDynamoClient } from './meter.ts';
import { type ReconcilerTimer, startReconcilerTimer } from './reconciler-timer.ts';
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

/** In AWS the signing secrets are Secrets Manager secrets: each read or write is one API call. */
function meteredSecretStore(store: SecretStore, meter: Meter): SecretStore {
  return {
    putSigningSecrets: (bankId, secrets) => {
      meter.secretsManagerCall();
      return store.putSigningSecrets(bankId, secrets);
    },
    getSigningSecrets: (reference, options) => {
      meter.secretsManagerCall();
      return store.getSigningSecrets(reference, options);
    },
  };
}

function meteredConnector(connector: BankConnector, meter: Meter): BankConnector {
  return {
    push: (bank, message, deliveryId) => {
      meter.bankPush();
      return connector.push(bank, message, deliveryId);
    },
  };
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
const WRITE_COMMANDS = new Set([
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'BatchWriteItemCommand',
  'TransactWriteItemsCommand',
]);

/** After each successful write through `client`, tell the stream poller to read now. */
function nudgeStreamOnWrites(client: DynamoDBClient, nudge: () => void): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (WRITE_COMMANDS.has(context.commandName ?? '')) nudge();
      return result;
    },
    { step: 'initialize', name: 'nudgeStreamOnWrites' },
  );
}

/**
 * The whole system on this machine (DESIGN.md §4): DynamoDB Local with the table from the shared
 * definition, the HTTP API on loopback, the workflow engine running the ASL with the same handlers,
 * and the stream poller feeding confirmations to follow-the-money. `stop()` leaves nothing running.
 */
export async function startLocalSystem(options: LocalSystemOptions = {}): Promise<LocalSystem> {
  // A system of its own runs until Ctrl-C (or a whole benchmark): the JIT that is fast when warm.
  const dynamo =
    options.dynamo ??
    (await startDynamoLocal({ dataDir: options.dataDir, javaToolOptions: JAVA_OPTIONS.longRunning }));
  const ownsDynamo = !options.dynamo;
  const tableName = options.tableName ?? LOCAL_TABLE_NAME;
  let http: LocalHttpServer | undefined;
  let poller: StreamPoller | undefined;
  let engine: LocalWorkflowEngine | undefined;
  const { meter } = options;
  // A client of its own, so its middlewares (the stream nudge, the meter's consumed capacity) never
  // reach a client shared with other systems or tests.
  const client = new DynamoDBClient(localClientConfig(dynamo.endpoint));
  if (meter) meterDynamoClient(client, meter);
  // Checkpoint writes go through a client of their own, which does not nudge the poller.
  const checkpointClient = new DynamoDBClient(localClientConfig(dynamo.endpoint));
  const streamNudge: { poller?: StreamPoller } = {};
  nudgeStreamOnWrites(client, () => streamNudge.poller?.nudge());
  try {
    await ensureTable(dynamo, tableName);
    const workflow = new LateBoundWorkflowClient();
    const localEvents = new LocalEventBus(meter);
    const db = { doc: documentClient(client), table: tableName };
    // Locally the signing secrets are items of their own in the same table (SECRET#<bankId>).
    const localSecrets = new DynamoSecretStore(db, options.now);
    const secrets = meter ? meteredSecretStore(localSecrets, meter) : localSecrets;
    const connector = new HttpBankConnector(secrets);
    const deps: Dependencies = {
      db,
      workflow,
      connector: meter ? meteredConnector(connector, meter) : connector,
      secrets,
      now: options.now ?? (() => new Date()),
      allowLoopbackHttp: true,
      hopLimit: DEFAULT_HOP_LIMIT,
      apiBaseUrl: '',
      events: localEvents,
    };
    const handlers = await loadAllHandlers(deps, meter);
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
    poller = await startStreamPoller({
      tableName,
      endpoint: dynamo.endpoint,
      onRecords: async (event) => {
        await handlers.followTheMoney(event);
      },
      // Every write of the system nudges the poller (nudgeStreamOnWrites): the interval only
      // bounds how late a write from another client (a test's own) is seen.
      pollIntervalMs: IDLE_STREAM_POLL_MS,
      startingPosition: 'LATEST',
      // Durable positions: a restart on the same data dir resumes after the last handled record.
      checkpoints: tableStreamCheckpoints({ doc: documentClient(checkpointClient), table: tableName }),
    });
    streamNudge.poller = poller;
    const reconciler =
      options.reconciler === false ? undefined : startReconcilerTimer(deps, options.reconciler ?? {});
    const started = { http, poller, engine, reconciler };
    let stopping: Promise<void> | undefined;
    return {
      url: http.url,
      deps,
      engine,
      dynamo,
      meter,
      events: localEvents,
      ...(reconciler ? { reconciler } : {}),
      stop: () => {
        stopping ??= (async () => {
          await started.reconciler?.stop();
          await started.http.close();
          await started.engine.stop();
          await started.poller.stop();
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
    await poller?.stop();
    client.destroy();
    checkpointClient.destroy();
    if (ownsDynamo) await dynamo.stop();
    throw error;
  }
}
