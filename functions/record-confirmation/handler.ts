import { type Dependencies, lambdaEntry } from '../adapters/dependencies.ts';
import { type ParsedConfirmation, recordConfirmation } from '../app/record-confirmation.ts';
import { fromMoneyJson } from '../domain/money.ts';
import { type HttpRequest, httpHandler, json } from '../http/http-handler.ts';
import { bankInScope } from '../http/scope.ts';
import { FreezeConfirmationBody, ReleaseConfirmationBody } from '../schemas/api.ts';
import { actorOf } from '../schemas/claims.ts';

export { replayIdentity } from '../app/record-confirmation.ts';

/**
 * POST /banks/{bankId}/instructions/{instructionId}/confirmations (that bank): records the bank's
 * result in one transaction and completes the workflow's waiting task (app/record-confirmation.ts).
 */
export const createRecordConfirmation = (deps: Dependencies) =>
  httpHandler('recordConfirmation', async (request) => {
    const caller = request.who;
    const bankId = request.pathParam('bankId');
    bankInScope(caller, bankId);
    const answer = await recordConfirmation(
      deps,
      bankId,
      request.pathParam('instructionId'),
      actorOf(caller),
      (kind) => parseConfirmation(request, kind),
    );
    return json(answer.statusCode, answer.body);
  });

function parseConfirmation(request: HttpRequest, kind: 'FREEZE' | 'RELEASE'): ParsedConfirmation {
  const raw = request.rawJson();
  if (kind === 'RELEASE') {
    const r = request.body(ReleaseConfirmationBody, raw);
    return { kind, raw, confirmation: { ...r, released: fromMoneyJson(r.released) } };
  }
  const c = request.body(FreezeConfirmationBody, raw);
  const money = (m: typeof c.frozen) => (m ? fromMoneyJson(m) : undefined);
  return {
    kind,
    raw,
    confirmation: {
      ...c,
      frozen: money(c.frozen),
      cashWithdrawn: money(c.cashWithdrawn),
      onwardTransfers: c.onwardTransfers?.map((t) => ({ ...t, amount: fromMoneyJson(t.amount) })),
    },
  };
}

export const handler = lambdaEntry(createRecordConfirmation);
