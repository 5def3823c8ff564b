/**
 * Issue 12 §5 (c): the SDK operations each bundle calls are allowed by that function's role. The
 * bundles are built like the deployed assets (test/support/bundles.ts), the calls derived from them
 * and from the same import graph (test/support/iam-check.ts says how), the allowed actions read from
 * the synthesized template. Actions allowed but never called are printed as least-privilege hints.
 * For states:StartExecution the check is also by resource: the state machines the code starts (the
 * first argument of every reached `workflow.startExecution`) must be the ARNs the role names.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STATE_MACHINE_ARN_ENV, type WorkflowName } from '../../functions/adapters/workflow-client.ts';
import { type FunctionFolder, functionCatalog, functionFolders } from '../../infra/function-catalog.ts';
import { repoRoot } from '../../infra/paths.ts';
import { type Bundles, bundleFunctions } from '../support/bundles.ts';
import { importGraph } from '../support/code-graph.ts';
import {
  actionMatches,
  bundleOperations,
  type Call,
  type CodeIndex,
  checkFunction,
  checkWorkflowStarts,
  codeIndex,
  type FunctionCalls,
  functionCalls,
  PLATFORM_ACTIONS,
  type PolicyStatement,
  reachedSendSites,
  reachedWorkflowStarts,
  STREAM_CONSUMER_PLATFORM_ACTIONS,
} from '../support/iam-check.ts';
import { type Built, buildStack } from './fixture.ts';

let built: Built;
let bundles: Bundles;
let index: CodeIndex;
const calls = new Map<FunctionFolder, FunctionCalls>();
const graphs = new Map<FunctionFolder, string[]>();

beforeAll(async () => {
  built = buildStack();
  bundles = await bundleFunctions();
  for (const folder of functionFolders) graphs.set(folder, await importGraph(folder));
  index = codeIndex([...new Set([...graphs.values()].flat())]);
  for (const folder of functionFolders) {
    calls.set(folder, functionCalls(bundles.text(folder), index, graphs.get(folder)!));
  }
}, 120_000);

afterAll(() => bundles?.remove());

const callsOf = (folder: FunctionFolder): Call[] => calls.get(folder)?.calls ?? [];
const statementsOf = (folder: FunctionFolder) => built.statementsOf(folder) as PolicyStatement[];
const called = (folder: FunctionFolder) => callsOf(folder).map((c) => c.action);

describe('code-to-IAM: what each bundle calls is allowed by its role', () => {
  it('every role is only inline/attached policies (no managed policy the check cannot read)', () => {
    for (const folder of functionFolders) {
      const fn = built.resources[built.functionId(folder)]!;
      const roleId = (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      expect(built.resources[roleId]?.Properties.ManagedPolicyArns ?? [], folder).toEqual([]);
    }
  });

  it('reads the operations out of the minified bundles (the derivation works)', () => {
    const ops = bundleOperations(bundles.text('submit-freeze-order')).map(
      (o) => `${o.client}:${o.operation}`,
    );
    expect(ops).toEqual(
      expect.arrayContaining([
        'DynamoDBClient:TransactWriteItems',
        'SFNClient:StartExecution',
        'DynamoDBClient:GetItem',
      ]),
    );
    // A transaction is authorized item by item: its { Put | Update | Delete } literals are the calls.
    expect(called('submit-freeze-order')).toEqual(
      expect.arrayContaining(['dynamodb:PutItem', 'dynamodb:UpdateItem', 'states:StartExecution']),
    );
    expect(called('submit-freeze-order')).not.toContain('dynamodb:TransactWriteItems');
    expect(called('register-bank')).toEqual(
      expect.arrayContaining([
        'secretsmanager:CreateSecret',
        'secretsmanager:PutSecretValue',
        'secretsmanager:DescribeSecret',
        'secretsmanager:GetSecretValue',
        'kms:GenerateDataKey',
      ]),
    );
    expect(called('escalate-instruction')).toContain('events:PutEvents');
    expect(called('record-confirmation')).toContain('states:SendTaskSuccess');
    // Reached through the bank connector's push (an adapter reaching another adapter).
    expect(called('dispatch-instruction')).toEqual(
      expect.arrayContaining(['secretsmanager:GetSecretValue', 'kms:Decrypt']),
    );
  });

  it('does not count what ships unreached: health builds every adapter but only reads the table', () => {
    expect(bundleOperations(bundles.text('health')).map((o) => o.operation)).toEqual(
      expect.arrayContaining(['StartExecution', 'CreateSecret', 'PutEvents']),
    );
    expect(called('health').every((a) => a.startsWith('dynamodb:'))).toBe(true);
    expect(called('health')).toContain('dynamodb:GetItem');
    expect(calls.get('health')?.shippedUnsent).toEqual(
      expect.arrayContaining(['states:StartExecution', 'secretsmanager:CreateSecret', 'events:PutEvents']),
    );
  });

  it.each(functionFolders)('%s: every call is allowed by its role', (folder) => {
    const result = calls.get(folder)!;
    expect(result.errors).toEqual([]);
    const platform =
      functionCatalog[folder].trigger === 'tableStream' ? STREAM_CONSUMER_PLATFORM_ACTIONS : PLATFORM_ACTIONS;
    const { violations, unused } = checkFunction(folder, result.calls, statementsOf(folder), platform);
    if (unused.length) {
      // Reported, not failed: the least-privilege hints (the catalog's `why` says what it needs).
      console.info(`least privilege: ${folder} is allowed but never calls ${unused.join(', ')}`);
    }
    expect(violations).toEqual([]);
  });

  it('agrees with the catalog: a function starts/answers/publishes/reads secrets only where the catalog says', () => {
    for (const folder of functionFolders) {
      const spec = functionCatalog[folder];
      const actions = called(folder);
      expect(actions.includes('states:StartExecution'), folder).toBe(spec.startExecution.length > 0);
      expect(actions.includes('events:PutEvents'), folder).toBe(spec.publishesEvents);
      expect(actions.includes('secretsmanager:GetSecretValue'), folder).toBe(spec.signingSecrets !== 'none');
      expect(actions.includes('secretsmanager:CreateSecret'), folder).toBe(spec.signingSecrets === 'write');
    }
  });
});

/** The template's spelling of a workflow's ARN: the function's own environment variable for it. */
const arnIn = (folder: FunctionFolder) => (workflow: string) =>
  built.resources[built.functionId(folder)]?.Properties.Environment?.Variables?.[
    STATE_MACHINE_ARN_ENV[workflow as WorkflowName]
  ];

