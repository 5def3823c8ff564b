import { type Dependencies, lambdaEntry } from '../adapters/dependencies.ts';
import { redeliverInCase } from '../app/redeliver-instruction.ts';
import { httpHandler, json } from '../http/http-handler.ts';
import { RedeliverBody } from '../schemas/api.ts';

/**
 * POST /cases/{caseId}/instructions/{instructionId}/redeliver (police of the case's agency, admin):
 * 202 once the redelivery is recorded (app/redeliver-instruction.ts).
 */
export const createRedeliverInstruction = (deps: Dependencies) =>
  httpHandler('redeliverInstruction', async (request) => {
    const ids = { caseId: request.pathParam('caseId'), instructionId: request.pathParam('instructionId') };
    const answer = await redeliverInCase(deps, request.who, ids, () => {
      if (request.event.body) request.body(RedeliverBody);
    });
    return json(202, answer);
  });

export const handler = lambdaEntry(createRedeliverInstruction);
