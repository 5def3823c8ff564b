import { type Dependencies, lambdaEntry } from '../adapters/dependencies.ts';
import { submitFreezeOrder } from '../app/submit-freeze-order.ts';
import { httpHandler } from '../http/http-handler.ts';
import { answerToHttp, idempotentRequest } from '../http/idempotent.ts';
import { SubmitFreezeOrderBody } from '../schemas/api.ts';
import { actorOf } from '../schemas/claims.ts';

export type { FanOutInput } from '../app/submit-freeze-order.ts';

/**
 * POST /cases/{caseId}/freeze-orders (police, own agency): the order and one stop-payment instruction
 * per target, then the fan-out workflow (app/submit-freeze-order.ts). 202: delivery happens there.
 */
export const createSubmitFreezeOrder = (deps: Dependencies) =>
  httpHandler('submitFreezeOrder', async (request) => {
    const caller = request.who;
    if (caller.role !== 'police') throw new Error('unreachable: route is police-only');
    const answer = await submitFreezeOrder(deps, caller, request.pathParam('caseId'), () => {
      const raw = request.rawJson();
      const { input, key } = request.bodyWithKey(SubmitFreezeOrderBody, raw);
      return { input, idem: idempotentRequest(actorOf(caller), key, request.event.rawPath, raw) };
    });
    return answerToHttp(answer);
  });

export const handler = lambdaEntry(createSubmitFreezeOrder);