describe('code-to-IAM: the state machines each function starts are the ones its role may start', () => {
  it('derives the starts from the code (literal names, and every name a WorkflowName variable can hold)', () => {
    const names = (folder: FunctionFolder) =>
      [...new Set(reachedWorkflowStarts(index, graphs.get(folder)!).flatMap((s) => s.workflows))].sort();
    expect(names('submit-freeze-order')).toEqual(['freezeOrder']);
    expect(names('follow-the-money')).toEqual(['freezeOrder', 'holdTimer']);
    expect(names('health')).toEqual([]);
  });

  it.each(functionFolders)('%s: starts only what its role allows, by ARN', (folder) => {
    const starts = reachedWorkflowStarts(index, graphs.get(folder)!);
    expect(checkWorkflowStarts(folder, starts, statementsOf(folder), arnIn(folder))).toEqual([]);
    // And no more than the catalog says (the grants are made from it).
    const names = new Set(starts.flatMap((s) => s.workflows));
    expect([...names].sort(), folder).toEqual([...functionCatalog[folder].startExecution].sort());
  });

  it('catches a start on a state machine the role does not name (the fault)', () => {
    const starts = reachedWorkflowStarts(index, graphs.get('follow-the-money')!);
    const holdArn = JSON.stringify(arnIn('follow-the-money')('holdTimer'));
    const statements = statementsOf('follow-the-money').map((s) => ({
      ...s,
      Resource: Array.isArray(s.Resource)
        ? s.Resource.filter((r) => JSON.stringify(r) !== holdArn)
        : s.Resource,
    }));
    expect(checkWorkflowStarts('follow-the-money', starts, statements, arnIn('follow-the-money'))).toEqual([
      expect.stringMatching(
        /^function follow-the-money starts the holdTimer state machine but its role does not allow states:StartExecution on it \(functions\/app\/follow-confirmation\.ts#/,
      ),
    ]);
  });
});

describe('code-to-IAM: the check catches the faults it exists for', () => {
  it('a removed grant: record-confirmation without states:SendTaskSuccess', () => {
    const statements = statementsOf('record-confirmation').map((s) => ({
      ...s,
      Action: (Array.isArray(s.Action) ? s.Action : [s.Action ?? '']).filter(
        (a) => a !== 'states:SendTaskSuccess',
      ),
    }));
    const { violations } = checkFunction('record-confirmation', callsOf('record-confirmation'), statements);
    expect(violations).toEqual([
      expect.stringMatching(
        /^function record-confirmation calls states:SendTaskSuccess but its role does not allow it \(functions\/adapters\/workflow-client\.ts#sendTaskSuccess\)$/,
      ),
    ]);
  });

  it('a removed item grant: open-case writes its case in a transaction, whose Put needs dynamodb:PutItem', () => {
    const statements = statementsOf('open-case').map((s) => ({
      ...s,
      Action: (Array.isArray(s.Action) ? s.Action : [s.Action ?? '']).filter((a) => a !== 'dynamodb:PutItem'),
    }));
    const { violations } = checkFunction('open-case', callsOf('open-case'), statements);
    expect(violations).toEqual([
      expect.stringMatching(
        /^function open-case calls dynamodb:PutItem but its role does not allow it \(functions\/adapters\/dynamo\/.+\(transaction item\)\)$/,
      ),
    ]);
  });

  it('a removed KMS grant: dispatch-instruction cannot decrypt the signing secrets', () => {
    const statements = statementsOf('dispatch-instruction').map((s) => ({
      ...s,
      Action: (Array.isArray(s.Action) ? s.Action : [s.Action ?? '']).filter((a) => a !== 'kms:Decrypt'),
    }));
    const { violations } = checkFunction('dispatch-instruction', callsOf('dispatch-instruction'), statements);
    expect(violations.join('\n')).toMatch(/calls kms:Decrypt but its role does not allow it/);
  });

  it('an added call: get-case starting a workflow (its role is read-only)', () => {
    // The read route's code now calls deps.workflow.startExecution(...): derived from the source.
    const graph = graphs.get('get-case')!;
    const handler = graph.find((f) => f === 'functions/get-case/handler.ts')!;
    const changed = codeIndex(graph, {
      [handler]: `${readReal(handler)}
import type { Dependencies } from '../adapters/dependencies.ts';
export const extra = (deps: Dependencies) => deps.workflow.startExecution('freezeOrder', 'x', {});
`,
    });
    const extra = functionCalls(bundles.text('get-case'), changed, graph);
    const { violations } = checkFunction('get-case', extra.calls, statementsOf('get-case'));
    expect(violations).toEqual([
      expect.stringMatching(/^function get-case calls states:StartExecution but its role/),
    ]);
  });

  it('a write on a read-only role: a wildcard grant is matched by pattern, not by name', () => {
    const statements: PolicyStatement[] = [
      { Effect: 'Allow', Action: ['dynamodb:Get*', 'dynamodb:Query'], Resource: '*' },
    ];
    const { violations, unused } = checkFunction(
      'f',
      [
        { action: 'dynamodb:GetItem', from: 'a' },
        { action: 'dynamodb:PutItem', from: 'b' },
      ],
      statements,
    );
    expect(violations).toEqual(['function f calls dynamodb:PutItem but its role does not allow it (b)']);
    expect(unused).toEqual(['dynamodb:Query']);
    expect(actionMatches('dynamodb:*', 'dynamodb:TransactWriteItems')).toBe(true);
    expect(actionMatches('DynamoDB:getitem', 'dynamodb:GetItem')).toBe(true);
    expect(actionMatches('dynamodb:Get?tem', 'dynamodb:GetItem')).toBe(true);
    expect(actionMatches('dynamodb:Get*', 'dynamodb:PutItem')).toBe(false);
  });

  it('a Deny or a statement of another effect grants nothing', () => {
    const { violations } = checkFunction(
      'f',
      [{ action: 'events:PutEvents', from: 'x' }],
      [{ Effect: 'Deny', Action: 'events:PutEvents', Resource: '*' }],
    );
    expect(violations).toHaveLength(1);
  });

  it('a send site the bundle does not ship is an analysis error, not silence', () => {
    const graph = graphs.get('health')!;
    const handler = graph.find((f) => f.endsWith('health/handler.ts'))!;
    const changed = codeIndex(graph, {
      [handler]: `import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
${readReal(handler)}
export const probe = () => new ListTablesCommand({});
`,
    });
    expect(reachedSendSites(changed, graph).some((s) => s.op.operation === 'ListTables')).toBe(true);
    const { errors } = functionCalls(bundles.text('health'), changed, graph);
    expect(errors.length).toBeGreaterThan(0);
    for (const error of errors) {
      expect(error).toMatch(
        /^functions\/health\/handler\.ts#\S+ sends DynamoDBClient:ListTables, which the bundle does not ship$/,
      );
    }
  });
});

function readReal(file: string): string {
  return readFileSync(join(repoRoot, file), 'utf8');
}
