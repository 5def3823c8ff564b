import { type Dependencies, lambdaEntry } from '../adapters/dependencies.ts';
import { orderRelease } from '../app/order-release.ts';
import { httpHandler } from '../http/http-handler.ts';
import { answerToHttp, idempotentRequest } from '../http/idempotent.ts';
import { ReleaseBody } from '../schemas/api.ts';
import { actorOf } from '../schemas/claims.ts';

/**
 * POST /cases/{caseId}/releases (police, own agency): a court's release of held funds, to the victim
 * or to the account holder; more than is still held → 409 (app/order-release.ts).
 */
export const createOrderRelease = (deps: Dependencies) =>
  httpHandler('orderRelease', async (request) => {
    const caller = request.who;
    const answer = await orderRelease(deps, caller, request.pathParam('caseId'), () => {
      const raw = request.rawJson();
      const { input, key } = request.bodyWithKey(ReleaseBody, raw);
      return { input, idem: idempotentRequest(actorOf(caller), key, request.event.rawPath, raw) };
    });
    return answerToHttp(answer);
  });

export const handler = lambdaEntry(createOrderRelease);
