import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AppProps, CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { createApp } from '../../infra/freezeflow-app.ts';
import type { FreezeflowStack, FreezeflowStackProps } from '../../infra/freezeflow-stack.ts';
import type { FunctionFolder } from '../../infra/function-catalog.ts';
import { repoRoot } from '../../infra/paths.ts';

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation properties are free-form JSON, read by assertions
export type Resource = { Type: string; Properties: Record<string, any>; [key: string]: unknown };
export type Statement = { Effect: string; Action: string | string[]; Resource: unknown };

/**
 * The context of cdk.json (the feature flags): the CLI passes it to the app, so the tests build the
 * stack with it too and assert on the template that `npx cdk synth` produces.
 */
export const cdkJsonContext: Record<string, unknown> =
  (JSON.parse(readFileSync(join(repoRoot, 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> })
    .context ?? {};

/** Skip bundling (handlers are not built in unit tests); skip CloudFormation schema validation (~3 s). */
export const fastApp: AppProps = {
  context: { ...cdkJsonContext, 'aws:cdk:bundling-stacks': [] },
  builtinCloudFormationValidation: false,
};

export interface Built {
  stack: FreezeflowStack;
  template: Template;
  resources: Record<string, Resource>;
  /** The logical id of a construct's CloudFormation resource. */
  logicalId(construct: IConstruct): string;
  /** The logical id of the function built from functions/<folder>/handler.ts. */
  functionId(folder: FunctionFolder): string;
  /** Every IAM statement attached to the function's role (its policies and inline policies). */
  statementsOf(folder: FunctionFolder): Statement[];
  /** Every IAM action the function's role is allowed. */
  actionsOf(folder: FunctionFolder): string[];
}

export function buildStack(app: AppProps = fastApp, stackProps: FreezeflowStackProps = {}): Built {
  const { stack } = createApp(app, stackProps);
  const template = Template.fromStack(stack);
  const resources = template.toJSON().Resources as Record<string, Resource>;
  const logicalId = (construct: IConstruct): string => {
    const element = (construct.node.defaultChild ?? construct) as CfnElement;
    return stack.resolve(element.logicalId) as string;
  };
  const functionId = (folder: FunctionFolder) => logicalId(stack.functions.get(folder));
  const statementsOf = (folder: FunctionFolder): Statement[] => {
    const fn = resources[functionId(folder)]!;
    const roleId = (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const role = resources[roleId];
    const inline = (
      (role?.Properties.Policies ?? []) as { PolicyDocument: { Statement: Statement[] } }[]
    ).flatMap((p) => p.PolicyDocument.Statement);
    const attached = Object.values(resources)
      .filter(
        (r) =>
          r.Type === 'AWS::IAM::Policy' &&
          (r.Properties.Roles as unknown[]).some(
            (ref) => JSON.stringify(ref) === JSON.stringify({ Ref: roleId }),
          ),
      )
      .flatMap((r) => r.Properties.PolicyDocument.Statement as Statement[]);
    return [...inline, ...attached];
  };
  const actionsOf = (folder: FunctionFolder) =>
    statementsOf(folder).flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
  return { stack, template, resources, logicalId, functionId, statementsOf, actionsOf };
}

export function ofType(resources: Record<string, Resource>, type: string): [string, Resource][] {
  return Object.entries(resources).filter(([, r]) => r.Type === type);
}
