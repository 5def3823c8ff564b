import type { Dependencies } from '../adapters/dependencies.ts';
import { commitCaseChange } from '../adapters/dynamo/commit.ts';
import { getInstruction } from '../adapters/dynamo/instructions.ts';
import type { LegalBasis } from '../domain/entities.ts';
import { newReleaseId } from '../domain/ids.ts';
import { fromMoneyJson, type MoneyJson } from '../domain/money.ts';
import { checkReleaseTarget, decideReleaseOrder, type ReleaseOrderAnswer } from '../domain/release-order.ts';
import type { ReleaseDisposition } from '../domain/totals.ts';
import { actorOf, type Caller } from '../schemas/claims.ts';
import { caseInScope } from './case-scope.ts';
import { type CommandAnswer, type IdempotentRequest, idempotentCommand } from './idempotent-command.ts';

export interface ReleaseInput {
  instructionId: string;
  amount: MoneyJson;
  disposition: ReleaseDisposition;
  authority: LegalBasis;
}

/**
 * Release held funds (POST /cases/{caseId}/releases): a court's release to the victim
 * (RETURN_TO_VICTIM) or to the account holder (RELEASE_TO_HOLDER). The amount is reserved out of
 * what is still held (domain/release-order.ts; more → 409) in the same change that creates the
 * release instruction; the release then travels to the bank like any instruction (same connector,
 * retries and deadline), and the bank's confirmation moves the money between the totals
 * (app/record-confirmation.ts).
 */
export async function orderRelease(
  deps: Dependencies,
  caller: Caller,
  caseId: string,
  parse: () => { input: ReleaseInput; idem: IdempotentRequest },
): Promise<CommandAnswer> {
  const fraudCase = await caseInScope(deps.db, caller, caseId);
  const { input, idem } = parse();
  const start = (releaseId: string) =>
    deps.workflow.startExecution('stopPaymentInstruction', releaseId, {
      caseId: fraudCase.caseId,
      instructionId: releaseId,
    });
  return idempotentCommand(
    deps.db,
    idem,
    async () => {
      const amount = fromMoneyJson(input.amount);
      const releaseId = newReleaseId(fraudCase.caseId);
      const at = () => deps.now().toISOString();
      const answer = await commitCaseChange(deps.db, fraudCase.caseId, at, async () => {
        const held = checkReleaseTarget(
          await getInstruction(deps.db, input.instructionId),
          fraudCase.caseId,
          amount,
        );
        return decideReleaseOrder({
          held,
          releaseId,
          amount,
          disposition: input.disposition,
          authority: input.authority,
          actor: actorOf(caller),
          at: at(),
          idempotency: idem,
        });
      });
      await start(releaseId);
      return { statusCode: 202, body: answer };
    },
    (first) => start((first.body as ReleaseOrderAnswer).releaseId),
  );
}
