import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { TABLE_NAME_ENV } from '../../functions/adapters/table-definition.ts';
import { STATE_MACHINE_ARN_ENV } from '../../functions/adapters/workflow-client.ts';
import { routes } from '../../functions/schemas/routes.ts';
import { type FunctionFolder, functionCatalog, functionFolders } from '../../infra/function-catalog.ts';
import { handlerEntry } from '../../infra/paths.ts';
import { workflowFunctions } from '../../workflows/definitions.ts';
import { type Built, buildStack, fastApp, ofType } from './fixture.ts';

let built: Built;
beforeAll(() => {
  built = buildStack();
});

const deployed = functionFolders.filter((f) => functionCatalog[f].deployed);

const WRITE_ACTIONS = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:TransactWriteItems',
  'dynamodb:PartiQLInsert',
  'dynamodb:PartiQLUpdate',
  'dynamodb:PartiQLDelete',
  'kms:Encrypt',
  'kms:GenerateDataKey*',
];

describe('the function catalog', () => {
  it('names every handler folder: routes, workflow tasks, the stream consumer, planned functions', () => {
    const expected = new Set<string>([
      ...routes.map((r) => r.handler),
      ...Object.values(workflowFunctions).map((f) => f.handler),
      'follow-the-money',
      'expire-holds',
    ]);
    expect(new Set(functionFolders)).toEqual(expected);
  });

  it('says http for route handlers and workflow for task handlers', () => {
    for (const r of routes) expect(functionCatalog[r.handler].trigger, r.handler).toBe('http');
    for (const f of Object.values(workflowFunctions))
      expect(functionCatalog[f.handler].trigger, f.handler).toBe('workflow');
    expect(functionCatalog['follow-the-money'].trigger).toBe('tableStream');
  });

  it('has a handler file for every deployed function (a real synth bundles them)', () => {
    for (const folder of deployed) expect(existsSync(handlerEntry(folder)), handlerEntry(folder)).toBe(true);
  });
});

describe('Lambda functions', () => {
  it('deploys one function per deployed catalog entry, and not expire-holds yet', () => {
    expect(ofType(built.resources, 'AWS::Lambda::Function')).toHaveLength(deployed.length);
    expect(built.stack.functions.has('expire-holds')).toBe(false);
  });

  for (const folder of deployed) {
    it(`${folder}: nodejs22.x on arm64, 512 MB, traced, logs kept 30 days, the table and ARNs in its environment`, () => {
      const fn = built.resources[built.functionId(folder)]!.Properties;
      expect(fn).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        MemorySize: 512,
        Timeout: functionCatalog[folder].trigger === 'http' ? 29 : 60,
        TracingConfig: { Mode: 'Active' },
      });
      const env = fn.Environment.Variables as Record<string, unknown>;
      expect(env[TABLE_NAME_ENV]).toEqual({ Ref: built.logicalId(built.stack.tables.table) });
      for (const name of Object.values(STATE_MACHINE_ARN_ENV)) expect(env[name], name).toBeDefined();
      expect(env.POWERTOOLS_SERVICE_NAME).toBe('freezeflow');
      const logGroupId = fn.LoggingConfig.LogGroup.Ref as string;
      expect(built.resources[logGroupId]?.Properties.RetentionInDays).toBe(30);
    });
  }
});

