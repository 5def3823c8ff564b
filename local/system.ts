import './polyfills.ts';
import { EventEmitter } from 'node:events';
import { DescribeTableCommand, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { HttpBankConnector } from '../functions/adapters/bank-connector.ts';
import type { Dependencies } from '../functions/adapters/dependencies.ts';
import { documentClient } from '../functions/adapters/dynamo/db.ts';
import type { DomainEvent, EventPublisher } from '../functions/adapters/event-publisher.ts';
import type { WorkflowClient } from '../functions/adapters/workflow-client.ts';
import { DEFAULT_HOP_LIMIT } from '../functions/domain/money-trail.ts';
import { DEV_JWT_SECRET } from './dev-jwt.ts';
import { createTable, type DynamoLocal, startDynamoLocal } from './dynamo-local.ts';
import { DynamoSecretStore } from './dynamo-secret-store.ts';
import { loadAllHandlers } from './handlers.ts';
import { type LocalHttpServer, startHttpServer } from './http-server.ts';
import { type StreamPoller, startStreamPoller } from './stream-poller.ts';
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
}

/** The local stand-in for the EventBridge bus: subscribers in this process (the demo, tests). */
export class LocalEventBus extends EventEmitter implements EventPublisher {
  readonly published: DomainEvent[] = [];
  async publish(event: DomainEvent): Promise<void> {
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
  }
}

/**
 * The whole system on this machine (DESIGN.md §4): DynamoDB Local with the table from the shared
 * definition, the HTTP API on loopback, the workflow engine running the ASL with the same handlers,
 * and the stream poller feeding confirmations to follow-the-money. `stop()` leaves nothing running.
 */
export async function startLocalSystem(options: LocalSystemOptions = {}): Promise<LocalSystem> {
  const dynamo = options.dynamo ?? (await startDynamoLocal({ dataDir: options.dataDir }));
  const ownsDynamo = !options.dynamo;
  const tableName = options.tableName ?? LOCAL_TABLE_NAME;
  let http: LocalHttpServer | undefined;
  let poller: StreamPoller | undefined;
  let engine: LocalWorkflowEngine | undefined;
  try {
    await ensureTable(dynamo, tableName);
    const workflow = new LateBoundWorkflowClient();
    const localEvents = new LocalEventBus();
    const db = { doc: documentClient(dynamo.client), table: tableName };
    // Locally the signing secrets are items of their own in the same table (SECRET#<bankId>).
    const secrets = new DynamoSecretStore(db, options.now);
    const deps: Dependencies = {
      db,
      workflow,
      connector: new HttpBankConnector(secrets),
      secrets,
      now: options.now ?? (() => new Date()),
      allowLoopbackHttp: true,
      hopLimit: DEFAULT_HOP_LIMIT,
      apiBaseUrl: '',
      events: localEvents,
    };
    const handlers = await loadAllHandlers(deps);
    engine = new LocalWorkflowEngine(handlers.workflow, options.engine);
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
      pollIntervalMs: 20,
      startingPosition: 'LATEST',
    });
    const started = { http, poller, engine };
    let stopping: Promise<void> | undefined;
    return {
      url: http.url,
      deps,
      engine,
      dynamo,
      events: localEvents,
      stop: () => {
        stopping ??= (async () => {
          await started.http.close();
          await started.engine.stop();
          await started.poller.stop();
          if (ownsDynamo) await dynamo.stop();
        })();
        return stopping;
      },
    };
  } catch (error) {
    await http?.close();
    await engine?.stop();
    await poller?.stop();
    if (ownsDynamo) await dynamo.stop();
    throw error;
  }
}
