/**
 * vitest globalSetup: at most ONE DynamoDB Local for the whole run, started on first demand.
 *
 * Runs in the main vitest process and serves a tiny loopback HTTP "broker": the first test file that
 * calls `useDynamoLocal()` (test/support/dynamo.ts) asks it for the endpoint, which starts the JVM
 * (3 s, paid once); later files get the same endpoint, each working in tables of its own. A run with
 * no DynamoDB tests (unit, infra) starts no JVM at all. The broker's address reaches the workers
 * through `provide`/`inject('dynamoLocalBroker')`.
 *
 * The teardown stops the JVM whether tests passed or failed; local/dynamo-local.ts also kills it on
 * process exit and on SIGINT/SIGTERM (Ctrl-C, or a killed run).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestProject } from 'vitest/node';
import { type DynamoLocal, startDynamoLocal } from '../../local/dynamo-local.ts';
// The ProvidedContext key 'dynamoLocalBroker' is declared in test/support/dynamo.ts.

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let starting: Promise<DynamoLocal> | undefined;
  const server = createServer((_request, response) => {
    starting ??= startDynamoLocal();
    starting.then(
      (dynamo) => response.writeHead(200, { 'content-type': 'text/plain' }).end(dynamo.endpoint),
      (error: unknown) =>
        response
          .writeHead(500, { 'content-type': 'text/plain' })
          .end(error instanceof Error ? error.message : String(error)),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  project.provide('dynamoLocalBroker', `http://127.0.0.1:${port}/`);

  return async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const dynamo = await starting?.catch(() => undefined);
    await dynamo?.stop();
  };
}
