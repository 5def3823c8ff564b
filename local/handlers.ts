import type { Dependencies } from '../functions/adapters/dependencies.ts';
import { routes } from '../functions/schemas/routes.ts';
import { workflowFunctions } from '../workflows/definitions.ts';
import { localLambdaContext } from './lambda-context.ts';

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

/** Every handler of the system, keyed the way routes.ts and workflows/definitions.ts name them. */
export async function loadAllHandlers(deps: Dependencies): Promise<LocalHandlers> {
  const http = new Map<string, LocalHandler>();
  for (const route of routes) http.set(route.id, await loadHandler(route.handler, deps));
  const workflow = new Map<keyof typeof workflowFunctions, LocalHandler>();
  for (const [id, fn] of Object.entries(workflowFunctions) as [
    keyof typeof workflowFunctions,
    { handler: string },
  ][]) {
    workflow.set(id, await loadHandler(fn.handler, deps));
  }
  return { http, workflow, followTheMoney: await loadHandler('follow-the-money', deps) };
}
