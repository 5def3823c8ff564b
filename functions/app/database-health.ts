import type { Dependencies } from '../adapters/dependencies.ts';
import { pingTable } from '../adapters/dynamo/ping.ts';

/** A probe of the database waits at most this long (the SDK's own retries included). */
export const HEALTH_PROBE_TIMEOUT_MS = 1_000;
/** A probe's answer is reused this long, so that health checks cannot hammer the database. */
export const HEALTH_CACHE_MS = 1_000;

/**
 * Whether the database answers (adapters/dynamo/ping.ts), bounded by HEALTH_PROBE_TIMEOUT_MS. Any
 * error or a late answer is "no". The last answer is reused for HEALTH_CACHE_MS and concurrent
 * probes share one request.
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
    const answered = pingTable(deps.db, abort.signal).then(
      () => true,
      () => false,
    );
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
