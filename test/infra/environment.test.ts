/**
 * Every environment variable a function's code reads is set by the template (issue 12 §3). The reads
 * are derived from the code, not listed by hand: esbuild resolves each handler's import graph (as the
 * bundle does), and every first-party file in it is searched for `process.env.X`, `env.X` and
 * `env[CONST]` (CONST resolved to its string, or every string of a constant map). A read that cannot
 * be resolved fails the test, so a new way of reading the environment cannot slip past it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { API_URL_ENV } from '../../functions/adapters/dependencies.ts';
import { EVENT_BUS_ENV } from '../../functions/adapters/event-publisher.ts';
import { SECRETS_KMS_KEY_ENV } from '../../functions/adapters/secret-store.ts';
import {
  type FunctionFolder,
  type FunctionSpec,
  functionCatalog,
  functionFolders,
} from '../../infra/function-catalog.ts';
import { constants, environmentReads, importGraph } from '../support/code-graph.ts';
import { type Built, buildStack } from './fixture.ts';

/** Read only where the catalog gives the capability (the code refuses the operation elsewhere). */
const onlyWhere: Record<string, (spec: FunctionSpec) => boolean> = {
  [EVENT_BUS_ENV]: (spec) => spec.publishesEvents,
  [SECRETS_KMS_KEY_ENV]: (spec) => spec.signingSecrets === 'write',
};

/** Read by the code, deliberately unset in AWS (each with why). */
const unsetInAws: Record<string, string> = {
  AWS_LAMBDA_FUNCTION_NAME: 'set by the Lambda runtime itself (metrics are written only inside Lambda)',
  DYNAMODB_ENDPOINT:
    'points the client at DynamoDB Local (tests, bench); unset, the SDK uses the regional endpoint',
};

let built: Built;
const graphs = new Map<FunctionFolder, string[]>();
let known: Map<string, string[]>;

beforeAll(async () => {
  built = buildStack();
  for (const folder of functionFolders) graphs.set(folder, await importGraph(folder));
  known = constants([...new Set([...graphs.values()].flat())]);
});

const environmentOf = (folder: FunctionFolder): Record<string, unknown> =>
  built.resources[built.functionId(folder)]?.Properties.Environment?.Variables ?? {};

describe('environment variables: read by the code ⊆ set by the template', () => {
  it('derives a non-trivial set of reads from the code (the scan works)', () => {
    const all = new Set(
      [...graphs.values()].flatMap((files) => environmentReads(files, known).reads.map((r) => r.name)),
    );
    for (const name of [API_URL_ENV, EVENT_BUS_ENV, 'FREEZEFLOW_TABLE', 'FREEZE_ORDER_STATE_MACHINE_ARN']) {
      expect(all, name).toContain(name);
    }
  });

  it.each(functionFolders)('%s: every variable its import graph reads is set', (folder) => {
    const { reads, unresolved } = environmentReads(graphs.get(folder) ?? [], known);
    expect(unresolved, unresolved.join('; ')).toEqual([]);
    const env = environmentOf(folder);
    const spec = functionCatalog[folder];
    const missing = reads
      .filter((r) => !(r.name in env) && !(r.name in unsetInAws))
      .filter((r) => onlyWhere[r.name]?.(spec) ?? true)
      .map((r) => `${r.name} (read in ${r.file})`);
    expect([...new Set(missing)]).toEqual([]);
  });

  it('gives every function the absolute https:// URL of the API (links sent to banks)', () => {
    for (const folder of functionFolders) {
      const value = JSON.stringify(built.stack.resolve(environmentOf(folder)[API_URL_ENV]));
      expect(value, folder).toMatch(/^\{"Fn::Join":\["",\["https:\/\/",\{"Ref":"ApiHttpApi/);
    }
  });

  it('uses the custom domain given by context for the links, when there is one', () => {
    const custom = buildStack(undefined, {
      apiDomain: {
        domainName: 'api.freezeflow.example',
        certificateArn: 'arn:aws:acm:eu-west-1:1:certificate/x',
      },
    });
    const env =
      custom.resources[custom.functionId('dispatch-instruction')]?.Properties.Environment?.Variables;
    expect(env?.[API_URL_ENV]).toBe('https://api.freezeflow.example/');
    expect(
      Object.values(custom.resources).filter((r) => r.Type === 'AWS::ApiGatewayV2::ApiMapping'),
    ).toHaveLength(1);
  });
});
