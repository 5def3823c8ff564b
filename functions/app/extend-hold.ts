import type { Dependencies } from '../adapters/dependencies.ts';
import { getBankForDelivery } from '../adapters/dynamo/banks.ts';
import { changeInstruction } from '../adapters/dynamo/instructions.ts';
import { log } from '../adapters/logger.ts';
import type { LegalBasis } from '../domain/entities.ts';
import { decideExtension, holdEnd } from '../domain/hold-change.ts';
import { instructionView } from '../http/views.ts';
import { actorOf, type Caller } from '../schemas/claims.ts';
import { extendMessage } from '../workflow/messages.ts';
import { caseInScope, instructionOfCase } from './case-scope.ts';
import { deliverNotice, pendingNotice } from './deliver-notice.ts';
import { type CommandAnswer, type IdempotentRequest, idempotentCommand } from './idempotent-command.ts';

export interface ExtendInput {
  legalBasis: LegalBasis;
  holdHours: number;
}

/**
 * Extend a hold (POST /cases/{caseId}/instructions/{instructionId}/extend): converts or renews a hold
 * with a legal basis: holdUntil = now + holdHours, longer or shorter (domain/hold-change.ts). The hold
 * timer, woken at the old end, finds a later one and waits again; a shortened hold gets a timer of its
 * own for the new end. The bank is told (push `kind: "EXTEND"`, kept as a pending notice until
 * delivered: one attempt now, the reconciler retries; pull banks see the new holdUntil in their inbox).
 */
export async function extendHold(
  deps: Dependencies,
  caller: Caller,
  ids: { caseId: string; instructionId: string },
  parse: () => { input: ExtendInput; idem: IdempotentRequest },
): Promise<CommandAnswer> {
  const fraudCase = await caseInScope(deps.db, caller, ids.caseId);
  const found = await instructionOfCase(deps.db, fraudCase, ids.instructionId, 'FREEZE');
  const { input, idem } = parse();
  return idempotentCommand(deps.db, idem, async () => {
    const now = deps.now();
    const holdUntil = holdEnd(now, input.holdHours);
    const bank = await getBankForDelivery(deps.db, found.bankId);
    let body: unknown;
    let shortened = false;
    await changeInstruction(deps.db, found.instructionId, () => deps.now().toISOString(), {
      decide: (current) => {
        body = {
          ...instructionView({ ...current, holdUntil }),
          legalBasis: input.legalBasis,
          extendedAt: now.toISOString(),
        };
        const decision = decideExtension(current, {
          holdUntil,
          holdHours: input.holdHours,
          legalBasis: input.legalBasis,
          at: now.toISOString(),
          actor: actorOf(caller),
          notice:
            bank?.mode === 'push'
              ? pendingNotice(
                  'EXTEND',
                  `${current.instructionId}:EXTEND:${holdUntil}`,
                  extendMessage(current, holdUntil, input.legalBasis),
                  now,
                  holdUntil,
                )
              : undefined,
          idempotency: { ...idem, response: { statusCode: 200, body } },
        });
        shortened = decision.shortened;
        return decision;
      },
    });
    // A shortened hold must lapse at its new time: the running timer waits for the old end.
    if (shortened) {
      await deps.workflow.startExecution(
        'holdTimer',
        `${found.instructionId}-hold-${holdUntil.replace(/\D/g, '')}`,
        {
          caseId: fraudCase.caseId,
          instructionId: found.instructionId,
        },
      );
    }
    await deliverNotice(deps, found.instructionId, 'system:workflow').catch((error: unknown) =>
      log.warn('EXTEND not delivered yet; retried by the reconciler', {
        instructionId: found.instructionId,
        error: (error as Error).message,
      }),
    );
    return { statusCode: 200, body };
  });
}
