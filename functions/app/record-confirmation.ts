import type { Dependencies } from '../adapters/dependencies.ts';
import { CONFIRMATION_LABEL, commitCaseChange, failedOn } from '../adapters/dynamo/commit.ts';
import { getConfirmation } from '../adapters/dynamo/confirmations.ts';
import { requestHash } from '../adapters/dynamo/idempotency.ts';
import { getInstruction, getTaskToken } from '../adapters/dynamo/instructions.ts';
import {
  type ConfirmationAnswer,
  decideFreezeConfirmation,
  decideReleaseConfirmation,
  type ReleaseConfirmation,
  replayOf,
} from '../domain/confirmation-change.ts';
import type { BankConfirmation } from '../domain/confirmation-rules.ts';
import type { StopPaymentInstruction } from '../domain/entities.ts';
import { NotFound } from '../domain/errors.ts';
import { caseIdOfInstruction } from '../domain/ids.ts';
import { isAwaitingConfirmation } from '../domain/instruction-lifecycle.ts';

/** The bank's body, parsed by the handler once it knows which kind of instruction it answers. */
export type ParsedConfirmation =
  | { kind: 'FREEZE'; confirmation: BankConfirmation; raw: unknown }
  | { kind: 'RELEASE'; confirmation: ReleaseConfirmation; raw: unknown };

/**
 * Record a bank's confirmation (POST /banks/{bankId}/instructions/{instructionId}/confirmations):
 * the instruction of that bank (else 404), the body parsed for its kind (`parse`: 422), then ONE
 * change decided on the instruction as read now (domain/confirmation-change.ts) and committed with
 * its audit entry; then the workflow's waiting task is completed if it registered a token (if it
 * registers later, it finds the confirmation and completes itself: no lost race). Idempotent by
 * confirmationId: a replay answers the first answer (200), a reuse for something else is a 409.
 */
export async function recordConfirmation(
  deps: Dependencies,
  bankId: string,
  instructionId: string,
  actor: string,
  parse: (kind: StopPaymentInstruction['kind']) => ParsedConfirmation,
): Promise<ConfirmationAnswer> {
  const caseId = caseIdOfInstruction(instructionId);
  const notFound = () => new NotFound(`instruction ${instructionId} does not exist`);
  if (!caseId) throw notFound();
  // Parsed once, on the first read of the instruction: 404 comes before 422 (docs/api.md), and the body's
  // schema depends on the instruction's kind.
  let parsed: ParsedConfirmation | undefined;
  let hash = '';
  const stored = () =>
    parsed ? getConfirmation(deps.db, caseId, bankId, parsed.confirmation.confirmationId) : undefined;
  const at = () => deps.now().toISOString();
  let answer: ConfirmationAnswer;
  try {
    answer = await commitCaseChange(deps.db, caseId, at, async () => {
      const instruction = await getInstruction(deps.db, instructionId);
      if (!instruction || instruction.bankId !== bankId) throw notFound();
      if (!parsed) {
        parsed = parse(instruction.kind);
        hash = requestHash(replayIdentity(parsed.raw));
      }
      const ctx = { requestHash: hash, actor, at: at() };
      if (parsed.kind === 'FREEZE') {
        // The confirmation record is put if absent: only an answered instruction needs it read first.
        const first = isAwaitingConfirmation(instruction.status) ? undefined : await stored();
        return decideFreezeConfirmation(instruction, parsed.confirmation, first, ctx);
      }
      const held = instruction.releasesInstructionId
        ? await getInstruction(deps.db, instruction.releasesInstructionId)
        : undefined;
      return decideReleaseConfirmation(instruction, held, parsed.confirmation, await stored(), ctx);
    });
  } catch (error) {
    // The confirmationId is taken (a concurrent replay won, or the bank reused it for another
    // instruction): answer as a replay of the first, or 409.
    const first = failedOn(error, CONFIRMATION_LABEL) ? await stored() : undefined;
    if (!first) throw error;
    answer = replayOf(first, hash, instructionId);
  }
  const taskToken = await getTaskToken(deps.db, instructionId);
  if (taskToken) await deps.workflow.sendTaskSuccess(taskToken, answer.body);
  return answer;
}

/**
 * What makes two confirmations "the same" (docs/api.md): everything but `reportedAt` and `reason`, which a
 * bank's retry rebuilds. The same confirmationId with another result, amount or transfer is a 409.
 */
export function replayIdentity(raw: unknown): unknown {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return raw;
  const { reportedAt: _reportedAt, reason: _reason, ...identity } = raw as Record<string, unknown>;
  return identity;
}
