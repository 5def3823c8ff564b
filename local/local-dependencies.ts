import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type BankConnector, HttpBankConnector } from '../functions/adapters/bank-connector.ts';
import type { Dependencies } from '../functions/adapters/dependencies.ts';
import { documentClient } from '../functions/adapters/dynamo/db.ts';
import type { EventPublisher } from '../functions/adapters/event-publisher.ts';
import type { SecretStore } from '../functions/adapters/secret-store.ts';
import type { WorkflowClient } from '../functions/adapters/workflow-client.ts';
import { DEFAULT_HOP_LIMIT } from '../functions/domain/money-trail.ts';
import { DynamoSecretStore } from './dynamo-secret-store.ts';
import { type Meter, meterDynamoClient } from './meter.ts';

/** What the local meter is asked by the handlers' adapters (a Meter, or a sandbox's proxy of one). */
export type MeterCalls = Pick<Meter, 'dynamoCall' | 'bankPush' | 'secretsManagerCall'>;

export interface LocalDependencyOptions {
  /** The DynamoDB client of this process (a sandbox has its own, as a Lambda container has). */
  client: DynamoDBClient;
  tableName: string;
  workflow: WorkflowClient;
  events: EventPublisher;
  apiBaseUrl: string;
  now?: () => Date;
  meter?: MeterCalls;
}

/** In AWS the signing secrets are Secrets Manager secrets: each read or write is one API call. */
function meteredSecretStore(store: SecretStore, meter: MeterCalls): SecretStore {
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

function meteredConnector(connector: BankConnector, meter: MeterCalls): BankConnector {
  return {
    push: (bank, message, deliveryId) => {
      meter.bankPush();
      return connector.push(bank, message, deliveryId);
    },
  };
}

/**
 * The handlers' dependencies on this machine, the same in the main process and in every sandbox
 * (local/sandbox/worker.ts): the table through `client`, the signing secrets as items of the same
 * table (SECRET#<bankId>), bank pushes over loopback HTTP.
 */
export function localDependencies(options: LocalDependencyOptions): Dependencies {
  const { meter } = options;
  if (meter) meterDynamoClient(options.client, meter);
  const db = { doc: documentClient(options.client), table: options.tableName };
  const localSecrets = new DynamoSecretStore(db, options.now);
  const secrets = meter ? meteredSecretStore(localSecrets, meter) : localSecrets;
  const connector = new HttpBankConnector(secrets);
  return {
    db,
    workflow: options.workflow,
    connector: meter ? meteredConnector(connector, meter) : connector,
    secrets,
    now: options.now ?? (() => new Date()),
    allowLoopbackHttp: true,
    hopLimit: DEFAULT_HOP_LIMIT,
    apiBaseUrl: options.apiBaseUrl,
    events: options.events,
  };
}

const WRITE_COMMANDS = new Set([
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'BatchWriteItemCommand',
  'TransactWriteItemsCommand',
]);

/** After each successful write through `client`, `nudge` (the stream poller reads now). */
export function nudgeStreamOnWrites(client: DynamoDBClient, nudge: () => void): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (WRITE_COMMANDS.has(context.commandName ?? '')) nudge();
      return result;
    },
    { step: 'initialize', name: 'nudgeStreamOnWrites' },
  );
}
