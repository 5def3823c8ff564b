import { type Dependencies, lambdaEntry } from '../adapters/dependencies.ts';
import { databaseProbe } from '../app/database-health.ts';
import { httpHandler, json } from '../http/http-handler.ts';
import { databaseUnavailable } from '../http/problem.ts';

/**
 * GET /health: public; 200 `{"status":"ok"}` while the database answers (docs/api.md "Running it
 * locally"), else 503 + Retry-After: the system cannot take requests then.
 */
export const createHealth = (deps: Dependencies) => {
  const databaseAnswers = databaseProbe(deps);
  return httpHandler('health', async () => {
    if (!(await databaseAnswers())) throw databaseUnavailable();
    return json(200, { status: 'ok' });
  });
};

export const handler = lambdaEntry(createHealth);
