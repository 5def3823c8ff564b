import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Validations } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../../functions/schemas/routes.ts';
import { cfnRef } from '../../infra/constructs/cfn-ref.ts';
import { createApp, SKIP_BUNDLING_ENV } from '../../infra/freezeflow-app.ts';
import type { FreezeflowStack } from '../../infra/freezeflow-stack.ts';
import { repoRoot } from '../../infra/paths.ts';
import { cdkJsonContext } from './fixture.ts';

/** Like `cdk synth -c aws:cdk:bundling-stacks=[]`: cdk.json's flags, CloudFormation validation and cdk-nag on. */
const synthLikeCli = () => createApp({ context: { ...cdkJsonContext, 'aws:cdk:bundling-stacks': [] } });

let stack: FreezeflowStack;
let reportFile: string;
beforeAll(() => {
  const built = synthLikeCli();
  stack = built.stack;
  reportFile = join(built.app.synth().directory, 'validation-report.json');
});

/** Every acknowledged rule in the tree: construct path → rule id → reason. */
function acknowledgements(root: IConstruct): { path: string; id: string; reason: string }[] {
  return root.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY && m.data)
      .flatMap((m) =>
        Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({
          path: c.node.path,
          id: id.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );
}

describe('cdk-nag AwsSolutions', () => {
  it('reports no unacknowledged error or warning', () => {
    const report = new AwsSolutionsChecks().validateScope(stack);
    const found = report.violations.map(
      (v) => `${v.severity} ${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath)}`,
    );
    expect(found).toEqual([]);
  });

  it('synthesizes like the CLI with an empty validation report (CloudFormation schema and cdk-nag)', () => {
    const report = JSON.parse(readFileSync(reportFile, 'utf8')) as { pluginReports: unknown[] };
    expect(report.pluginReports).toEqual([]);
    const annotations = Annotations.fromStack(stack);
    expect(annotations.findError('*', Match.stringLikeRegexp('AwsSolutions-.*'))).toEqual([]);
    expect(annotations.findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*'))).toEqual([]);
    expect(annotations.findError('*', Match.anyValue())).toEqual([]);
  });

  it('fails the synth on a finding nobody acknowledged (the plugin is wired into the app)', () => {
    const { app, stack: other } = synthLikeCli();
    new sqs.Queue(other, 'UnencryptedQueueWithoutDlq');
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS/);
  });

  it('acknowledges only the reviewed rules, each with a reason', () => {
    const acks = acknowledgements(stack);
    for (const ack of acks) expect(ack.reason.length, `${ack.path} ${ack.id}`).toBeGreaterThan(30);
    expect(new Set(acks.map((a) => a.id))).toEqual(
      new Set([
        // nodejs22.x is the pinned runtime (STACK-NOTES)
        'AwsSolutions-L1',
        // the stream DLQ is itself a DLQ
        'AwsSolutions-SQS3',
        // GET /health is public by contract
        'AwsSolutions-APIG4',
        // X-Ray, CloudWatch Logs delivery, dynamodb:ListStreams: no resource-level permissions
        'AwsSolutions-IAM5[Resource::*]',
        // CDK's table grants: this table's GSIs, this key's data-key actions
        `AwsSolutions-IAM5[Resource::${cfnRef(stack.tables.table, 'Arn')}/index/*]`,
        'AwsSolutions-IAM5[Action::kms:ReEncrypt*]',
        'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
        // the banks' signing secrets: one per bank, created at run time, ARN suffixed by Secrets Manager
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:freezeflow/FreezeflowStack/banks/*]',
        // the console's hosting (infra/constructs/console.ts): its log bucket, CloudFront without
        // geo restriction, WAF or custom domain, and CDK's BucketDeployment handler and grants
        'AwsSolutions-S1',
        'AwsSolutions-CFR1',
        'AwsSolutions-CFR2',
        'AwsSolutions-CFR4',
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        ...['s3:Abort*', 's3:DeleteObject*', 's3:GetBucket*', 's3:GetObject*', 's3:List*'].map(
          (a) => `AwsSolutions-IAM5[Action::${a}]`,
        ),
        `AwsSolutions-IAM5[Resource::${cfnRef(stack.console.bucket, 'Arn')}/*]`,
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*]',
        // the Cognito pool (infra/constructs/identity.ts): Essentials, not the Plus plan's threat protection
        'AwsSolutions-COG8',
        // the reconciler's schedule may invoke the reconciler's versions (CDK's grantInvoke)
        `AwsSolutions-IAM5[Resource::${cfnRef(stack.functions.get('reconcile'), 'Arn')}:*]`,
      ]),
    );
  });

  it('leaves routes with roles to the authorizer check: APIG4 is acknowledged on public routes only', () => {
    const publicRoutes = routes.filter((r) => r.roles.length === 0).map((r) => `${r.id}Route`);
    const paths = acknowledgements(stack)
      .filter((a) => a.id === 'AwsSolutions-APIG4')
      .map((a) => a.path.split('/').at(-1));
    expect(paths.sort()).toEqual(publicRoutes.sort());
  });

  it('acknowledges the wildcard rules on roles, never on the stack or a whole construct', () => {
    for (const ack of acknowledgements(stack).filter((a) => a.id.startsWith('AwsSolutions-IAM5'))) {
      expect(ack.path, ack.id).toMatch(/Role$/);
    }
  });
});

describe('offline synth', () => {
  it(`skips bundling when ${SKIP_BUNDLING_ENV}=1 (the CLI refuses aws: context keys)`, () => {
    const before = process.env[SKIP_BUNDLING_ENV];
    process.env[SKIP_BUNDLING_ENV] = '1';
    try {
      const { stack: unbundled } = createApp({ builtinCloudFormationValidation: false });
      expect(unbundled.bundlingRequired).toBe(false);
    } finally {
      if (before === undefined) delete process.env[SKIP_BUNDLING_ENV];
      else process.env[SKIP_BUNDLING_ENV] = before;
    }
  });

  it("sets every recommended feature flag of the installed aws-cdk-lib in cdk.json (no 'not configured' warning)", () => {
    const recommended = JSON.parse(
      readFileSync(join(repoRoot, 'node_modules/aws-cdk-lib/recommended-feature-flags.json'), 'utf8'),
    ) as Record<string, unknown>;
    const missing = Object.keys(recommended).filter((flag) => !(flag in cdkJsonContext));
    expect(missing).toEqual([]);
  });

  it('is env-agnostic: no account, region or lookups', () => {
    expect(stack.resolve(stack.account)).toEqual({ Ref: 'AWS::AccountId' });
    expect(stack.resolve(stack.region)).toEqual({ Ref: 'AWS::Region' });
    expect(
      stack.node.tryGetContext('availability-zones:account=unknown-account:region=unknown-region'),
    ).toBeUndefined();
  });
});
