import { type Dependencies, lambdaEntry } from '../adapters/dependencies.ts';
import { openCase } from '../adapters/dynamo/cases.ts';
import { TransactionConflict } from '../adapters/dynamo/transact.ts';
import type { FraudCase } from '../domain/entities.ts';
import { newCaseId } from '../domain/ids.ts';
import { fromMoneyJson } from '../domain/money.ts';
import { httpHandler, json } from '../http/http-handler.ts';
import { idempotentRequest, replayIfSeen, storedToHttp } from '../http/idempotent.ts';
import { caseView } from '../http/views.ts';
import { OpenCaseBody } from '../schemas/api.ts';
import { actorOf } from '../schemas/claims.ts';

/** POST /cases (police): opens a case for the caller's agency. Idempotent by Idempotency-Key. */
export const createOpenCase = (deps: Dependencies) =>
  httpHandler('openCase', async (request) => {
    const caller = request.who;
    if (caller.role !== 'police') throw new Error('unreachable: route is police-only');
    const raw = request.rawJson();
    const { input, key } = request.bodyWithKey(OpenCaseBody, raw);
    const idem = idempotentRequest(actorOf(caller), key, request.event.rawPath, raw);
    for (;;) {
      const seen = await replayIfSeen(deps.db, idem);
      if (seen) return storedToHttp(seen);
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
      const body = caseView(fraudCase);
      try {
        await openCase(
          deps.db,
          fraudCase,
          { actor: actorOf(caller), action: 'CASE_OPENED', subject: fraudCase.caseId },
          { ...idem, response: { statusCode: 201, body } },
          deps.now().getTime(),
        );
        return json(201, body);
      } catch (error) {
        // A concurrent request with the same key won: answer with its response.
        if (error instanceof TransactionConflict && error.failedLabels.includes('idempotency')) continue;
        throw error;
      }
    }
  });

export const handler = lambdaEntry(createOpenCase);
