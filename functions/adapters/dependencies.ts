import { type BankConnector, HttpBankConnector } from './bank-connector.ts';
import { type Db, dbFromEnvironment } from './dynamo/db.ts';
import { EVENT_BUS_ENV, type EventPublisher, eventBridgeFromEnvironment } from './event-publisher.ts';
import { type SecretStore, secretStoreFromEnvironment } from './secret-store.ts';
import { stepFunctionsFromEnvironment, type WorkflowClient } from './workflow-client.ts';

/**
 * Everything a handler needs from the outside world. In AWS it comes from the environment; the local
 * runtime and the tests build their own (DynamoDB Local, the embedded engine, a fixed clock).
 */
export interface Dependencies {
  db: Db;
  workflow: WorkflowClient;
  connector: BankConnector;
  /** Banks' signing secrets (Secrets Manager in AWS); the bank entries hold only references. */
  secrets: SecretStore;
  now: () => Date;
  /** Push endpoints must be https in AWS; the local runtime also accepts http://127.0.0.1. */
  allowLoopbackHttp: boolean;
  hopLimit: number;
  /** Base URL of the HTTP API, for the `confirmUrl` banks are sent. */
  apiBaseUrl: string;
  events: EventPublisher;
}

/** The HTTP API's own absolute https:// URL (the template sets it: infra/freezeflow-stack.ts). */
export const API_URL_ENV = 'FREEZEFLOW_API_URL';
/** How many hops follow the money at most (default 6). */
export const HOP_LIMIT_ENV = 'FREEZEFLOW_HOP_LIMIT';

/** A bank must get links it can follow: refuse to run with a relative or plain-http API URL. */
export function absoluteApiUrl(value: string | undefined): string {
  if (!value || !/^https:\/\/[^/\s]+/.test(value)) {
    throw new Error(`${API_URL_ENV} must be the API's absolute https:// URL, got ${JSON.stringify(value)}`);
  }
  return value;
}

let fromEnvironment: Dependencies | undefined;

export function awsDependencies(): Dependencies {
  if (fromEnvironment) return fromEnvironment;
  const secrets = secretStoreFromEnvironment();
  fromEnvironment = {
    db: dbFromEnvironment(),
    workflow: stepFunctionsFromEnvironment(),
    connector: new HttpBankConnector(secrets),
    secrets,
    now: () => new Date(),
    allowLoopbackHttp: false,
    hopLimit: Number(process.env[HOP_LIMIT_ENV] ?? 6),
    apiBaseUrl: absoluteApiUrl(process.env[API_URL_ENV]),
    // Only the functions that publish get the bus name; the others never touch `events`.
    events: process.env[EVENT_BUS_ENV] ? eventBridgeFromEnvironment() : { publish: missingBus },
  };
  return fromEnvironment;
}

/**
 * A Lambda entry point whose dependencies are built on first call, so that importing a handler
 * module (local runtime, tests) never reads the AWS environment.
 */
export function lambdaEntry<E, C, R>(make: (deps: Dependencies) => (event: E, context: C) => Promise<R>) {
  let built: ((event: E, context: C) => Promise<R>) | undefined;
  return (event: E, context: C): Promise<R> => {
    built ??= make(awsDependencies());
    return built(event, context);
  };
}

async function missingBus(): Promise<void> {
  throw new Error(`${EVENT_BUS_ENV} is not set for this function`);
}
