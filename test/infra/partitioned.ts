import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { contextKeys, createApp } from '../../infra/freezeflow-app.ts';
import type { FreezeflowStack } from '../../infra/freezeflow-stack.ts';
import { cdkJsonContext, type Resource } from './fixture.ts';

/** The regions the stack is synthesized for in the tests (and in .ci/run): one per partition. */
export const partitionRegions = [
  { partition: 'aws', region: 'us-east-1' },
  { partition: 'aws-cn', region: 'cn-north-1' },
] as const;

/** China has no Cognito user pools: its synth brings an external OIDC issuer (as .ci/run does). */
export const CHINA_ISSUER = 'https://idp.example.cn/realms/freezeflow';

export interface Synthesized {
  stack: FreezeflowStack;
  template: Template;
  resources: Record<string, Resource>;
  /** The validation report of the synth (CloudFormation schema for the region + cdk-nag). */
  pluginReports: unknown[];
}

const cache = new Map<string, Synthesized>();

/**
 * The app as `npx cdk synth -c freezeflow:region=<region>` builds it (cdk.json's flags, CloudFormation
 * validation for that region and cdk-nag on), without bundling; `undefined`: env-agnostic. Cached:
 * one synth per region per test file.
 */
export function synthesizeFor(
  region: string | undefined,
  extraContext: Record<string, unknown> = {},
): Synthesized {
  const key = `${region ?? 'agnostic'} ${JSON.stringify(extraContext)}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const { app, stack } = createApp({
    context: {
      ...cdkJsonContext,
      'aws:cdk:bundling-stacks': [],
      ...(region ? { [contextKeys.region]: region } : {}),
      ...(region?.startsWith('cn-') ? { [contextKeys.jwtIssuer]: CHINA_ISSUER } : {}),
      ...extraContext,
    },
  });
  const assembly = app.synth();
  const report = JSON.parse(readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8')) as {
    pluginReports: unknown[];
  };
  const template = Template.fromStack(stack);
  const out: Synthesized = {
    stack,
    template,
    resources: template.toJSON().Resources as Record<string, Resource>,
    pluginReports: report.pluginReports,
  };
  cache.set(key, out);
  return out;
}
