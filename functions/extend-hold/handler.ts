import { type Dependencies, lambdaEntry } from '../adapters/dependencies.ts';
import { getBankForDelivery } from '../adapters/dynamo/banks.ts';
import { idempotencyCompleteOp } from '../adapters/dynamo/idempotency.ts';
import { changeInstruction, getInstruction } from '../adapters/dynamo/instructions.ts';
import { log } from '../adapters/logger.ts';
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
 * hold with a legal basis: holdUntil = now + holdHours. The hold timer, woken at the old end, finds
 * the new one and waits again. The bank is told (push `kind: "EXTEND"`; pull banks see the new
 * holdUntil in their inbox).
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
    let body: unknown;
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
    await tellBank(deps, instructionId, holdUntil, input.legalBasis);
    return json(200, body);
  });

/** Best effort (the extension is the legal fact and is recorded): a few tries, then a logged warning. */
async function tellBank(deps: Dependencies, instructionId: string, holdUntil: string, legalBasis: unknown) {
  const instruction = await getInstruction(deps.db, instructionId);
  const bank = instruction ? await getBankForDelivery(deps.db, instruction.bankId) : undefined;
  if (!instruction || bank?.mode !== 'push') return;
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      await deps.connector.push(
        bank,
        extendMessage(instruction, holdUntil, legalBasis),
        `${instructionId}:EXTEND:${holdUntil}`,
      );
      return;
    } catch (error) {
      if ((error as Error).name === 'ConnectorPermanentError' || attempt === 3) {
        log.warn('EXTEND not delivered; the bank sees the new holdUntil in its inbox', {
          instructionId,
          error: (error as Error).message,
        });
        return;
      }
      await new Promise((r) => setTimeout(r, 200 * attempt));
    }
  }
}

export const handler = lambdaEntry(createExtendHold);
