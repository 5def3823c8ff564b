import { type Dependencies, lambdaEntry } from '../adapters/dependencies.ts';
import { regulatorTotals } from '../app/regulator-reports.ts';
import { httpHandler, json } from '../http/http-handler.ts';
import { PeriodQuery } from '../schemas/api.ts';

/** GET /totals (regulator): frozen funds confirmed in the period (app/regulator-reports.ts). */
export const createRegulatorTotals = (deps: Dependencies) =>
  httpHandler('regulatorTotals', async (request) =>
    json(200, await regulatorTotals(deps, request.query(PeriodQuery))),
  );

export const handler = lambdaEntry(createRegulatorTotals);
