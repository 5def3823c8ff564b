import { type Dependencies, lambdaEntry } from '../adapters/dependencies.ts';
import { getBanks } from '../adapters/dynamo/banks.ts';
import { getIdempotencyRecord } from '../adapters/dynamo/idempotency.ts';
import {
  countHolds,
  leaseLargeOrder,
  MAX_HOLDS_PER_ACCOUNT,
  submitFreezeOrder,
} from '../adapters/dynamo/orders.ts';
import { MAX_TRANSACTION_ITEMS } from '../adapters/dynamo/transact.ts';
import type { FreezeOrder, StopPaymentInstruction } from '../domain/entities.ts';
import { StateConflict, ValidationProblem } from '../domain/errors.ts';
import { newOrderId, orderInstructionId } from '../domain/ids.ts';
import { fromMoneyJson, toMoneyJson } from '../domain/money.ts';
import { newInstruction } from '../domain/new-instruction.ts';
import { httpHandler, json } from '../http/http-handler.ts';
import { idempotentRequest, replayIfSeen, replayOfRaceWinner, storedToHttp } from '../http/idempotent.ts';
import { caseInScope } from '../http/scope.ts';
import { DEFAULT_HOLD_HOURS, SubmitFreezeOrderBody } from '../schemas/api.ts';
import { actorOf } from '../schemas/claims.ts';

/** Workflow input of the freeze-order fan-out: which instructions to start. */
export interface FanOutInput {
  caseId: string;
  orderId: string;
  instructionIds: string[];
}

/**
 * POST /cases/{caseId}/freeze-orders (police, own agency): writes the order and one stop-payment
 * instruction per target, then starts the fan-out workflow (execution named after the order, so a
 * replay or a retried start cannot run it twice). 202: delivery happens in the workflow.
 */
export const createSubmitFreezeOrder = (deps: Dependencies) =>
  httpHandler('submitFreezeOrder', async (request) => {
    const caller = request.who;
    if (caller.role !== 'police') throw new Error('unreachable: route is police-only');
    const fraudCase = await caseInScope(deps.db, caller, request.pathParam('caseId'));
    const raw = request.rawJson();
    const { input, key } = request.bodyWithKey(SubmitFreezeOrderBody, raw);
    const idem = idempotentRequest(actorOf(caller), key, request.event.rawPath, raw);

    const startFanOut = (body: { orderId: string; instructions: { instructionId: string }[] }) =>
      deps.workflow.startExecution('freezeOrder', body.orderId, {
        caseId: fraudCase.caseId,
        orderId: body.orderId,
        instructionIds: body.instructions.map((i) => i.instructionId),
      } satisfies FanOutInput);

    const seen = await replayIfSeen(deps.db, idem);
    if (seen) {
      // The first attempt may have crashed between commit and start: starting again is a no-op if not.
      await startFanOut(seen.body as Parameters<typeof startFanOut>[0]);
      return storedToHttp(seen);
    }

    const banks = await getBanks(
      deps.db,
      input.targets.map((t) => t.bankId),
    );
    const missing = input.targets.flatMap((t, i) =>
      banks.has(t.bankId)
        ? []
        : [{ path: `targets.${i}.bankId`, message: `bank ${t.bankId} is not registered` }],
    );
    if (missing.length) throw new ValidationProblem(missing);

    const holds = await countHolds(deps.db, fraudCase.caseId, input.targets);
    const overLimit = input.targets.filter(
      (t) => (holds.get(`${t.bankId}/${t.accountNumber}`) ?? 0) >= MAX_HOLDS_PER_ACCOUNT,
    );
    if (overLimit.length) {
      throw new StateConflict(
        `an account may be placed on hold at most ${MAX_HOLDS_PER_ACCOUNT} times per case: ${overLimit
          .map((t) => `${t.bankId}/${t.accountNumber}`)
          .join(', ')}`,
        'MAX_HOLDS_PER_ACCOUNT',
      );
    }

    let orderId = newOrderId(fraudCase.caseId);
    let submittedAt = deps.now().toISOString();
    const large = 2 * input.targets.length + 5 > MAX_TRANSACTION_ITEMS;
    if (large) {
      const existing = await getIdempotencyRecord(deps.db, idem.callerScope, idem.key);
      const reserved = await leaseLargeOrder(
        deps.db,
        idem,
        existing,
        { orderId, submittedAt },
        deps.now().getTime(),
      );
      orderId = reserved.orderId ?? orderId;
      submittedAt = reserved.submittedAt ?? submittedAt;
    }

    const holdHours = input.holdHours ?? DEFAULT_HOLD_HOURS;
    const instructions: StopPaymentInstruction[] = input.targets.map((t, index) =>
      newInstruction({
        caseId: fraudCase.caseId,
        agencyId: fraudCase.agencyId,
        orderId,
        instructionId: orderInstructionId(orderId, index),
        bankId: t.bankId,
        accountNumber: t.accountNumber,
        accountName: t.accountName,
        requested: fromMoneyJson(t.amount),
        hop: 1,
        parentInstructionId: null,
        legalBasis: input.legalBasis,
        holdHours,
        createdAt: submittedAt,
        transferredAt: t.transferredAt,
        reference: t.reference,
      }),
    );
    const order: FreezeOrder = {
      caseId: fraudCase.caseId,
      orderId,
      legalBasis: input.legalBasis,
      holdHours,
      submittedAt,
      submittedBy: actorOf(caller),
      instructionIds: instructions.map((i) => i.instructionId),
    };
    const body = {
      orderId,
      caseId: fraudCase.caseId,
      holdHours,
      instructions: instructions.map((i) => ({
        instructionId: i.instructionId,
        bankId: i.bankId,
        accountNumber: i.accountNumber,
        amount: toMoneyJson(i.requested),
        status: i.status,
      })),
    };
    try {
      await submitFreezeOrder(
        deps.db,
        order,
        instructions,
        {
          actor: actorOf(caller),
          action: 'FREEZE_ORDER_SUBMITTED',
          subject: `${orderId}:${instructions.length}`,
        },
        { ...idem, response: { statusCode: 202, body } },
        deps.now,
      );
    } catch (error) {
      const replay = await replayOfRaceWinner(deps.db, idem, error);
      if (replay) return replay;
      throw error;
    }
    await startFanOut(body);
    return json(202, body);
  });

export const handler = lambdaEntry(createSubmitFreezeOrder);
