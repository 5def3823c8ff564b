import type { Dependencies } from '../functions/adapters/dependencies.ts';
import { log } from '../functions/adapters/logger.ts';
import { type ReconcileOptions, reconcile, type SweepReport } from '../functions/app/reconcile.ts';

/**
 * The local stand-in for the reconciler's schedule (in AWS: EventBridge Scheduler, infra/constructs/
 * functions.ts): a sweep every `intervalMs`, one at a time. Short grace and interval, so that after a
 * restart of `npm run serve` work in flight is carried on within seconds (docs/api.md: within 30 s), and
 * a step the workflow misses is still taken within ~5 s of its due time.
 */
export const LOCAL_RECONCILE_OPTIONS: ReconcileOptions & { intervalMs: number } = {
  intervalMs: 2_000,
  graceMs: 3_000,
  leaseMs: 30_000,
  limit: 200,
};

export interface ReconcilerTimer {
  /** Sweeps at once (tests) and resolves with its report. */
  sweepNow(): Promise<SweepReport>;
  readonly sweeps: number;
  stop(): Promise<void>;
}

export function startReconcilerTimer(
  deps: Dependencies,
  options: Partial<typeof LOCAL_RECONCILE_OPTIONS> = {},
): ReconcilerTimer {
  const settings = { ...LOCAL_RECONCILE_OPTIONS, ...options };
  let stopped = false;
  let sweeps = 0;
  let running: Promise<SweepReport> | undefined;
  let timer: NodeJS.Timeout | undefined;
  const sweep = (): Promise<SweepReport> => {
    running ??= reconcile(deps, settings)
      .then((report) => {
        sweeps += 1;
        if (report.claimed > 0 || report.failed > 0) log.info('reconciler sweep', { ...report });
        return report;
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      sweep()
        .catch((error: unknown) => log.warn('reconciler sweep failed', { error: (error as Error).message }))
        .finally(schedule);
    }, settings.intervalMs);
  };
  schedule();
  return {
    sweepNow: sweep,
    get sweeps() {
      return sweeps;
    },
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running?.catch(() => undefined);
    },
  };
}
