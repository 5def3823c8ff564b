import type { Dependencies } from '../adapters/dependencies.ts';
import { openCase as writeCase } from '../adapters/dynamo/cases.ts';
import type { FraudCase } from '../domain/entities.ts';
import { newCaseId } from '../domain/ids.ts';
import { fromMoneyJson, type MoneyJson } from '../domain/money.ts';
import { caseView } from '../http/views.ts';
import { actorOf, type Caller } from '../schemas/claims.ts';
import { type CommandAnswer, type IdempotentRequest, idempotentCommand } from './idempotent-command.ts';

export interface OpenCaseInput {
  reference: string;
  reportedLoss: MoneyJson;
  reportedAt: string;
  summary?: string | undefined;
}

/** Open a case (POST /cases) for the caller's agency: case, empty totals, first audit event, answer. */
export async function openCase(
  deps: Dependencies,
  caller: Extract<Caller, { role: 'police' }>,
  input: OpenCaseInput,
  idem: IdempotentRequest,
): Promise<CommandAnswer> {
  return idempotentCommand(deps.db, idem, async () => {
    const fraudCase: FraudCase = {
      caseId: newCaseId(),
      agencyId: caller.agencyId,
      reference: input.reference,
      reportedLoss: fromMoneyJson(input.reportedLoss),
      reportedAt: input.reportedAt,
      summary: input.summary,
      openedAt: deps.now().toISOString(),
      openedBy: actorOf(caller),
    };
    const response = { statusCode: 201, body: caseView(fraudCase) };
    await writeCase(
      deps.db,
      fraudCase,
      { actor: actorOf(caller), action: 'CASE_OPENED', subject: fraudCase.caseId },
      { ...idem, response },
      deps.now().getTime(),
    );
    return response;
  });
}
