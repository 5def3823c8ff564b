import { type Dependencies, lambdaEntry } from '../adapters/dependencies.ts';
import { registerBank } from '../app/register-bank.ts';
import { httpHandler, json } from '../http/http-handler.ts';
import { actorOf } from '../schemas/claims.ts';

/** PUT /banks/{bankId} (admin): register or update a bank connector (app/register-bank.ts). */
export const createRegisterBank = (deps: Dependencies) =>
  httpHandler('registerBank', async (request) => {
    const { created, bank } = await registerBank(
      deps,
      request.pathParam('bankId'),
      (schema) => request.body(schema),
      actorOf(request.who),
    );
    return json(created ? 201 : 200, bank);
  });

export const handler = lambdaEntry(createRegisterBank);
