import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { keys, skPrefix } from '../../functions/adapters/keys.ts';
import { freezeflowTable } from '../../functions/adapters/table-definition.ts';
import { routeById } from '../../functions/schemas/routes.ts';
import {
  passesStreamFilter,
  type StreamConsumer,
  streamConsumers,
} from '../../functions/schemas/stream-consumers.ts';
import { type Built, buildStack, ofType } from './fixture.ts';

let built: Built;
beforeAll(() => {
  built = buildStack();
});

describe('the table', () => {
  const table = () => {
    const tables = ofType(built.resources, 'AWS::DynamoDB::Table');
    expect(tables).toHaveLength(1);
    return tables[0]![1];
  };

  it('has the keys of table-definition.ts, on demand, retained on delete', () => {
    const t = table();
    expect(t.Properties.KeySchema).toEqual([
      { AttributeName: freezeflowTable.partitionKey.name, KeyType: 'HASH' },
      { AttributeName: freezeflowTable.sortKey.name, KeyType: 'RANGE' },
    ]);
    expect(t.Properties.BillingMode).toBe('PAY_PER_REQUEST');
    expect(t.DeletionPolicy).toBe('Retain');
    expect(t.UpdateReplacePolicy).toBe('Retain');
    expect(t.Properties.DeletionProtectionEnabled).toBe(true);
  });

  it('has point-in-time recovery on', () => {
    expect(table().Properties.PointInTimeRecoverySpecification).toEqual({
      PointInTimeRecoveryEnabled: true,
    });
  });

  it('is encrypted with a customer-managed KMS key that rotates', () => {
    const sse = table().Properties.SSESpecification;
    expect(sse).toMatchObject({ SSEEnabled: true, SSEType: 'KMS' });
    const keyId = sse.KMSMasterKeyId['Fn::GetAtt'][0] as string;
    expect(built.resources[keyId]).toMatchObject({
      Type: 'AWS::KMS::Key',
      Properties: { EnableKeyRotation: true },
      DeletionPolicy: 'Retain',
    });
  });

  it('has the GSIs of table-definition.ts with their key names', () => {
    const gsis = table().Properties.GlobalSecondaryIndexes as {
      IndexName: string;
      KeySchema: { AttributeName: string; KeyType: string }[];
    }[];
    expect(gsis.map((g) => g.IndexName).sort()).toEqual(['due', 'inbox', 'inboxByStatus', 'inboxByUpdate']);
    for (const def of freezeflowTable.globalSecondaryIndexes) {
      expect(gsis.find((g) => g.IndexName === def.indexName)?.KeySchema).toEqual([
        { AttributeName: def.partitionKey.name, KeyType: 'HASH' },
        { AttributeName: def.sortKey.name, KeyType: 'RANGE' },
      ]);
    }
  });

  it('streams new images and expires items on expiresAt', () => {
    expect(table().Properties.StreamSpecification).toEqual({ StreamViewType: 'NEW_IMAGE' });
    expect(table().Properties.TimeToLiveSpecification).toEqual({
      AttributeName: 'expiresAt',
      Enabled: true,
    });
  });
});

/** Lambda event filtering, reduced to what the pattern uses: exact values and `prefix`. */
function matches(pattern: unknown, value: unknown): boolean {
  if (Array.isArray(pattern)) {
    return pattern.some((p) =>
      p && typeof p === 'object' && 'prefix' in p
        ? typeof value === 'string' && value.startsWith((p as { prefix: string }).prefix)
        : p === value,
    );
  }
  if (pattern && typeof pattern === 'object') {
    if (!value || typeof value !== 'object') return false;
    return Object.entries(pattern).every(([k, p]) => matches(p, (value as Record<string, unknown>)[k]));
  }
  return false;
}

