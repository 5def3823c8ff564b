import type { DynamoDBStreamEvent } from 'aws-lambda';
import type { Dependencies } from '../functions/adapters/dependencies.ts';
import { skPrefix } from '../functions/adapters/keys.ts';
import { freezeflowTable } from '../functions/adapters/table-definition.ts';
import { routes } from '../functions/schemas/routes.ts';
import { workflowFunctions } from '../workflows/definitions.ts';
import { localLambdaContext } from './lambda-context.ts';
import { type Meter, STREAM_BATCH_SIZE } from './meter.ts';

/** A handler as the local runtime calls it: event in, result out (the Lambda context is made here). */
export type LocalHandler = (event: unknown) => Promise<unknown>;
type Factory = (deps: Dependencies) => (event: never, context: never) => Promise<unknown>;

/**
 * Loads `functions/<folder>/handler.ts` — the same module the CDK bundles — and builds its handler
 * with the local dependencies. Each module exports exactly one `create*` factory beside `handler`.
 */
export async function loadHandler(folder: string, deps: Dependencies): Promise<LocalHandler> {
  const module = (await import(`../functions/${folder}/handler.ts`)) as Record<string, unknown>;
  const factories = Object.entries(module).filter(
    ([name, value]) => name.startsWith('create') && typeof value === 'function',
  );
  if (factories.length !== 1)
    throw new Error(`functions/${folder}/handler.ts must export one create* factory`);
  const built = (factories[0]![1] as Factory)(deps) as unknown as (
    event: unknown,
    context: unknown,
  ) => Promise<unknown>;
  return (event) => built(event, localLambdaContext(folder));
}

export interface LocalHandlers {
  http: Map<string, LocalHandler>;
  workflow: Map<keyof typeof workflowFunctions, LocalHandler>;
  followTheMoney: LocalHandler;
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
 * The stream consumer as AWS bills it: its event source mapping passes only INSERTs of confirmation
 * items (filter of infra/constructs/functions.ts) in batches of at most STREAM_BATCH_SIZE; a local
 * batch with none is not an invocation, one with n is ceil(n / batch size), sharing the measured time.
 */
function meteredStreamConsumer(meter: Meter, handler: LocalHandler): LocalHandler {
  const sk = freezeflowTable.sortKey.name;
  return async (event) => {
    const passing = (event as DynamoDBStreamEvent).Records.filter(
      (r) => r.eventName === 'INSERT' && r.dynamodb?.Keys?.[sk]?.S?.startsWith(skPrefix.confirmation),
    ).length;
    const t0 = performance.now();
    try {
      return await handler(event);
    } finally {
      if (passing > 0)
        meter.lambdaInvocation(
          'follow-the-money',
          performance.now() - t0,
          Math.ceil(passing / STREAM_BATCH_SIZE),
        );
    }
  };
}

/**
 * Every handler of the system, keyed the way routes.ts and workflows/definitions.ts name them. With a
 * meter, each one counts its invocations and durations (local/meter.ts); without, they are the bare handlers.
 */
export async function loadAllHandlers(deps: Dependencies, meter?: Meter): Promise<LocalHandlers> {
  const http = new Map<string, LocalHandler>();
  for (const route of routes) {
    const handler = await loadHandler(route.handler, deps);
    http.set(route.id, meter ? metered(meter, route.handler, handler, route.id) : handler);
  }
  const workflow = new Map<keyof typeof workflowFunctions, LocalHandler>();
  for (const [id, fn] of Object.entries(workflowFunctions) as [
    keyof typeof workflowFunctions,
    { handler: string },
  ][]) {
    const handler = await loadHandler(fn.handler, deps);
    workflow.set(id, meter ? metered(meter, fn.handler, handler) : handler);
  }
  const followTheMoney = await loadHandler('follow-the-money', deps);
  return {
    http,
    workflow,
    followTheMoney: meter ? meteredStreamConsumer(meter, followTheMoney) : followTheMoney,
  };
}
