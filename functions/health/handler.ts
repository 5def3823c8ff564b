import { lambdaEntry } from '../adapters/dependencies.ts';
import { httpHandler, json } from '../http/http-handler.ts';

/** GET /health: public; answers once the function (and so the system) takes requests. */
export const createHealth = () => httpHandler('health', async () => json(200, { status: 'ok' }));

export const handler = lambdaEntry(createHealth);
