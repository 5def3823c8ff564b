import { type Dependencies, lambdaEntry } from '../adapters/dependencies.ts';
import { getCaseTotalsItem } from '../adapters/dynamo/cases.ts';
import { ID_PATTERN } from '../domain/ids.ts';
import { httpHandler, json } from '../http/http-handler.ts';
import { notFound } from '../http/problem.ts';
import { canSeeCase } from '../http/scope.ts';
import { totalsView } from '../http/views.ts';

/** GET /cases/{caseId}/totals: one consistent GetItem of the case's totals item (O(1) in case size). */
export const createGetCaseTotals = (deps: Dependencies) =>
  httpHandler('getCaseTotals', async (request) => {
    const caseId = request.pathParam('caseId');
    const item = ID_PATTERN.test(caseId) ? await getCaseTotalsItem(deps.db, caseId) : undefined;
    if (!item || !canSeeCase(request.who, { agencyId: String(item.agencyId) }))
      throw notFound(`case ${caseId}`);
    return json(200, totalsView(item));
  });

export const handler = lambdaEntry(createGetCaseTotals);
