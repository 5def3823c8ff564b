/**
 * Both partitions (issue 12 §2): the stack synthesizes for an `aws` and an `aws-cn` region with an
 * empty validation report (CloudFormation's resource types of that region, cdk-nag), and nothing in
 * the template names a partition other than the stack's own.
 */
import { describe, expect, it } from 'vitest';
import { workflowNames } from '../../infra/constructs/state-machine-names.ts';
import { PARTITION_SUBSTITUTION } from '../../workflows/definitions.ts';
import { ofType } from './fixture.ts';
import { partitionRegions, synthesizeFor } from './partitioned.ts';

const literalArnPartitions = (json: string) =>
  [...new Set([...json.matchAll(/arn:(aws(?:-cn|-us-gov)?):/g)].map((m) => m[1]))].sort();

describe.each(partitionRegions)('$partition ($region)', ({ partition, region }) => {
  const synth = () => synthesizeFor(region);

  it('synthesizes with an empty validation report (resource types of the region, cdk-nag)', () => {
    expect(synth().pluginReports).toEqual([]);
  });

  it('names no partition but its own in the whole template', () => {
    const found = literalArnPartitions(JSON.stringify(synth().template.toJSON()));
    expect(found.filter((p) => p !== partition)).toEqual([]);
  });

  it("binds every state machine's partition substitution to the stack's partition", () => {
    const machines = ofType(synth().resources, 'AWS::StepFunctions::StateMachine');
    expect(machines).toHaveLength(workflowNames.length);
    for (const [id, m] of machines) {
      expect(m.Properties.DefinitionSubstitutions?.[PARTITION_SUBSTITUTION], id).toBe(partition);
      expect(m.Properties.DefinitionString as string, id).not.toMatch(/arn:aws/);
    }
  });

  it('serves the console through origin access control, or an identity where there is none (China)', () => {
    const oac = ofType(synth().resources, 'AWS::CloudFront::OriginAccessControl');
    const oai = ofType(synth().resources, 'AWS::CloudFront::CloudFrontOriginAccessIdentity');
    expect([oac.length, oai.length]).toEqual(partition === 'aws-cn' ? [0, 1] : [1, 0]);
  });
});

describe('env-agnostic (no region given)', () => {
  it('takes the partition from AWS::Partition at deploy time', () => {
    const synth = synthesizeFor(undefined);
    expect(synth.pluginReports).toEqual([]);
    for (const [id, m] of ofType(synth.resources, 'AWS::StepFunctions::StateMachine')) {
      expect(m.Properties.DefinitionSubstitutions?.[PARTITION_SUBSTITUTION], id).toEqual({
        Ref: 'AWS::Partition',
      });
    }
    expect(literalArnPartitions(JSON.stringify(synth.template.toJSON()))).toEqual([]);
  });
});
