import { type Dependencies, lambdaEntry } from '../adapters/dependencies.ts';
import { readCaseTotals } from '../app/read-case.ts';
import { httpHandler, json } from '../http/http-handler.ts';
import { totalsView } from '../http/views.ts';

/** GET /cases/{caseId}/totals: one consistent GetItem of the case's totals item (O(1) in case size). */
export const createGetCaseTotals = (deps: Dependencies) =>
  httpHandler('getCaseTotals', async (request) =>
    json(200, totalsView(await readCaseTotals(deps, request.who, request.pathParam('caseId')))),
  );

export const handler = lambdaEntry(createGetCaseTotals);
