import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { type Dependencies, lambdaEntry } from '../adapters/dependencies.ts';
import { log } from '../adapters/logger.ts';
import { type ReconcileOptions, reconcile, type SweepReport } from '../app/reconcile.ts';

/** In AWS a schedule (infra/constructs/reconciler.ts) invokes this every few minutes. */
export const AWS_RECONCILE_OPTIONS: ReconcileOptions = { graceMs: 120_000, leaseMs: 300_000, limit: 200 };

/** The reconciler's sweep (app/reconcile.ts); the event carries nothing it needs. */
export const createReconcile = (deps: Dependencies, options: ReconcileOptions = AWS_RECONCILE_OPTIONS) =>
  middy<unknown, SweepReport, Error, Context>().handler(async () => {
    const report = await reconcile(deps, options);
    if (report.claimed > 0 || report.failed > 0) log.info('reconciler sweep', { ...report });
    return report;
  });

export const handler = lambdaEntry(createReconcile);
