import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { EVENT_BUS_ENV, EVENT_SOURCE } from '../../functions/adapters/event-publisher.ts';
import { TABLE_NAME_ENV } from '../../functions/adapters/table-definition.ts';
import { STATE_MACHINE_ARN_ENV } from '../../functions/adapters/workflow-client.ts';
import { routes } from '../../functions/schemas/routes.ts';
import { streamConsumers } from '../../functions/schemas/stream-consumers.ts';
import { EVENT_ARCHIVE_RETENTION_DAYS } from '../../infra/constructs/events.ts';
import { type FunctionFolder, functionCatalog, functionFolders } from '../../infra/function-catalog.ts';
import { handlerEntry } from '../../infra/paths.ts';
import { workflowFunctions } from '../../workflows/definitions.ts';
import { type Built, buildStack, ofType } from './fixture.ts';

let built: Built;
beforeAll(() => {
  built = buildStack();
});

const deployed = functionFolders;
const withAction = (action: string) => deployed.filter((f) => built.actionsOf(f).includes(action)).sort();
const STATES_TASK_RESPONSE = ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'];

/** HTTP routes that only read: their functions must never get a write action. */
const READ_ONLY_ROUTES = [
  'health',
  'get-case',
  'get-case-totals',
  'get-case-trail',
  'get-case-audit',
  'bank-inbox',
  'regulator-totals',
  'bank-performance',
  'get-bank',
  'get-test-delivery',
] as const satisfies readonly FunctionFolder[];

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
  it('names every handler folder: routes, workflow tasks, the stream consumers, the reconciler (and nothing else)', () => {
    const expected = new Set<string>([
      ...routes.map((r) => r.handler),
      ...Object.values(workflowFunctions).map((f) => f.handler),
      ...Object.values(streamConsumers).map((c) => c.handler),
      'reconcile',
    ]);
    expect(new Set(functionFolders)).toEqual(expected);
  });

  it('says http for route handlers and workflow for task handlers', () => {
    for (const r of routes) expect(functionCatalog[r.handler].trigger, r.handler).toBe('http');
    for (const f of Object.values(workflowFunctions))
      expect(functionCatalog[f.handler].trigger, f.handler).toBe('workflow');
    for (const [consumer, c] of Object.entries(streamConsumers)) {
      expect(functionCatalog[c.handler].trigger, c.handler).toBe('tableStream');
      expect(functionCatalog[c.handler].streamConsumer, c.handler).toBe(consumer);
    }
  });

  it('says read for exactly the read-only routes', () => {
    const readRoutes = routes.map((r) => r.handler).filter((h) => functionCatalog[h].table === 'read');
    expect([...new Set(readRoutes)].sort()).toEqual([...READ_ONLY_ROUTES].sort());
  });

  it('has a handler file for every function (a real synth bundles them)', () => {
    for (const folder of deployed) expect(existsSync(handlerEntry(folder)), handlerEntry(folder)).toBe(true);
  });
});

describe('Lambda functions', () => {
  it('deploys one function per catalog entry, and no schedule (the hold timer expires holds)', () => {
    // CDK's handler that copies the console's files (infra/constructs/console.ts) is no freezeflow function.
    // Nor is Cognito's pre-token-generation trigger (infra/constructs/identity.ts, test/infra/identity.test.ts).
    const trigger = built.logicalId(built.stack.identity!.trigger);
    const functions = ofType(built.resources, 'AWS::Lambda::Function').filter(
      ([id]) => !id.startsWith('CustomCDKBucketDeployment') && id !== trigger,
    );
    expect(functions).toHaveLength(deployed.length);
    for (const folder of deployed) expect(built.stack.functions.has(folder), folder).toBe(true);
    expect(ofType(built.resources, 'AWS::Events::Rule')).toEqual([]);
  });

  for (const folder of deployed) {
    it(`${folder}: nodejs22.x on arm64, 512 MB, traced, logs kept 30 days, the table and all ARNs in its environment`, () => {
      const fn = built.resources[built.functionId(folder)]!.Properties;
      expect(fn).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        MemorySize: 512,
        Timeout: { http: 29, workflow: 60, tableStream: 60, schedule: 300 }[functionCatalog[folder].trigger],
        TracingConfig: { Mode: 'Active' },
      });
      const env = fn.Environment.Variables as Record<string, unknown>;
      expect(env[TABLE_NAME_ENV]).toEqual({ Ref: built.logicalId(built.stack.tables.table) });
      expect(Object.values(STATE_MACHINE_ARN_ENV)).toContain('HOLD_TIMER_STATE_MACHINE_ARN');
      for (const name of Object.values(STATE_MACHINE_ARN_ENV)) expect(env[name], name).toBeDefined();
      expect(env.POWERTOOLS_SERVICE_NAME).toBe('freezeflow');
      if (functionCatalog[folder].publishesEvents) {
        expect(env[EVENT_BUS_ENV]).toEqual({ Ref: built.logicalId(built.stack.events.bus) });
      } else {
        expect(env[EVENT_BUS_ENV], EVENT_BUS_ENV).toBeUndefined();
      }
      const logGroupId = fn.LoggingConfig.LogGroup.Ref as string;
      expect(built.resources[logGroupId]?.Properties.RetentionInDays).toBe(30);
    });
  }
});

