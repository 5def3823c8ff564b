import { type Dependencies, lambdaEntry } from '../adapters/dependencies.ts';
import { readAudit } from '../app/read-case.ts';
import { httpHandler, json } from '../http/http-handler.ts';

/**
 * GET /cases/{caseId}/audit (police own agency, regulator): the case's hash chain, whether it
 * verifies, and what is pending (app/read-case.ts readAudit).
 */
export const createGetCaseAudit = (deps: Dependencies) =>
  httpHandler('getCaseAudit', async (request) =>
    json(200, await readAudit(deps, request.who, request.pathParam('caseId'))),
  );

export const handler = lambdaEntry(createGetCaseAudit);
