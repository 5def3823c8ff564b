import { type Dependencies, lambdaEntry } from '../adapters/dependencies.ts';
import { confirmSandboxDelivery } from '../app/sandbox-confirmation.ts';
import { StateConflict } from '../domain/errors.ts';
import { httpHandler, json } from '../http/http-handler.ts';
import { HttpProblem, notFound } from '../http/problem.ts';
import { bankInScope } from '../http/scope.ts';

/**
 * POST /banks/{bankId}/test-deliveries/{deliveryId}/confirmations (that bank): the sandbox's
 * scripted answers to a confirmation client (domain/sandbox.ts), as problem+json where they refuse.
 */
export const createBankTestConfirmation = (deps: Dependencies) =>
  httpHandler('bankTestConfirmation', async (request) => {
    const bankId = request.pathParam('bankId');
    bankInScope(request.who, bankId);
    const deliveryId = request.pathParam('deliveryId');
    const answer = await confirmSandboxDelivery(
      deps,
      bankId,
      deliveryId,
      (schema) => request.body(schema),
      () => request.rawJson(),
    );
    if (!answer) throw notFound(`sandbox delivery ${deliveryId}`);
    const detail = String(answer.body.detail ?? '');
    if (answer.status === 503) {
      throw new HttpProblem(503, 'Service Unavailable', detail, undefined, {
        'retry-after': String(answer.retryAfter ?? 1),
      });
    }
    if (answer.status === 409) throw new StateConflict(detail, answer.rule ?? 'CONFIRMATION_ID_REUSED');
    return json(answer.status, answer.body);
  });

export const handler = lambdaEntry(createBankTestConfirmation);
