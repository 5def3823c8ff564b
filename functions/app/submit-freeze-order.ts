import type { Dependencies } from '../adapters/dependencies.ts';
import { getBanks } from '../adapters/dynamo/banks.ts';
import {
  commitCaseChange,
  commitInChunks,
  holdLimitFailures,
  transactionSize,
} from '../adapters/dynamo/commit.ts';
import { getIdempotencyRecord } from '../adapters/dynamo/idempotency.ts';
import { countHolds, leaseLargeOrder } from '../adapters/dynamo/orders.ts';
import { MAX_TRANSACTION_ITEMS } from '../adapters/dynamo/transact.ts';
import type { FraudCase } from '../domain/entities.ts';
import { ValidationProblem } from '../domain/errors.ts';
import {
  checkHoldLimit,
  decideFreezeOrder,
  holdLimitConflict,
  type OrderAnswer,
} from '../domain/freeze-order.ts';
import { newOrderId } from '../domain/ids.ts';
import { fromMoneyJson } from '../domain/money.ts';
import { DEFAULT_HOLD_HOURS, type SubmitFreezeOrderInput } from '../schemas/api.ts';
import type { Caller } from '../schemas/claims.ts';
import { actorOf } from '../schemas/claims.ts';
import { caseInScope } from './case-scope.ts';
import { type CommandAnswer, type IdempotentRequest, idempotentCommand } from './idempotent-command.ts';

/** Workflow input of the freeze-order fan-out: which instructions to start. */
export interface FanOutInput {
  caseId: string;
  orderId: string;
  instructionIds: string[];
}

/**
 * Submit a freeze order (POST /cases/{caseId}/freeze-orders): the case in the caller's scope (404),
 * then the body (`parse`: 422), every bank registered (422), the hold limit (409
 * MAX_HOLDS_PER_ACCOUNT), then the order, its instructions and the answer in one change
 * (domain/freeze-order.ts), and the fan-out workflow started, named after the order so a replay or a
 * retried start cannot run it twice. An order too large for one transaction is written in chunks
 * under an IN_PROGRESS lease of its Idempotency-Key (adapters/dynamo/commit.ts commitInChunks).
 */
export async function submitFreezeOrder(
  deps: Dependencies,
  caller: Caller,
  caseId: string,
  parse: () => { input: SubmitFreezeOrderInput; idem: IdempotentRequest },
): Promise<CommandAnswer> {
  const fraudCase = await caseInScope(deps.db, caller, caseId);
  const { input, idem } = parse();
  const startFanOut = (body: OrderAnswer) =>
    deps.workflow.startExecution('freezeOrder', body.orderId, {
      caseId: fraudCase.caseId,
      orderId: body.orderId,
      instructionIds: body.instructions.map((i) => i.instructionId),
    } satisfies FanOutInput);
  return idempotentCommand(
    deps.db,
    idem,
    async () => {
      const answer = await writeOrder(deps, fraudCase, actorOf(caller), input, idem);
      await startFanOut(answer);
      return { statusCode: 202, body: answer };
    },
    // The first attempt may have crashed between commit and start: starting again is a no-op if not.
    (first) => startFanOut(first.body as OrderAnswer),
  );
}

async function writeOrder(
  deps: Dependencies,
  fraudCase: FraudCase,
  actor: string,
  input: SubmitFreezeOrderInput,
  idem: IdempotentRequest,
): Promise<OrderAnswer> {
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
  checkHoldLimit(input.targets, await countHolds(deps.db, fraudCase.caseId, input.targets));

  const at = () => deps.now().toISOString();
  const decide = (orderId: string, submittedAt: string) =>
    decideFreezeOrder({
      fraudCase,
      orderId,
      submittedAt,
      actor,
      legalBasis: input.legalBasis,
      holdHours: input.holdHours ?? DEFAULT_HOLD_HOURS,
      targets: input.targets.map((t) => ({ ...t, amount: fromMoneyJson(t.amount) })),
      idempotency: idem,
    });
  let change = decide(newOrderId(fraudCase.caseId), at());
  try {
    if (transactionSize(change) <= MAX_TRANSACTION_ITEMS) {
      return await commitCaseChange(deps.db, fraudCase.caseId, at, async () => change);
    }
    // A crashed earlier attempt reserved its ids: its chunks are overwritten with identical items.
    const existing = await getIdempotencyRecord(deps.db, idem.callerScope, idem.key);
    const reserved = await leaseLargeOrder(
      deps.db,
      idem,
      existing,
      { orderId: change.answer.orderId, submittedAt: change.order?.submittedAt ?? at() },
      deps.now().getTime(),
    );
    if (reserved.orderId && reserved.submittedAt) change = decide(reserved.orderId, reserved.submittedAt);
    return await commitInChunks(deps.db, fraudCase.caseId, at, change);
  } catch (error) {
    const accounts = holdLimitFailures(error);
    if (accounts) throw holdLimitConflict(accounts);
    throw error;
  }
}
