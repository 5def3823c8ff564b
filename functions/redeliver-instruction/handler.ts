import { type Dependencies, lambdaEntry } from '../adapters/dependencies.ts';
import { getCase } from '../adapters/dynamo/cases.ts';
import { getInstruction } from '../adapters/dynamo/instructions.ts';
import { redeliverInstruction } from '../app/redeliver-instruction.ts';
import { ID_PATTERN } from '../domain/ids.ts';
import { httpHandler, json } from '../http/http-handler.ts';
import { notFound } from '../http/problem.ts';
import { caseInScope } from '../http/scope.ts';
import { RedeliverBody } from '../schemas/api.ts';
import { actorOf } from '../schemas/claims.ts';

/**
 * POST /cases/{caseId}/instructions/{instructionId}/redeliver (police of the case's agency, admin):
 * 202 once the redelivery is recorded (app/redeliver-instruction.ts).
 */
export const createRedeliverInstruction = (deps: Dependencies) =>
  httpHandler('redeliverInstruction', async (request) => {
    const caller = request.who;
    const caseId = request.pathParam('caseId');
    // An admin may redeliver in any case; police only in their agency's (else 404).
    const fraudCase =
      caller.role === 'admin'
        ? ID_PATTERN.test(caseId)
          ? await getCase(deps.db, caseId)
          : undefined
        : await caseInScope(deps.db, caller, caseId);
    if (!fraudCase) throw notFound(`case ${caseId}`);
    const instructionId = request.pathParam('instructionId');
    const instruction = await getInstruction(deps.db, instructionId);
    if (!instruction || instruction.caseId !== fraudCase.caseId)
      throw notFound(`instruction ${instructionId}`);
    if (request.event.body) request.body(RedeliverBody);
    return json(202, await redeliverInstruction(deps, instruction, actorOf(caller)));
  });

export const handler = lambdaEntry(createRedeliverInstruction);
