/**
 * Messages between the main process of the local runtime and its sandboxes (local/sandbox/pool.ts,
 * local/sandbox/worker.ts). Everything crosses by structured clone: events, results and errors are
 * plain data, as they are between Lambda and its callers.
 */

/** What a sandbox is started with (worker data). */
export interface SandboxConfig {
  /** The module whose one `create*` factory builds the handler (functions/<folder>/handler.ts). */
  moduleUrl: string;
  /** The Lambda function name (the folder), for the context and the meter. */
  functionName: string;
  dynamoEndpoint: string;
  tableName: string;
  apiBaseUrl: string;
  /** Forward DynamoDB usage, bank pushes and secret reads to the main process's meter. */
  metered: boolean;
}

/** A thrown error as it crosses: its name (what a Catch or a retry rule matches) and message. */
export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
}

export type ToSandbox =
  | { type: 'invoke'; id: number; event: unknown }
  | { type: 'reply'; callId: number; ok: true; value: unknown }
  | { type: 'reply'; callId: number; ok: false; error: SerializedError };

/** What the main process does for a sandbox: the services that live there (engine, bus, meter). */
export type ServiceCall =
  | { service: 'workflow'; method: 'startExecution' | 'sendTaskSuccess' | 'sendTaskFailure'; args: unknown[] }
  | { service: 'events'; method: 'publish'; args: unknown[] };

export type FromSandbox =
  | { type: 'ready' }
  | {
      type: 'result';
      id: number;
      ok: boolean;
      value?: unknown;
      error?: SerializedError;
      /** DynamoDB write requests the invocation sent (attempts included). */
      writeRequests: number;
      /** Of those, TransactWriteItems requests, and how many of them were cancelled or failed. */
      transactions: number;
      cancelledTransactions: number;
    }
  | ({ type: 'call'; callId: number } & ServiceCall)
  | { type: 'meter'; method: 'dynamoCall' | 'bankPush' | 'secretsManagerCall'; args: unknown[] }
  | { type: 'nudge' };

export function serializeError(error: unknown): SerializedError {
  if (error instanceof Error) return { name: error.name, message: error.message, stack: error.stack };
  return { name: 'Error', message: String(error) };
}

export function deserializeError(error: SerializedError): Error {
  const rebuilt = new Error(error.message);
  rebuilt.name = error.name;
  if (error.stack) rebuilt.stack = error.stack;
  return rebuilt;
}
