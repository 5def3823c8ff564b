import { type Dependencies, lambdaEntry } from '../adapters/dependencies.ts';
import { getBankForDelivery } from '../adapters/dynamo/banks.ts';
import { idempotencyCompleteOp } from '../adapters/dynamo/idempotency.ts';
import { changeInstruction, getInstruction } from '../adapters/dynamo/instructions.ts';
import { log } from '../adapters/logger.ts';
import { deliverNotice, pendingNotice } from '../app/deliver-notice.ts';
import { StateConflict } from '../domain/errors.ts';
import { isHeld } from '../domain/instruction-lifecycle.ts';
import { httpHandler, json } from '../http/http-handler.ts';
import { idempotentRequest, replayIfSeen, replayOfRaceWinner, storedToHttp } from '../http/idempotent.ts';
import { notFound } from '../http/problem.ts';
import { caseInScope } from '../http/scope.ts';
import { instructionView } from '../http/views.ts';
import { ExtendHoldBody } from '../schemas/api.ts';
import { actorOf } from '../schemas/claims.ts';
import { extendMessage } from '../workflow/messages.ts';

/**
 * POST /cases/{caseId}/instructions/{instructionId}/extend (police, own agency): converts or renews a
 * hold with a legal basis: holdUntil = now + holdHours, longer or shorter. The hold timer, woken at
 * the old end, finds a later one and waits again; a shortened hold gets a timer of its own for the new
 * end. The bank is told (push `kind: "EXTEND"`, kept as a pending notice until delivered; pull banks
 * see the new holdUntil in their inbox).
 */
export const createExtendHold = (deps: Dependencies) =>
  httpHandler('extendHold', async (request) => {
    const caller = request.who;
    const fraudCase = await caseInScope(deps.db, caller, request.pathParam('caseId'));
    const instructionId = request.pathParam('instructionId');
    const found = await getInstruction(deps.db, instructionId);
    if (!found || found.caseId !== fraudCase.caseId || found.kind !== 'FREEZE') {
      throw notFound(`instruction ${instructionId}`);
    }
    const raw = request.rawJson();
    const { input, key } = request.bodyWithKey(ExtendHoldBody, raw);
    const idem = idempotentRequest(actorOf(caller), key, request.event.rawPath, raw);
    const seen = await replayIfSeen(deps.db, idem);
    if (seen) return storedToHttp(seen);

    const now = deps.now();
    const holdUntil = new Date(now.getTime() + input.holdHours * 3_600_000).toISOString();
    const bank = await getBankForDelivery(deps.db, found.bankId);
    let body: unknown;
    let shortened = false;
    try {
      await changeInstruction(deps.db, instructionId, () => deps.now().toISOString(), {
        decide: (current) => {
          if (!isHeld(current.status)) {
            throw new StateConflict(
              `instruction ${instructionId} is ${current.status}: only a hold (FROZEN or PARTIALLY_FROZEN) can be extended`,
              'HOLD_NOT_ACTIVE',
            );
          }
          const extended = { ...current, holdUntil };
          shortened = current.holdUntil !== null && Date.parse(holdUntil) < Date.parse(current.holdUntil);
          body = {
            ...instructionView(extended),
            legalBasis: input.legalBasis,
            extendedAt: now.toISOString(),
          };
          return {
            set: {
              holdUntil,
              holdHours: input.holdHours,
              holdLegalBasis: input.legalBasis,
              extendedAt: now.toISOString(),
              // The bank is told by the push rules (retried until the new holdUntil, app/deliver-notice.ts).
              ...(bank?.mode === 'push'
                ? {
                    pendingNotice: pendingNotice(
                      'EXTEND',
                      `${instructionId}:EXTEND:${holdUntil}`,
                      extendMessage(current, holdUntil, input.legalBasis),
                      now,
                      holdUntil,
                    ),
                  }
                : {}),
            },
            extraOps: [
              idempotencyCompleteOp(
                deps.db,
                idem.callerScope,
                idem.key,
                idem.hash,
                { statusCode: 200, body },
                now.getTime(),
              ),
            ],
            audit: [
              { actor: actorOf(caller), action: 'HOLD_EXTENDED', subject: `${instructionId}:${holdUntil}` },
            ],
          };
        },
      });
    } catch (error) {
      const replay = await replayOfRaceWinner(deps.db, idem, error);
      if (replay) return replay;
      throw error;
    }
    // A shortened hold must lapse at its new time: the running timer waits for the old end.
    if (shortened) {
      await deps.workflow.startExecution(
        'holdTimer',
        `${instructionId}-hold-${holdUntil.replace(/\D/g, '')}`,
        {
          caseId: fraudCase.caseId,
          instructionId,
        },
      );
    }
    // One attempt now; a failed one is retried by the reconciler (the notice waits on the instruction).
    await deliverNotice(deps, instructionId, 'system:workflow').catch((error: unknown) =>
      log.warn('EXTEND not delivered yet; retried by the reconciler', {
        instructionId,
        error: (error as Error).message,
      }),
    );
    return json(200, body);
  });

export const handler = lambdaEntry(createExtendHold);
