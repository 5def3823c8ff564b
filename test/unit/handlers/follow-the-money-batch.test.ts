/**
 * Partial batch failures really are partial (issue 12 §4): a stream batch whose middle record fails
 * reports that record (and only it) in batchItemFailures, the others are done; a batch that fails
 * whole throws, so Lambda retries it (bisecting, then the DLQ).
 */
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { Dependencies } from '../../../functions/adapters/dependencies.ts';
import { createFollowTheMoney } from '../../../functions/follow-the-money/handler.ts';
import { localLambdaContext } from '../../../local/lambda-context.ts';

const CASE_ID = 'CTESTCASE01';

/** A recorded confirmation that froze money (its follow-up: the hold timer) and moved none on. */
function frozeRecord(n: number): DynamoDBRecord {
  const instructionId = `${CASE_ID}.OABC123.${n}`;
  return {
    eventID: `e${n}`,
    eventName: 'INSERT',
    dynamodb: {
      SequenceNumber: `10${n}`,
      NewImage: marshall({
        PK: `CASE#${CASE_ID}`,
        SK: `CONF#${instructionId}#1`,
        type: 'BankConfirmation',
        kind: 'FREEZE',
        caseId: CASE_ID,
        instructionId,
        bankId: 'B001',
        frozen: { currency: 'CNY', minor: '100' },
        onwardTransfers: [],
      }) as never,
    },
  };
}

function depsStartingTimers(failFor: (instructionId: string) => boolean) {
  const started: string[] = [];
  const workflow: Dependencies['workflow'] = {
    startExecution: async (_w, _name, input) => {
      const id = String(input.instructionId);
      if (failFor(id)) throw new Error(`StartExecution failed for ${id}`);
      started.push(id);
    },
    sendTaskSuccess: async () => undefined,
    sendTaskFailure: async () => undefined,
  };
  // Only the workflow port is reached for a confirmation without onward transfers.
  return { deps: { workflow } as unknown as Dependencies, started };
}

describe('follow-the-money: Powertools batch processing of the stream', () => {
  it('reports only the record that failed; the ones before and after it are done', async () => {
    const { deps, started } = depsStartingTimers((id) => id.endsWith('.2'));
    const result = await createFollowTheMoney(deps)(
      { Records: [frozeRecord(1), frozeRecord(2), frozeRecord(3)] },
      localLambdaContext('follow-the-money'),
    );
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: '102' }]);
    expect(started).toEqual([`${CASE_ID}.OABC123.1`, `${CASE_ID}.OABC123.3`]);
  });

  it('throws when every record failed (Lambda retries the batch, then the DLQ keeps it)', async () => {
    const { deps } = depsStartingTimers(() => true);
    await expect(
      createFollowTheMoney(deps)({ Records: [frozeRecord(1), frozeRecord(2)] }, localLambdaContext('ftm')),
    ).rejects.toThrow(/All records failed/);
  });

  it('reports nothing when every record is done', async () => {
    const { deps, started } = depsStartingTimers(() => false);
    const result = await createFollowTheMoney(deps)(
      { Records: [frozeRecord(1), frozeRecord(2)] },
      localLambdaContext('ftm'),
    );
    expect(result.batchItemFailures).toEqual([]);
    expect(started).toHaveLength(2);
  });
});