describe('the table stream consumers: follow the money, sequence the audit chain', () => {
  const mappingOf = (folder: 'follow-the-money' | 'sequence-audit') => {
    const mappings = ofType(built.resources, 'AWS::Lambda::EventSourceMapping');
    expect(mappings).toHaveLength(2);
    const found = mappings.find(([, m]) => m.Properties.FunctionName?.Ref === built.functionId(folder));
    expect(found, folder).toBeDefined();
    return found![1].Properties;
  };
  const record = (eventName: string, item: { PK: string; SK: string }) => ({
    eventName,
    dynamodb: { Keys: { PK: { S: item.PK }, SK: { S: item.SK } } },
  });

  for (const folder of ['follow-the-money', 'sequence-audit'] as const) {
    it(`${folder} reads the table stream from LATEST, in small bisected batches, failures to the DLQ`, () => {
      const m = mappingOf(folder);
      const tableId = built.logicalId(built.stack.tables.table);
      expect(m.EventSourceArn).toEqual({ 'Fn::GetAtt': [tableId, 'StreamArn'] });
      expect(m).toMatchObject({
        StartingPosition: 'LATEST',
        BatchSize: 10,
        BisectBatchOnFunctionError: true,
        MaximumRetryAttempts: 10,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      });
      const queueId = built.logicalId(built.stack.functions.streamDeadLetterQueue);
      expect(m.DestinationConfig).toEqual({ OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } });
    });
  }

  it('sends the batches it gives up on to an encrypted SQS dead-letter queue', () => {
    const queueId = built.logicalId(built.stack.functions.streamDeadLetterQueue);
    const keyId = built.logicalId(built.stack.tables.key);
    expect(built.resources[queueId]?.Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
    built.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queueId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  const patternOf = (folder: 'follow-the-money' | 'sequence-audit') => {
    const filters = mappingOf(folder).FilterCriteria.Filters as { Pattern: string }[];
    expect(filters).toHaveLength(1);
    return JSON.parse(filters[0]!.Pattern) as unknown;
  };
  const samples = [
    record('INSERT', keys.confirmation('C1', 'B001', 'conf-1')),
    record('MODIFY', keys.confirmation('C1', 'B001', 'conf-1')),
    record('REMOVE', keys.confirmation('C1', 'B001', 'conf-1')),
    record('INSERT', keys.instruction('C1', 'I1')),
    record('INSERT', keys.caseTotals('C1')),
    record('INSERT', keys.auditIntent('CASE#C1', '2026-12-02T00:00:00.000Z', 'x', 0)),
    record('REMOVE', keys.auditIntent('CASE#C1', '2026-12-02T00:00:00.000Z', 'x', 0)),
    record('INSERT', keys.auditEvent('CASE#C1', 1)),
  ];

  it('follow-the-money gets only INSERTs of confirmation items (SK begins with CONF#)', () => {
    const pattern = patternOf('follow-the-money');
    expect(pattern).toEqual({
      eventName: ['INSERT'],
      dynamodb: { Keys: { [freezeflowTable.sortKey.name]: { S: [{ prefix: skPrefix.confirmation }] } } },
    });
    expect(samples.map((r) => matches(pattern, r))).toEqual([
      true,
      false,
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
  });

  it('sequence-audit gets only INSERTs of audit entries waiting to be chained (AUDITQ#), not its own writes', () => {
    const pattern = patternOf('sequence-audit');
    expect(samples.map((r) => matches(pattern, r))).toEqual([
      false,
      false,
      false,
      false,
      false,
      true,
      false,
      false,
    ]);
  });

  it('each filter passes exactly what the local runtime and the handler pass (one definition)', () => {
    for (const [consumer, c] of Object.entries(streamConsumers) as [
      StreamConsumer,
      { handler: 'follow-the-money' | 'sequence-audit' },
    ][]) {
      const pattern = patternOf(c.handler);
      for (const r of samples)
        expect(matches(pattern, r), `${consumer} ${r.eventName} ${r.dynamodb.Keys.SK.S}`).toBe(
          passesStreamFilter(consumer, r),
        );
    }
  });
});

describe('alarms', () => {
  const alarms = () => ofType(built.resources, 'AWS::CloudWatch::Alarm').map(([, r]) => r.Properties);

  it('fire on any failed execution of any of the three state machines (the hold timer included)', () => {
    expect(Object.keys(built.stack.workflow.stateMachines)).toHaveLength(3);
    for (const machine of Object.values(built.stack.workflow.stateMachines)) {
      const alarm = alarms().find(
        (a) =>
          a.MetricName === 'ExecutionsFailed' &&
          JSON.stringify(a.Dimensions) ===
            JSON.stringify([{ Name: 'StateMachineArn', Value: { Ref: built.logicalId(machine) } }]),
      );
      expect(alarm, machine.node.path).toMatchObject({
        Namespace: 'AWS/States',
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      });
    }
  });

  it('fire when the stream dead-letter queue holds a message', () => {
    const queueId = built.logicalId(built.stack.functions.streamDeadLetterQueue);
    expect(
      alarms().find(
        (a) =>
          a.Namespace === 'AWS/SQS' &&
          a.MetricName === 'ApproximateNumberOfMessagesVisible' &&
          JSON.stringify(a.Dimensions) ===
            JSON.stringify([{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }]),
      ),
    ).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
  });

  it('fire when recording a confirmation errors', () => {
    const fnId = built.functionId(routeById('recordConfirmation').handler as 'record-confirmation');
    expect(
      alarms().find(
        (a) =>
          a.Namespace === 'AWS/Lambda' &&
          a.MetricName === 'Errors' &&
          JSON.stringify(a.Dimensions) === JSON.stringify([{ Name: 'FunctionName', Value: { Ref: fnId } }]),
      ),
    ).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
  });
});