describe('IAM least privilege (the policies of each function role)', () => {
  const withAction = (action: string) => deployed.filter((f) => built.actionsOf(f).includes(action)).sort();

  it('no role has a managed policy or a service-wide wildcard action', () => {
    for (const folder of deployed) {
      const roleId = built.resources[built.functionId(folder)]!.Properties.Role['Fn::GetAtt'][0] as string;
      expect(built.resources[roleId]?.Properties.ManagedPolicyArns, folder).toBeUndefined();
      for (const action of built.actionsOf(folder)) expect(action, folder).not.toMatch(/(^\*$|:\*$)/);
    }
  });

  it('only record-confirmation and register-task-token may complete a task token', () => {
    for (const action of ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat']) {
      expect(withAction(action), action).toEqual(['record-confirmation', 'register-task-token']);
    }
  });

  it('only submit-freeze-order and follow-the-money may start executions, of freezeOrder only', () => {
    expect(withAction('states:StartExecution')).toEqual(['follow-the-money', 'submit-freeze-order']);
    for (const folder of ['follow-the-money', 'submit-freeze-order'] as const) {
      const resources = built
        .statementsOf(folder)
        .filter((s) => [s.Action].flat().includes('states:StartExecution'))
        .flatMap((s) => [s.Resource].flat());
      expect(resources).toHaveLength(1);
      expect(JSON.stringify(resources[0])).toMatch(/:stateMachine:FreezeflowStack-FreezeOrder"/);
    }
  });

  it('task-token grants name the instruction state machine only', () => {
    for (const folder of ['record-confirmation', 'register-task-token'] as const) {
      const resources = built
        .statementsOf(folder)
        .filter((s) => [s.Action].flat().includes('states:SendTaskSuccess'))
        .flatMap((s) => [s.Resource].flat());
      expect(resources).toHaveLength(1);
      expect(JSON.stringify(resources[0])).toMatch(/:stateMachine:FreezeflowStack-StopPaymentInstruction"/);
    }
  });

  it('health and summarize-order get no DynamoDB or KMS access at all', () => {
    for (const folder of ['health', 'summarize-order'] as const) {
      expect(
        built.actionsOf(folder).filter((a) => /^(dynamodb|kms):/.test(a)),
        folder,
      ).toEqual([]);
    }
  });

  it('read-only routes can read but never write', () => {
    for (const folder of [
      'get-case',
      'get-case-totals',
      'get-case-trail',
      'bank-inbox',
      'regulator-totals',
    ] as const) {
      const actions = built.actionsOf(folder);
      expect(actions, folder).toContain('dynamodb:Query');
      expect(actions, folder).toContain('kms:Decrypt');
      for (const write of WRITE_ACTIONS) expect(actions, `${folder} ${write}`).not.toContain(write);
    }
  });

  it('writers get read-write on the table, and its key', () => {
    for (const folder of deployed.filter((f) => functionCatalog[f].table === 'readWrite')) {
      const actions = built.actionsOf(folder);
      for (const a of [
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'dynamodb:ConditionCheckItem',
        'kms:GenerateDataKey*',
      ]) {
        expect(actions, `${folder} ${a}`).toContain(a);
      }
    }
  });

  it('DynamoDB grants name this table and its indexes only; logs only the own log group', () => {
    const tableId = built.logicalId(built.stack.tables.table);
    for (const folder of deployed) {
      const fn = built.resources[built.functionId(folder)]!.Properties;
      for (const s of built.statementsOf(folder)) {
        const actions = [s.Action].flat();
        const text = JSON.stringify(s.Resource);
        if (actions.some((a) => a.startsWith('dynamodb:') && a !== 'dynamodb:ListStreams')) {
          expect(text, folder).toContain(tableId);
        }
        if (actions.some((a) => a.startsWith('logs:'))) {
          expect(s.Resource, folder).toEqual({ 'Fn::GetAtt': [fn.LoggingConfig.LogGroup.Ref, 'Arn'] });
        }
      }
    }
  });

  it('only the stream consumer reads the stream and writes to the dead-letter queue', () => {
    expect(withAction('dynamodb:DescribeStream')).toEqual(['follow-the-money']);
    expect(withAction('sqs:SendMessage')).toEqual(['follow-the-money']);
  });
});

describe('expire-holds hook', () => {
  it('deploys on request with read-write access and a one-minute schedule', () => {
    const withHook = buildStack(fastApp, { enableExpireHolds: true });
    const folder: FunctionFolder = 'expire-holds';
    const fnId = withHook.functionId(folder);
    expect(withHook.actionsOf(folder)).toContain('dynamodb:UpdateItem');
    const rules = ofType(withHook.resources, 'AWS::Events::Rule').map(([, r]) => r.Properties);
    expect(rules).toHaveLength(1);
    expect(rules[0]).toMatchObject({
      ScheduleExpression: 'rate(1 minute)',
      Targets: [{ Arn: { 'Fn::GetAtt': [fnId, 'Arn'] } }],
    });
  });
});
