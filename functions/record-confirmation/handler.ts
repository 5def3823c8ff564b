import { type Dependencies, lambdaEntry } from '../adapters/dependencies.ts';
import { recordFreezeConfirmation, recordReleaseConfirmation } from '../adapters/dynamo/confirmations.ts';
import { requestHash } from '../adapters/dynamo/idempotency.ts';
import { getInstructionSnapshot, getTaskToken } from '../adapters/dynamo/instructions.ts';
import type { BankConfirmation } from '../domain/confirmation-rules.ts';
import { fromMoneyJson } from '../domain/money.ts';
import { httpHandler, json } from '../http/http-handler.ts';
import { notFound } from '../http/problem.ts';
import { bankInScope } from '../http/scope.ts';
import { FreezeConfirmationBody, ReleaseConfirmationBody } from '../schemas/api.ts';
import { actorOf } from '../schemas/claims.ts';

/**
 * POST /banks/{bankId}/instructions/{instructionId}/confirmations (that bank): records the bank's
 * result in one transaction, then completes the workflow's waiting task if it registered a token
 * (if it registers later, it finds the confirmation and completes itself: no lost race).
 */
export const createRecordConfirmation = (deps: Dependencies) =>
  httpHandler('recordConfirmation', async (request) => {
    const completeWaitingTask = async (instructionId: string, output: Record<string, unknown>) => {
      const taskToken = await getTaskToken(deps.db, instructionId);
      if (taskToken) await deps.workflow.sendTaskSuccess(taskToken, output);
    };
    const caller = request.who;
    const bankId = request.pathParam('bankId');
    bankInScope(caller, bankId);
    const instructionId = request.pathParam('instructionId');
    const snapshot = await getInstructionSnapshot(deps.db, instructionId);
    const instruction = snapshot?.instruction;
    if (!instruction || instruction.bankId !== bankId) throw notFound(`instruction ${instructionId}`);
    const raw = request.rawJson();
    if (instruction.kind === 'RELEASE') {
      const release = request.body(ReleaseConfirmationBody, raw);
      const answer = await recordReleaseConfirmation(
        deps.db,
        instructionId,
        {
          confirmationId: release.confirmationId,
          released: fromMoneyJson(release.released),
          reportedAt: release.reportedAt,
          reason: release.reason,
        },
        requestHash(replayIdentity(raw)),
        actorOf(caller),
        deps.now,
      );
      await completeWaitingTask(instructionId, answer.body);
      return json(answer.statusCode, answer.body);
    }
    const input = request.body(FreezeConfirmationBody, raw);
    const confirmation: BankConfirmation = {
      confirmationId: input.confirmationId,
      result: input.result,
      frozen: input.frozen ? fromMoneyJson(input.frozen) : undefined,
      cashWithdrawn: input.cashWithdrawn ? fromMoneyJson(input.cashWithdrawn) : undefined,
      onwardTransfers: input.onwardTransfers?.map((t) => ({ ...t, amount: fromMoneyJson(t.amount) })),
      reason: input.reason,
      reportedAt: input.reportedAt,
    };
    const answer = await recordFreezeConfirmation(
      deps.db,
      instructionId,
      confirmation,
      requestHash(replayIdentity(raw)),
      actorOf(caller),
      deps.now,
      snapshot,
    );
    await completeWaitingTask(instructionId, answer.body);
    return json(answer.statusCode, answer.body);
  });

/**
 * What makes two confirmations "the same" (docs/api.md): everything but `reportedAt` and `reason`, which a
 * bank's retry rebuilds. The same confirmationId with another result, amount or transfer is a 409.
 */
export function replayIdentity(raw: unknown): unknown {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return raw;
  const { reportedAt: _reportedAt, reason: _reason, ...identity } = raw as Record<string, unknown>;
  return identity;
}

export const handler = lambdaEntry(createRecordConfirmation);
