import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { type Dependencies, lambdaEntry } from '../adapters/dependencies.ts';
import { systemChain } from '../adapters/dynamo/transact.ts';
import { httpHandler, json } from '../http/http-handler.ts';
import { databaseUnavailable } from '../http/problem.ts';

/** A probe of the database waits at most this long (the SDK's own retries included). */
export const HEALTH_PROBE_TIMEOUT_MS = 1_000;
/** A probe's answer is reused this long, so that health checks cannot hammer the database. */
export const HEALTH_CACHE_MS = 1_000;

/**
 * Whether the database answers: one eventually consistent GetItem of a small item (the system audit
 * chain's head, present or not), bounded by HEALTH_PROBE_TIMEOUT_MS. Any error or a late answer is
 * "no". The last answer is reused for HEALTH_CACHE_MS and concurrent probes share one request.
 */
export function databaseProbe(deps: Pick<Dependencies, 'db'>, clock: () => number = Date.now) {
  let last: { at: number; ok: boolean } | undefined;
  let inFlight: Promise<boolean> | undefined;
  const probeOnce = async (): Promise<boolean> => {
    const abort = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<false>((resolve) => {
      timer = setTimeout(() => {
        abort.abort();
        resolve(false);
      }, HEALTH_PROBE_TIMEOUT_MS);
    });
    const read = async () => {
      await deps.db.doc.send(
        new GetCommand({ TableName: deps.db.table, Key: systemChain.headKey, ProjectionExpression: 'PK' }),
        { abortSignal: abort.signal },
      );
      return true;
    };
    const answered = read().catch(() => false);
    try {
      return await Promise.race([answered, late]);
    } finally {
      clearTimeout(timer);
    }
  };
  return async (): Promise<boolean> => {
    if (last && clock() - last.at < HEALTH_CACHE_MS) return last.ok;
    inFlight ??= probeOnce().then((ok) => {
      last = { at: clock(), ok };
      inFlight = undefined;
      return ok;
    });
    return inFlight;
  };
}

/**
 * GET /health: public; 200 `{"status":"ok"}` while the database answers (docs/api.md "Running it
 * locally"), else 503 + Retry-After: the system cannot take requests then.
 */
export const createHealth = (deps: Dependencies) => {
  const databaseAnswers = databaseProbe(deps);
  return httpHandler('health', async () => {
    if (!(await databaseAnswers())) throw databaseUnavailable();
    return json(200, { status: 'ok' });
  });
};

export const handler = lambdaEntry(createHealth);
