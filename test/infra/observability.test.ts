/**
 * Operators are told and can look (issue 12 §4): every alarm sends to the alarm topic (an email
 * subscription by context), every log group is encrypted with the operations key and has a
 * retention, and there is one dashboard of the domain metrics.
 */
import { describe, expect, it } from 'vitest';
import { METRIC_NAMESPACE, metricNames } from '../../functions/adapters/metrics.ts';
import { buildStack, ofType } from './fixture.ts';

const built = buildStack(undefined, { alarmEmail: 'ops@freezeflow.example' });
const topicId = () => built.logicalId(built.stack.observability.alarmTopic);
const keyId = () => built.logicalId(built.stack.observability.key);

describe('observability', () => {
  it('sends every alarm, when it fires and when it clears, to the encrypted alarm topic', () => {
    const alarms = ofType(built.resources, 'AWS::CloudWatch::Alarm');
    expect(alarms.length).toBeGreaterThanOrEqual(5);
    for (const [id, alarm] of alarms) {
      expect(alarm.Properties.AlarmActions, id).toEqual([{ Ref: topicId() }]);
      expect(alarm.Properties.OKActions, id).toEqual([{ Ref: topicId() }]);
    }
    expect(built.resources[topicId()]?.Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [keyId(), 'Arn'] });
  });

  it('subscribes the email address given by context', () => {
    const subs = ofType(built.resources, 'AWS::SNS::Subscription');
    expect(subs.map(([, s]) => [s.Properties.Protocol, s.Properties.Endpoint])).toEqual([
      ['email', 'ops@freezeflow.example'],
    ]);
    expect(ofType(buildStack().resources, 'AWS::SNS::Subscription')).toEqual([]);
  });

  it('encrypts every log group with the operations key and keeps it for a set time', () => {
    const groups = ofType(built.resources, 'AWS::Logs::LogGroup');
    expect(groups.length).toBeGreaterThan(25);
    for (const [id, g] of groups) {
      expect(g.Properties.KmsKeyId, id).toEqual({ 'Fn::GetAtt': [keyId(), 'Arn'] });
      expect(g.Properties.RetentionInDays, id).toBeGreaterThan(0);
    }
  });

  it('lets CloudWatch Logs of this account and region use the key, nothing else of theirs', () => {
    const policy = JSON.stringify(built.resources[keyId()]?.Properties.KeyPolicy);
    expect(policy).toContain('kms:EncryptionContext:aws:logs:arn');
    expect(policy).toContain('AWS::URLSuffix');
  });

  it('has one dashboard showing the domain metrics', () => {
    const dashboards = ofType(built.resources, 'AWS::CloudWatch::Dashboard');
    expect(dashboards).toHaveLength(1);
    const body = JSON.stringify(built.stack.resolve(dashboards[0]![1].Properties.DashboardBody));
    for (const name of Object.values(metricNames)) expect(body, name).toContain(name);
    expect(body).toContain(METRIC_NAMESPACE);
  });
});
