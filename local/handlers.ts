import type { DynamoDBStreamEvent } from 'aws-lambda';
import type { Dependencies } from '../functions/adapters/dependencies.ts';
import { routes } from '../functions/schemas/routes.ts';
import {
  passesStreamFilter,
  type StreamConsumer,
  streamConsumers,
} from '../functions/schemas/stream-consumers.ts';
import { workflowFunctions } from '../workflows/definitions.ts';
import { localLambdaContext } from './lambda-context.ts';
import { type Meter, STREAM_BATCH_SIZE } from './meter.ts';
import type { SandboxPool } from './sandbox/pool.ts';

/** A handler as the local runtime calls it: event in, result out (the Lambda context is made here). */
export type LocalHandler = (event: unknown) => Promise<unknown>;
type Factory = (deps: Dependencies) => (event: never, context: never) => Promise<unknown>;

/** The module the CDK bundles for `folder` (and a sandbox loads). */
export const handlerModuleUrl = (folder: string): string =>
  new URL(`../functions/${folder}/handler.ts`, import.meta.url).href;

/**
 * Builds the handler of a loaded `functions/<folder>/handler.ts` with `deps`: each module exports
 * exactly one `create*` factory beside `handler` (the Lambda entry, which builds AWS dependencies).
 */
export function buildHandler(
  module: Record<string, unknown>,
  deps: Dependencies,
  functionName: string,
): LocalHandler {
  const factories = Object.entries(module).filter(
    ([name, value]) => name.startsWith('create') && typeof value === 'function',
  );
  if (factories.length !== 1)
    throw new Error(`${functionName}: the handler module must export one create* factory`);
  const built = (factories[0]![1] as Factory)(deps) as unknown as (
    event: unknown,
    context: unknown,
  ) => Promise<unknown>;
  return (event) => built(event, localLambdaContext(functionName));
}

/** Loads `functions/<folder>/handler.ts` — the same module the CDK bundles — in this process. */
export async function loadHandler(folder: string, deps: Dependencies): Promise<LocalHandler> {
  const module = (await import(handlerModuleUrl(folder))) as Record<string, unknown>;
  return buildHandler(module, deps, folder);
}

export interface LocalHandlers {
  http: Map<string, LocalHandler>;
  workflow: Map<keyof typeof workflowFunctions, LocalHandler>;
  /** The table stream's consumers (schemas/stream-consumers.ts), each given only its records. */
  stream: Map<StreamConsumer, LocalHandler>;
}

/** Counts each call as one Lambda invocation of `folder`, timed (and, for routes, one API request). */
function metered(meter: Meter, folder: string, handler: LocalHandler, routeId?: string): LocalHandler {
  return async (event) => {
    if (routeId !== undefined) meter.apiRequest(routeId);
    const t0 = performance.now();
    try {
      return await handler(event);
    } finally {
      meter.lambdaInvocation(folder, performance.now() - t0);
    }
  };
}

/**
 * A stream consumer as its event source mapping runs it: only the records its filter passes, in
 * batches of at most STREAM_BATCH_SIZE; a batch with none is no invocation (and, metered, one with
 * n is ceil(n / batch size) invocations sharing the measured time).
 */
function filteredStreamConsumer(
  consumer: StreamConsumer,
  folder: string,
  handler: LocalHandler,
  meter: Meter | undefined,
): LocalHandler {
  return async (event) => {
    const passing = (event as DynamoDBStreamEvent).Records.filter((r) => passesStreamFilter(consumer, r));
    if (passing.length === 0) return { batchItemFailures: [] };
    const t0 = performance.now();
    try {
      return await handler({ Records: passing });
    } finally {
      meter?.lambdaInvocation(folder, performance.now() - t0, Math.ceil(passing.length / STREAM_BATCH_SIZE));
    }
  };
}

/** Every function of the system by how it is invoked: `invoke(folder)` gives the bare handler of a folder. */
async function assemble(
  invoke: (folder: string) => Promise<LocalHandler>,
  meter: Meter | undefined,
): Promise<LocalHandlers> {
  const http = new Map<string, LocalHandler>();
  for (const route of routes) {
    const handler = await invoke(route.handler);
    http.set(route.id, meter ? metered(meter, route.handler, handler, route.id) : handler);
  }
  const workflow = new Map<keyof typeof workflowFunctions, LocalHandler>();
  for (const [id, fn] of Object.entries(workflowFunctions) as [
    keyof typeof workflowFunctions,
    { handler: string },
  ][]) {
    const handler = await invoke(fn.handler);
    workflow.set(id, meter ? metered(meter, fn.handler, handler) : handler);
  }
  const stream = new Map<StreamConsumer, LocalHandler>();
  for (const [consumer, spec] of Object.entries(streamConsumers) as [
    StreamConsumer,
    (typeof streamConsumers)[StreamConsumer],
  ][]) {
    stream.set(consumer, filteredStreamConsumer(consumer, spec.handler, await invoke(spec.handler), meter));
  }
  return { http, workflow, stream };
}

/**
 * Every handler of the system, keyed the way routes.ts and workflows/definitions.ts name them, all
 * in this process (tests that drive handlers directly). With a meter, each one counts its
 * invocations and durations (local/meter.ts).
 */
export function loadAllHandlers(deps: Dependencies, meter?: Meter): Promise<LocalHandlers> {
  return assemble((folder) => loadHandler(folder, deps), meter);
}

/** The same handlers, each invocation run in a sandbox of `pool` (as Lambda runs them). */
export async function sandboxedHandlers(pool: SandboxPool, meter?: Meter): Promise<LocalHandlers> {
  const folders: string[] = [];
  const handlers = await assemble(async (folder) => {
    folders.push(folder);
    const moduleUrl = handlerModuleUrl(folder);
    return (event) => pool.invoke(folder, moduleUrl, event);
  }, meter);
  // One bundle of every handler, built before the first invocation (local/sandbox/bundle.ts).
  await pool.prepare([...new Set(folders)].map(handlerModuleUrl));
  return handlers;
}
