import { type Dependencies, lambdaEntry } from '../adapters/dependencies.ts';
import { extendHold } from '../app/extend-hold.ts';
import { httpHandler } from '../http/http-handler.ts';
import { answerToHttp, idempotentRequest } from '../http/idempotent.ts';
import { ExtendHoldBody } from '../schemas/api.ts';
import { actorOf } from '../schemas/claims.ts';

/**
 * POST /cases/{caseId}/instructions/{instructionId}/extend (police, own agency): holdUntil = now +
 * holdHours, longer or shorter; the bank is told (app/extend-hold.ts).
 */
export const createExtendHold = (deps: Dependencies) =>
  httpHandler('extendHold', async (request) => {
    const caller = request.who;
    const ids = { caseId: request.pathParam('caseId'), instructionId: request.pathParam('instructionId') };
    const answer = await extendHold(deps, caller, ids, () => {
      const raw = request.rawJson();
      const { input, key } = request.bodyWithKey(ExtendHoldBody, raw);
      return { input, idem: idempotentRequest(actorOf(caller), key, request.event.rawPath, raw) };
    });
    return answerToHttp(answer);
  });

export const handler = lambdaEntry(createExtendHold);
