import { type Dependencies, lambdaEntry } from '../adapters/dependencies.ts';
import { idempotencyCompleteOp } from '../adapters/dynamo/idempotency.ts';
import { changeInstruction, getInstruction } from '../adapters/dynamo/instructions.ts';
import { instructionPutOp } from '../adapters/dynamo/orders.ts';
import { StateConflict, ValidationProblem } from '../domain/errors.ts';
import { newReleaseId } from '../domain/ids.ts';
import { isHeld } from '../domain/instruction-lifecycle.ts';
import { fromMoneyJson, toMoneyJson } from '../domain/money.ts';
import { newInstruction } from '../domain/new-instruction.ts';
import { httpHandler, json } from '../http/http-handler.ts';
import { idempotentRequest, replayIfSeen, replayOfRaceWinner, storedToHttp } from '../http/idempotent.ts';
import { caseInScope } from '../http/scope.ts';
import { ReleaseBody } from '../schemas/api.ts';
import { actorOf } from '../schemas/claims.ts';

/**
 * POST /cases/{caseId}/releases (police, own agency): a court's release of held funds, to the
 * victim (RETURN_TO_VICTIM) or to the account holder (RELEASE_TO_HOLDER). The amount is reserved out
 * of what is still held (more → 409) in the same transaction that creates the release instruction;
 * the release then travels to the bank like any instruction (same connector, retries and deadline)
 * and the bank's confirmation moves the money between the totals.
 */
export const createOrderRelease = (deps: Dependencies) =>
  httpHandler('orderRelease', async (request) => {
    const caller = request.who;
    const fraudCase = await caseInScope(deps.db, caller, request.pathParam('caseId'));
    const raw = request.rawJson();
    const { input, key } = request.bodyWithKey(ReleaseBody, raw);
    const idem = idempotentRequest(actorOf(caller), key, request.event.rawPath, raw);
    const seen = await replayIfSeen(deps.db, idem);
    const start = (releaseId: string) =>
      deps.workflow.startExecution('stopPaymentInstruction', releaseId, {
        caseId: fraudCase.caseId,
        instructionId: releaseId,
      });
    if (seen) {
      await start((seen.body as { releaseId: string }).releaseId);
      return storedToHttp(seen);
    }

    const held = await getInstruction(deps.db, input.instructionId);
    if (!held || held.caseId !== fraudCase.caseId || held.kind !== 'FREEZE') {
      throw new ValidationProblem([
        { path: 'instructionId', message: 'no freeze instruction of this case has this id' },
      ]);
    }
    const amount = fromMoneyJson(input.amount);
    if (amount.currency !== held.requested.currency) {
      throw new ValidationProblem([
        { path: 'amount.currency', message: `must be the held funds' currency ${held.requested.currency}` },
      ]);
    }
    const now = deps.now();
    const releaseId = newReleaseId(fraudCase.caseId);
    const body = {
      releaseId,
      instructionId: releaseId,
      releasesInstructionId: held.instructionId,
      status: 'PENDING',
      bankId: held.bankId,
      amount: toMoneyJson(amount),
      disposition: input.disposition,
    };
    try {
      await changeInstruction(deps.db, held.instructionId, () => deps.now().toISOString(), {
        decide: (current) => {
          if (!isHeld(current.status)) {
            throw new StateConflict(
              `instruction ${current.instructionId} is ${current.status}: nothing is held there`,
              'NOTHING_HELD',
            );
          }
          const available = current.frozen.minor - current.releasePending;
          if (amount.minor > available) {
            throw new StateConflict(
              `amount ${amount.minor} exceeds what is still held there (${available} ${amount.currency} not already being released)`,
              'RELEASE_EXCEEDS_HOLD',
            );
          }
          const release = newInstruction({
            kind: 'RELEASE',
            caseId: current.caseId,
            agencyId: current.agencyId,
            orderId: current.orderId,
            instructionId: releaseId,
            bankId: current.bankId,
            accountNumber: current.accountNumber,
            accountName: current.accountName,
            requested: amount,
            hop: current.hop,
            parentInstructionId: current.instructionId,
            legalBasis: input.authority,
            holdHours: current.holdHours,
            createdAt: now.toISOString(),
            releasesInstructionId: current.instructionId,
            disposition: input.disposition,
          });
          return {
            set: { releasePending: current.releasePending + amount.minor },
            extraOps: [
              instructionPutOp(deps.db, release, true),
              idempotencyCompleteOp(
                deps.db,
                idem.callerScope,
                idem.key,
                idem.hash,
                { statusCode: 202, body },
                now.getTime(),
              ),
            ],
            audit: [
              {
                actor: actorOf(caller),
                action: 'RELEASE_ORDERED',
                subject: `${releaseId}:${current.instructionId}:${input.disposition}:${amount.currency}:${amount.minor}`,
              },
            ],
          };
        },
      });
    } catch (error) {
      const replay = await replayOfRaceWinner(deps.db, idem, error);
      if (replay) return replay;
      throw error;
    }
    await start(releaseId);
    return json(202, body);
  });

export const handler = lambdaEntry(createOrderRelease);
