import { type Dependencies, lambdaEntry } from '../adapters/dependencies.ts';
import { openCase } from '../app/open-case.ts';
import { httpHandler } from '../http/http-handler.ts';
import { answerToHttp, idempotentRequest } from '../http/idempotent.ts';
import { OpenCaseBody } from '../schemas/api.ts';
import { actorOf } from '../schemas/claims.ts';

/** POST /cases (police): opens a case for the caller's agency. Idempotent by Idempotency-Key. */
export const createOpenCase = (deps: Dependencies) =>
  httpHandler('openCase', async (request) => {
    const caller = request.who;
    if (caller.role !== 'police') throw new Error('unreachable: route is police-only');
    const raw = request.rawJson();
    const { input, key } = request.bodyWithKey(OpenCaseBody, raw);
    const idem = idempotentRequest(actorOf(caller), key, request.event.rawPath, raw);
    return answerToHttp(await openCase(deps, caller, input, idem));
  });

export const handler = lambdaEntry(createOpenCase);
