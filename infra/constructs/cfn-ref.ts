import { CfnElement, Stack, Token } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * How cdk-nag names an attribute of a resource in its findings: `<LogicalId.Attribute>`. Needed to
 * acknowledge one precise finding (e.g. `AwsSolutions-IAM5[Resource::<TableX.Arn>/index/*]`).
 */
export function cfnRef(resource: IConstruct, attribute: string): string {
  const element = resource instanceof CfnElement ? resource : resource.node.defaultChild;
  if (!(element instanceof CfnElement))
    throw new Error(`${resource.node.path} has no CloudFormation resource`);
  const logicalId: unknown = Stack.of(element).resolve(element.logicalId);
  return `<${String(logicalId)}.${attribute}>`;
}

/**
 * How cdk-nag spells the stack's partition and region in a finding id: `<AWS::Partition>` while the
 * stack is env-agnostic, the literal (`aws-cn`, `cn-north-1`) once it has a region.
 */
export function nagPseudo(stack: Stack): { partition: string; region: string } {
  const spell = (value: string, pseudo: string) => (Token.isUnresolved(value) ? `<${pseudo}>` : value);
  return { partition: spell(stack.partition, 'AWS::Partition'), region: spell(stack.region, 'AWS::Region') };
}
