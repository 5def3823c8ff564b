/**
 * vitest globalSetup: ONE DynamoDB Local for the whole run (3 s of JVM start paid once, not per file).
 * Runs in the main vitest process; test files (in workers) get the endpoint through
 * `inject('dynamoLocalEndpoint')` (see test/support/dynamo.ts) and each uses its own tables.
 * The teardown stops the JVM whether tests passed or failed; local/dynamo-local.ts also kills it on
 * process exit and on SIGINT/SIGTERM (Ctrl-C, or a run that is killed).
 */
import type { TestProject } from 'vitest/node';
import { startDynamoLocal } from '../../local/dynamo-local.ts';
// The ProvidedContext key 'dynamoLocalEndpoint' is declared in test/support/dynamo.ts.

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dynamo = await startDynamoLocal();
  project.provide('dynamoLocalEndpoint', dynamo.endpoint);
  return () => dynamo.stop();
}
