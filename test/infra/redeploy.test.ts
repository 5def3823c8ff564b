/**
 * A deleted stack can be deployed again (issue 12): nothing retained has a fixed name that the new
 * stack would create again, and the stream's dead letters outlive the stack.
 */
import { describe, expect, it } from 'vitest';
import { buildStack, ofType } from './fixture.ts';

const built = buildStack();

describe('redeploys', () => {
  it('gives no retained log group a fixed name (a left-over group would block the next create)', () => {
    const groups = ofType(built.resources, 'AWS::Logs::LogGroup');
    expect(groups.length).toBeGreaterThan(0);
    for (const [id, group] of groups) {
      const name = group.Properties.LogGroupName as unknown;
      if (name === undefined) continue;
      // A name must carry something unique to this stack instance: its stack id, or the generated
      // name of one of its resources (CDK's managed /aws/lambda/<function name> groups).
      const text = JSON.stringify(name);
      const refs = [...text.matchAll(/"Ref":"([A-Za-z0-9]+)"/g)].map((m) => m[1]!);
      const generated = refs.some((r) => built.resources[r] && !built.resources[r]?.Properties.FunctionName);
      expect(text.includes('AWS::StackId') || generated, `${id}: ${text}`).toBe(true);
    }
  });

  it('keeps the stream dead-letter queue when the stack is deleted', () => {
    const id = built.logicalId(built.stack.functions.streamDeadLetterQueue);
    expect(built.resources[id]).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });
});
