import { type Dependencies, lambdaEntry } from '../adapters/dependencies.ts';
import { bankPerformance } from '../app/regulator-reports.ts';
import { httpHandler, json } from '../http/http-handler.ts';
import { PeriodQuery } from '../schemas/api.ts';

/** GET /banks/performance (regulator): per bank delivery and confirmation figures (app/regulator-reports.ts). */
export const createBankPerformance = (deps: Dependencies) =>
  httpHandler('bankPerformance', async (request) =>
    json(200, await bankPerformance(deps, request.query(PeriodQuery))),
  );

export const handler = lambdaEntry(createBankPerformance);
