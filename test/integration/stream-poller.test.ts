import { BatchWriteItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type StreamPoller, type StreamPollerOptions, startStreamPoller } from '../../local/stream-poller.ts';
import { useDynamoLocal } from '../support/dynamo.ts';

const dynamo = useDynamoLocal();

const quietLogger = () => ({ warn: vi.fn(), error: vi.fn() });

/** Polls `check` every 10 ms until it returns true. */
async function waitFor(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the stream');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const pollers: StreamPoller[] = [];
afterEach(async () => {
  await Promise.all(pollers.splice(0).map((p) => p.stop()));
});

async function poll(
  table: string,
  onRecords: StreamPollerOptions['onRecords'],
  options: Partial<StreamPollerOptions> = {},
): Promise<StreamPoller> {
  const poller = await startStreamPoller({
    endpoint: dynamo.endpoint,
    tableName: table,
    onRecords,
    pollIntervalMs: 20,
    retryDelayMs: 10,
    logger: quietLogger(),
    ...options,
  });
  pollers.push(poller);
  return poller;
}

/** An onRecords that remembers every record it was given. */
function collector() {
  const records: DynamoDBRecord[] = [];
  const onRecords = vi.fn(async (event: DynamoDBStreamEvent) => {
    records.push(...event.Records);
  });
  return { records, onRecords };
}

const put = (table: string, pk: string, extra: Record<string, unknown> = {}) =>
  dynamo.client.send(
    new PutItemCommand({
      TableName: table,
      Item: { PK: { S: pk }, SK: { S: '#CASE' }, ...(extra as object) },
    }),
  );

describe('stream poller', () => {
  it('a nudge after a write hands the record over at once, long before the idle poll interval', async () => {
    const table = await dynamo.freshTable();
    const { records, onRecords } = collector();
    const poller = await poll(table, onRecords, { pollIntervalMs: 10_000 });
    await sleep(100); // the reader has polled once (empty) and now waits out the interval

    const t0 = Date.now();
    await put(table, 'CASE#nudged');
    poller.nudge();
    await waitFor(() => records.length >= 1, 3_000);
    expect(Date.now() - t0).toBeLessThan(3_000);
    expect(records.map((r) => r.dynamodb?.Keys?.PK?.S)).toEqual(['CASE#nudged']);
  });

  it('without a nudge a write waits for the idle poll interval', async () => {
    const table = await dynamo.freshTable();
    const { records, onRecords } = collector();
    await poll(table, onRecords, { pollIntervalMs: 1_500 });
    await sleep(100);
    const t0 = Date.now();
    await put(table, 'CASE#unnudged');
    await sleep(600);
    expect(records).toHaveLength(0);
    await waitFor(() => records.length >= 1, 5_000);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(600);
  });

  it('delivers a Put once, as an INSERT with its NewImage, in the Lambda DynamoDBStreamEvent shape', async () => {
    const table = await dynamo.freshTable();
    const { records, onRecords } = collector();
    const poller = await poll(table, onRecords);

    await put(table, 'CASE#c1', {
      amount: { N: '12345678901234567890' },
      blob: { B: new Uint8Array([1, 2, 3]) },
      tags: { SS: ['a', 'b'] },
      nested: { M: { ok: { BOOL: true }, list: { L: [{ S: 'x' }, { NULL: true }] } } },
    });
    await waitFor(() => records.length >= 1);
    await sleep(200); // nothing more arrives: delivered once

    expect(records).toHaveLength(1);
    const [record] = records;
    expect(record).toMatchObject({
      eventName: 'INSERT',
      eventSource: 'aws:dynamodb',
      eventSourceARN: poller.streamArn,
      dynamodb: {
        Keys: { PK: { S: 'CASE#c1' }, SK: { S: '#CASE' } },
        NewImage: {
          PK: { S: 'CASE#c1' },
          SK: { S: '#CASE' },
          amount: { N: '12345678901234567890' },
          blob: { B: 'AQID' }, // base64, as Lambda's JSON event carries binaries
          tags: { SS: ['a', 'b'] },
          nested: { M: { ok: { BOOL: true }, list: { L: [{ S: 'x' }, { NULL: true }] } } },
        },
        StreamViewType: 'NEW_IMAGE',
      },
    });
    expect(record?.dynamodb?.SequenceNumber).toMatch(/^\d+$/);
    expect(typeof record?.dynamodb?.ApproximateCreationDateTime).toBe('number');
    expect(poller.streamArn).toContain(`table/${table}/stream/`);
  });

  it('delivers an update as MODIFY after the INSERT, in order, with the new image', async () => {
    const table = await dynamo.freshTable();
    const { records, onRecords } = collector();
    await poll(table, onRecords);

    await put(table, 'CASE#c2', { count: { N: '1' } });
    await dynamo.client.send(
      new UpdateItemCommand({
        TableName: table,
        Key: { PK: { S: 'CASE#c2' }, SK: { S: '#CASE' } },
        UpdateExpression: 'ADD #count :one',
        ExpressionAttributeNames: { '#count': 'count' },
        ExpressionAttributeValues: { ':one': { N: '1' } },
      }),
    );
    await waitFor(() => records.length >= 2);

    expect(records.map((r) => r.eventName)).toEqual(['INSERT', 'MODIFY']);
    expect(records[1]?.dynamodb?.NewImage?.count).toEqual({ N: '2' });
    const [first, second] = records.map((r) => BigInt(r.dynamodb?.SequenceNumber ?? '0'));
    expect(second! > first!).toBe(true);
  });

  it('does not deliver what was written before it started (LATEST)', async () => {
    const table = await dynamo.freshTable();
    await put(table, 'CASE#before');
    const { records, onRecords } = collector();
    await poll(table, onRecords);
    await put(table, 'CASE#after');
    await waitFor(() => records.length >= 1);
    await sleep(100);
    expect(records.map((r) => r.dynamodb?.Keys?.PK?.S)).toEqual(['CASE#after']);
  });

  it('retries a batch whose delivery throws, then delivers it (at-least-once)', async () => {
    const table = await dynamo.freshTable();
    const seen: string[] = [];
    let failures = 2;
    const onRecords = vi.fn(async (event: DynamoDBStreamEvent) => {
      seen.push(...event.Records.map((r) => r.dynamodb?.SequenceNumber ?? ''));
      if (failures-- > 0) throw new Error('handler down');
    });
    const logger = quietLogger();
    await poll(table, onRecords, { maxAttempts: 3, logger });

    await put(table, 'CASE#retry');
    await waitFor(() => onRecords.mock.calls.length >= 3);
    await sleep(100);

    expect(onRecords).toHaveBeenCalledTimes(3);
    expect(new Set(seen).size).toBe(1); // the same record each time
    expect(logger.warn).toHaveBeenCalledTimes(2);
    expect(logger.error).not.toHaveBeenCalled();
  });

  it('after maxAttempts, discards the batch (failure destination) and goes on with the next records', async () => {
    const table = await dynamo.freshTable();
    const delivered: string[] = [];
    const onRecords = vi.fn(async (event: DynamoDBStreamEvent) => {
      const keys = event.Records.map((r) => r.dynamodb?.Keys?.PK?.S ?? '');
      if (keys.includes('CASE#poison')) throw new Error('cannot process');
      delivered.push(...keys);
    });
    const onDiscarded = vi.fn();
    const logger = quietLogger();
    await poll(table, onRecords, { maxAttempts: 2, onDiscarded, logger });

    await put(table, 'CASE#poison');
    await waitFor(() => onDiscarded.mock.calls.length === 1);
    await put(table, 'CASE#healthy');
    await waitFor(() => delivered.length >= 1);

    expect(delivered).toEqual(['CASE#healthy']);
    const [discarded, error] = onDiscarded.mock.calls[0] as [DynamoDBStreamEvent, Error];
    expect(discarded.Records.map((r) => r.dynamodb?.Keys?.PK?.S)).toEqual(['CASE#poison']);
    expect(error.message).toBe('cannot process');
    expect(logger.error).toHaveBeenCalledTimes(1);
  });

  it('honours ReportBatchItemFailures: retries from the first failed record', async () => {
    const table = await dynamo.freshTable();
    await dynamo.client.send(
      new BatchWriteItemCommand({
        RequestItems: {
          [table]: ['CASE#1', 'CASE#2', 'CASE#3'].map((pk) => ({
            PutRequest: { Item: { PK: { S: pk }, SK: { S: '#CASE' } } },
          })),
        },
      }),
    );
    const batches: string[][] = [];
    let reported = false;
    const onRecords = vi.fn(
      async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse | undefined> => {
        batches.push(event.Records.map((r) => r.dynamodb?.Keys?.PK?.S ?? ''));
        const second = event.Records[1];
        if (reported || !second) return undefined;
        reported = true;
        return { batchItemFailures: [{ itemIdentifier: second.dynamodb?.SequenceNumber ?? '' }] };
      },
    );
    // TRIM_HORIZON: the three records already in the stream arrive as one batch.
    await poll(table, onRecords, { startingPosition: 'TRIM_HORIZON' });
    await waitFor(() => batches.length >= 2);

    const [first, retry] = batches;
    expect(first).toHaveLength(3);
    expect(retry).toEqual(first?.slice(1));
  });

  it('stop() waits for the delivery in flight, then nothing runs any more', async () => {
    const table = await dynamo.freshTable();
    const timersBefore = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    let finished = 0;
    let started = 0;
    const onRecords = vi.fn(async () => {
      started++;
      await sleep(300);
      finished++;
    });
    const poller = await startStreamPoller({ endpoint: dynamo.endpoint, tableName: table, onRecords });

    await put(table, 'CASE#slow');
    await waitFor(() => started === 1);
    await poller.stop();
    expect(finished).toBe(1); // stop() resolved only after the handler returned
    await poller.stop(); // idempotent

    await put(table, 'CASE#after-stop');
    await sleep(300);
    expect(onRecords).toHaveBeenCalledTimes(1);
    const timersAfter = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    expect(timersAfter).toBeLessThanOrEqual(timersBefore);
  });

  it('refuses a table without a stream', async () => {
    await expect(
      startStreamPoller({ endpoint: dynamo.endpoint, tableName: 'no-such-table', onRecords: async () => {} }),
    ).rejects.toThrow();
  });
});