describe('IAM least privilege (the policies of each function role)', () => {
  it('no role has a managed policy or a service-wide wildcard action', () => {
    for (const folder of deployed) {
      const roleId = built.resources[built.functionId(folder)]!.Properties.Role['Fn::GetAtt'][0] as string;
      expect(built.resources[roleId]?.Properties.ManagedPolicyArns, folder).toBeUndefined();
      for (const action of built.actionsOf(folder)) expect(action, folder).not.toMatch(/(^\*$|:\*$)/);
    }
  });

  it('only record-confirmation and register-task-token may complete a task token', () => {
    for (const action of STATES_TASK_RESPONSE) {
      expect(withAction(action), action).toEqual(['record-confirmation', 'register-task-token']);
    }
  });

  /** The state machine names a function may start (from the ARNs of its StartExecution grants). */
  const startable = (folder: FunctionFolder) =>
    built
      .statementsOf(folder)
      .filter((s) => [s.Action].flat().includes('states:StartExecution'))
      .flatMap((s) => [s.Resource].flat())
      .map((r) => /:stateMachine:([A-Za-z0-9_-]+)"/.exec(JSON.stringify(r))?.[1] ?? JSON.stringify(r))
      .sort();

  it('only the functions that start work start executions, each its own', () => {
    expect(withAction('states:StartExecution')).toEqual([
      'extend-hold',
      'follow-the-money',
      'order-release',
      'reconcile',
      'redeliver-instruction',
      'submit-freeze-order',
    ]);
    expect(startable('extend-hold')).toEqual(['FreezeflowStack-HoldTimer']);
    expect(startable('redeliver-instruction')).toEqual(['FreezeflowStack-StopPaymentInstruction']);
    expect(startable('reconcile')).toEqual(['FreezeflowStack-FreezeOrder', 'FreezeflowStack-HoldTimer']);
    expect(startable('submit-freeze-order')).toEqual(['FreezeflowStack-FreezeOrder']);
    expect(startable('follow-the-money')).toEqual([
      'FreezeflowStack-FreezeOrder',
      'FreezeflowStack-HoldTimer',
    ]);
    expect(startable('order-release')).toEqual(['FreezeflowStack-StopPaymentInstruction']);
  });

  it('only follow-the-money, a shortened extension and the reconciler may start a hold timer', () => {
    expect(deployed.filter((f) => startable(f).includes('FreezeflowStack-HoldTimer')).sort()).toEqual([
      'extend-hold',
      'follow-the-money',
      'reconcile',
    ]);
  });

  it('no function may act on executions beyond starting them and answering task tokens', () => {
    const allowed = new Set(['states:StartExecution', ...STATES_TASK_RESPONSE]);
    for (const folder of deployed) {
      for (const action of built.actionsOf(folder).filter((a) => a.startsWith('states:'))) {
        expect(allowed.has(action), `${folder} ${action}`).toBe(true);
      }
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

  it('summarize-order gets no DynamoDB or KMS access at all', () => {
    for (const folder of ['summarize-order'] as const) {
      expect(
        built.actionsOf(folder).filter((a) => /^(dynamodb|kms):/.test(a)),
        folder,
      ).toEqual([]);
    }
  });

  it('read-only routes can read but never write (nor start, answer or publish anything)', () => {
    for (const folder of READ_ONLY_ROUTES) {
      const actions = built.actionsOf(folder);
      expect(actions, folder).toContain('dynamodb:Query');
      expect(actions, folder).toContain('kms:Decrypt');
      for (const write of WRITE_ACTIONS) expect(actions, `${folder} ${write}`).not.toContain(write);
      expect(
        actions.filter((a) => /^(states|events|sqs):/.test(a)),
        folder,
      ).toEqual([]);
    }
  });

  it('check-hold, extend-hold and order-release may read and write the table', () => {
    for (const folder of ['check-hold', 'extend-hold', 'order-release'] as const) {
      expect(functionCatalog[folder].table, folder).toBe('readWrite');
      const actions = built.actionsOf(folder);
      for (const a of ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem', 'kms:Decrypt']) {
        expect(actions, `${folder} ${a}`).toContain(a);
      }
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

  it('only the stream consumers read the stream and write to the dead-letter queue', () => {
    expect(withAction('dynamodb:DescribeStream').sort()).toEqual(['follow-the-money', 'sequence-audit']);
    expect(withAction('sqs:SendMessage').sort()).toEqual(['follow-the-money', 'sequence-audit']);
  });
});

describe('domain events (EventBridge)', () => {
  it('go to one custom bus, named after the stack, with no resource policy', () => {
    const buses = ofType(built.resources, 'AWS::Events::EventBus');
    expect(buses).toHaveLength(1);
    expect(buses[0]![1].Properties.Name).toBe('FreezeflowStack-events');
    expect(ofType(built.resources, 'AWS::Events::EventBusPolicy')).toEqual([]);
  });

  it(`are archived for ${EVENT_ARCHIVE_RETENTION_DAYS} days (source ${EVENT_SOURCE})`, () => {
    const archives = ofType(built.resources, 'AWS::Events::Archive');
    expect(archives).toHaveLength(1);
    expect(archives[0]![1].Properties).toMatchObject({
      SourceArn: { 'Fn::GetAtt': [built.logicalId(built.stack.events.bus), 'Arn'] },
      RetentionDays: 90,
      EventPattern: { source: [EVENT_SOURCE] },
    });
  });

  // Every function that may escalate an instruction (app/escalate-instruction.ts) publishes.
  const escalators = ['dispatch-instruction', 'escalate-instruction', 'reconcile', 'record-dispatch-failed'];

  it('only the functions that escalate may put events, on the stack bus only', () => {
    expect(withAction('events:PutEvents').sort()).toEqual(escalators);
    expect(deployed.filter((f) => functionCatalog[f].publishesEvents).sort()).toEqual(escalators);
    for (const folder of escalators) {
      const statements = built
        .statementsOf(folder as (typeof deployed)[number])
        .filter((s) => [s.Action].flat().some((a) => a.startsWith('events:')));
      expect(statements, folder).toHaveLength(1);
      expect(statements[0]).toMatchObject({
        Effect: 'Allow',
        Action: 'events:PutEvents',
        Resource: { 'Fn::GetAtt': [built.logicalId(built.stack.events.bus), 'Arn'] },
      });
    }
  });

  it('only the functions that escalate know the bus name', () => {
    const withBus = deployed.filter(
      (f) => built.resources[built.functionId(f)]!.Properties.Environment.Variables[EVENT_BUS_ENV],
    );
    expect(withBus.sort()).toEqual(escalators);
  });

  it('a schedule invokes the reconciler every two minutes, through a role that may invoke only it', () => {
    const schedules = Object.values(built.resources).filter((r) => r.Type === 'AWS::Scheduler::Schedule');
    expect(schedules).toHaveLength(1);
    expect(schedules[0]?.Properties).toMatchObject({
      ScheduleExpression: 'rate(2 minutes)',
      Target: { Arn: { 'Fn::GetAtt': [built.functionId('reconcile'), 'Arn'] } },
    });
  });
});
