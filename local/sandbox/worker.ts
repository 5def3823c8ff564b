import '../polyfills.ts';
import { parentPort, workerData } from 'node:worker_threads';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EventPublisher } from '../../functions/adapters/event-publisher.ts';
import type { WorkflowClient } from '../../functions/adapters/workflow-client.ts';
import { localClientConfig } from '../dynamo-client-config.ts';
import { buildHandler } from '../handlers.ts';
import { localDependencies, type MeterCalls, nudgeStreamOnWrites } from '../local-dependencies.ts';
import {
  deserializeError,
  type FromSandbox,
  type SandboxConfig,
  type ServiceCall,
  serializeError,
  type ToSandbox,
} from './protocol.ts';

/**
 * One sandbox: a worker thread with its own module instances (handler, SDK clients, caches, locks),
 * as a Lambda container has, serving one invocation at a time (local/sandbox/pool.ts). What lives
 * in the main process (the workflow engine, the event bus, the meter) is reached by messages.
 */
const port = parentPort;
if (!port) throw new Error('local/sandbox/worker.ts runs only as a worker thread');
const config = workerData as SandboxConfig;
const send = (message: FromSandbox) => port.postMessage(message);

let nextCallId = 1;
const calls = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
function callMain(call: ServiceCall): Promise<unknown> {
  const callId = nextCallId++;
  return new Promise((resolve, reject) => {
    calls.set(callId, { resolve, reject });
    send({ type: 'call', callId, ...call });
  });
}

const workflow: WorkflowClient = {
  startExecution: async (...args) => {
    await callMain({ service: 'workflow', method: 'startExecution', args });
  },
  sendTaskSuccess: async (...args) => {
    await callMain({ service: 'workflow', method: 'sendTaskSuccess', args });
  },
  sendTaskFailure: async (...args) => {
    await callMain({ service: 'workflow', method: 'sendTaskFailure', args });
  },
};
const events: EventPublisher = {
  publish: async (event) => {
    await callMain({ service: 'events', method: 'publish', args: [event] });
  },
};
const meter: MeterCalls | undefined = config.metered
  ? {
      dynamoCall: (...args) => send({ type: 'meter', method: 'dynamoCall', args }),
      bankPush: () => send({ type: 'meter', method: 'bankPush', args: [] }),
      secretsManagerCall: () => send({ type: 'meter', method: 'secretsManagerCall', args: [] }),
    }
  : undefined;

const client = new DynamoDBClient(localClientConfig(config.dynamoEndpoint));
// Write requests of the current invocation, attempts included (bench figure (g): attempts per success).
let writeRequests = 0;
let transactions = 0;
let cancelledTransactions = 0;
client.middlewareStack.add(
  (next, context) => async (args) => {
    const command = context.commandName ?? '';
    if (/^(Put|Update|Delete|BatchWrite|TransactWrite)/.test(command)) writeRequests++;
    if (!command.startsWith('TransactWrite')) return next(args);
    transactions++;
    try {
      return await next(args);
    } catch (error) {
      cancelledTransactions++;
      throw error;
    }
  },
  { step: 'initialize', name: 'sandboxCountWrites' },
);
nudgeStreamOnWrites(client, () => send({ type: 'nudge' }));

const deps = localDependencies({
  client,
  tableName: config.tableName,
  workflow,
  events,
  apiBaseUrl: config.apiBaseUrl,
  ...(meter ? { meter } : {}),
});
const handler = buildHandler(
  (await import(config.moduleUrl)) as Record<string, unknown>,
  deps,
  config.functionName,
);

port.on('message', (message: ToSandbox) => {
  if (message.type === 'reply') {
    const call = calls.get(message.callId);
    calls.delete(message.callId);
    if (message.ok) call?.resolve(message.value);
    else call?.reject(deserializeError(message.error));
    return;
  }
  writeRequests = 0;
  transactions = 0;
  cancelledTransactions = 0;
  handler(message.event).then(
    (value) =>
      send({
        type: 'result',
        id: message.id,
        ok: true,
        value,
        writeRequests,
        transactions,
        cancelledTransactions,
      }),
    (error: unknown) =>
      send({
        type: 'result',
        id: message.id,
        ok: false,
        error: serializeError(error),
        writeRequests,
        transactions,
        cancelledTransactions,
      }),
  );
});
send({ type: 'ready' });
