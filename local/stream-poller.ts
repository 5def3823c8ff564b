/**
 * A local stand-in for a Lambda event source mapping on the table's DynamoDB stream: polls the stream
 * of DynamoDB (Local) and hands batches, in the AWS Lambda `DynamoDBStreamEvent` shape, to the SAME
 * handler that Lambda invokes in AWS.
 *
 * Semantics, as close to the event source mapping as a single process gets:
 * - one reader per shard; the records of a shard are delivered in order, one batch at a time; a child
 *   shard is read (from TRIM_HORIZON) only after its parent is finished;
 * - shards open at start are read from LATEST (or `startingPosition`), shards that appear later from
 *   TRIM_HORIZON; the shard list is re-described every `discoveryIntervalMs`;
 * - at-least-once: when `onRecords` throws, the same batch is retried after a delay, at most
 *   `maxAttempts` times in all, then logged, passed to `onDiscarded` (the "failure destination") and
 *   skipped. A returned `DynamoDBBatchResponse` (ReportBatchItemFailures) retries from the first failed
 *   sequence number, like Lambda's checkpointing;
 * - `stop()` ends the loops (no further retries) and waits for deliveries in flight.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { DescribeTableCommand, DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type Shard,
  type ShardIteratorType,
  type AttributeValue as StreamAttributeValue,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type {
  DynamoDBBatchResponse,
  DynamoDBRecord,
  DynamoDBStreamEvent,
  AttributeValue as LambdaAttributeValue,
} from 'aws-lambda';
import { log } from '../functions/adapters/logger.ts';
import { localClientConfig } from './dynamo-local.ts';

export interface StreamPollerLogger {
  warn(message: string, attributes?: Record<string, unknown>): void;
  error(message: string, attributes?: Record<string, unknown>): void;
}

export interface StreamPollerOptions {
  tableName: string;
  /** The Lambda handler (or anything shaped like it). May report partial failures like Lambda's ReportBatchItemFailures. */
  // biome-ignore lint/suspicious/noConfusingVoidType: same return type as aws-lambda's DynamoDBStreamHandler, so `async () => {}` fits
  onRecords: (event: DynamoDBStreamEvent) => Promise<void | DynamoDBBatchResponse>;
  /** DynamoDB Local endpoint (credentials and region of local/dynamo-local.ts). */
  endpoint?: string;
  /** Full client configuration for both DynamoDB and DynamoDB Streams; wins over `endpoint`. */
  clientConfig?: Pick<DynamoDBClientConfig, 'endpoint' | 'region' | 'credentials'>;
  /** Pause after an empty GetRecords (cut short by `nudge()`). */
  pollIntervalMs?: number;
  /** GetRecords Limit = the largest batch handed to onRecords (Lambda's BatchSize, default 100). */
  batchSize?: number;
  /** Deliveries of one batch in all, first included (Lambda: MaximumRetryAttempts + 1). */
  maxAttempts?: number;
  /** Delay before the first retry; doubles on each further retry, capped at 2 s. */
  retryDelayMs?: number;
  /** How often the shard list is re-described to find new shards. */
  discoveryIntervalMs?: number;
  /** Where reading starts in the shards open at start. */
  startingPosition?: 'LATEST' | 'TRIM_HORIZON';
  /** Called with a batch given up after maxAttempts (the event source mapping's on-failure destination). */
  onDiscarded?: (event: DynamoDBStreamEvent, error: unknown) => void;
  logger?: StreamPollerLogger;
  /**
   * Durable positions (the local runtime keeps them in the table): after a restart a shard with a
   * checkpoint is read after it, and — once any checkpoint exists — a shard without one from
   * TRIM_HORIZON (it appeared while the poller was down), instead of `startingPosition`.
   */
  checkpoints?: StreamCheckpoints;
}

export interface StreamCheckpoints {
  load(): Promise<Map<string, string>>;
  /** After a batch was handed over (delivered or discarded). */
  save(shardId: string, sequenceNumber: string, records: DynamoDBRecord[]): Promise<void>;
}

export interface StreamPoller {
  streamArn: string;
  /**
   * "The table was just written": readers waiting out an empty poll read again at once, and a reader
   * whose GetRecords was in flight reads again before it waits. Lets the local runtime poll rarely
   * while idle (each empty GetRecords costs CPU in Node and in DynamoDB Local) and still hand a new
   * record over within milliseconds. Writes the caller does not nudge for wait at most pollIntervalMs.
   */
  nudge(): void;
  /** Ends the polling loops, waits for the deliveries in flight and releases the clients. Idempotent. */
  stop(): Promise<void>;
}

const MAX_RETRY_DELAY_MS = 2_000;
const ERROR_BACKOFF_MS = 250;

type ShardStatus = 'waiting' | 'reading' | 'done';

interface ShardState {
  shardId: string;
  parentShardId: string | undefined;
  status: ShardStatus;
  /** Iterator type to start with when the reader starts. */
  startAt: ShardIteratorType;
  /** Last sequence number handed over (delivered or discarded): where to resume after an expired iterator. */
  checkpoint: string | undefined;
}

/**
 * Starts polling and resolves once every open shard has its starting iterator, so a write made after
 * the promise resolves is always delivered (even with `startingPosition: 'LATEST'`).
 */
export async function startStreamPoller(options: StreamPollerOptions): Promise<StreamPoller> {
  const {
    tableName,
    onRecords,
    pollIntervalMs = 50,
    batchSize = 100,
    maxAttempts = 3,
    retryDelayMs = 100,
    discoveryIntervalMs = 1_000,
    startingPosition = 'LATEST',
    onDiscarded,
    logger = log,
  } = options;
  if (maxAttempts < 1) throw new Error('maxAttempts must be at least 1');
  const config = options.clientConfig ?? (options.endpoint ? localClientConfig(options.endpoint) : {});
  const dynamo = new DynamoDBClient(config);
  const streams = new DynamoDBStreamsClient(config);
  const abort = new AbortController();
  const { signal } = abort;
  const sleep = (ms: number) => delay(ms, undefined, { signal }).catch(() => undefined);

  /** Nudges so far, and the wake-ups of the readers waiting out an empty poll. */
  let nudges = 0;
  const idleWaiters = new Set<() => void>();
  const waitForRecords = (ms: number, nudgesSeen: number) =>
    new Promise<void>((resolve) => {
      if (nudges !== nudgesSeen || signal.aborted) return resolve();
      const wake = () => {
        clearTimeout(timer);
        idleWaiters.delete(wake);
        signal.removeEventListener('abort', wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      idleWaiters.add(wake);
      signal.addEventListener('abort', wake);
    });

  let streamArn: string;
  const shards = new Map<string, ShardState>();
  const readers = new Set<Promise<void>>();

  try {
    const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: tableName }));
    if (!Table?.LatestStreamArn || !Table.StreamSpecification?.StreamEnabled) {
      throw new Error(`table ${tableName} has no stream enabled`);
    }
    streamArn = Table.LatestStreamArn;
  } catch (error) {
    dynamo.destroy();
    streams.destroy();
    throw error;
  }
  dynamo.destroy();

  async function describeShards(): Promise<Shard[]> {
    const all: Shard[] = [];
    let exclusiveStartShardId: string | undefined;
    do {
      const { StreamDescription } = await streams.send(
        new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: exclusiveStartShardId }),
        { abortSignal: signal },
      );
      all.push(...(StreamDescription?.Shards ?? []));
      exclusiveStartShardId = StreamDescription?.LastEvaluatedShardId;
    } while (exclusiveStartShardId);
    return all;
  }

  async function shardIterator(shard: ShardState, type: ShardIteratorType): Promise<string | undefined> {
    const withSequence = type === 'AFTER_SEQUENCE_NUMBER' || type === 'AT_SEQUENCE_NUMBER';
    const { ShardIterator } = await streams.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: shard.shardId,
        ShardIteratorType: type,
        SequenceNumber: withSequence ? shard.checkpoint : undefined,
      }),
      { abortSignal: signal },
    );
    return ShardIterator;
  }

  /** Hands one batch to onRecords with retries; resolves when delivered, discarded, or stopped. */
  async function deliver(records: DynamoDBRecord[], shardId: string): Promise<void> {
    let batch = records;
    for (let attempt = 1; ; attempt++) {
      let failure: unknown;
      try {
        const response = await onRecords({ Records: batch });
        const failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
        if (failed.size === 0) return;
        // Like Lambda: retry from the lowest failed sequence number; an unknown identifier fails the whole batch.
        const first = batch.findIndex((r) => failed.has(r.dynamodb?.SequenceNumber ?? ''));
        if (first > 0) batch = batch.slice(first);
        failure = new Error(`batchItemFailures: ${[...failed].join(', ')}`);
      } catch (error) {
        failure = error;
      }
      const attributes = {
        tableName,
        shardId,
        attempt,
        maxAttempts,
        records: batch.length,
        firstSequenceNumber: batch[0]?.dynamodb?.SequenceNumber,
        error: failure instanceof Error ? failure.message : String(failure),
      };
      if (attempt >= maxAttempts) {
        logger.error('stream batch discarded after the last attempt', attributes);
        onDiscarded?.({ Records: batch }, failure);
        return;
      }
      if (signal.aborted) {
        logger.warn('stream poller stopped: batch left undelivered', attributes);
        return;
      }
      logger.warn('stream batch failed, retrying', attributes);
      await sleep(Math.min(retryDelayMs * 2 ** (attempt - 1), MAX_RETRY_DELAY_MS));
      if (signal.aborted) {
        logger.warn('stream poller stopped: batch left undelivered', attributes);
        return;
      }
    }
  }

  async function readShard(shard: ShardState, firstIterator?: string): Promise<void> {
    let iterator = firstIterator;
    let needIterator: ShardIteratorType | undefined = firstIterator ? undefined : shard.startAt;
    while (!signal.aborted) {
      try {
        if (needIterator) {
          iterator = await shardIterator(shard, needIterator);
          needIterator = undefined;
          if (!iterator) break;
        }
        const nudgesSeen = nudges;
        const response = await streams.send(
          new GetRecordsCommand({ ShardIterator: iterator, Limit: batchSize }),
          {
            abortSignal: signal,
          },
        );
        const records = (response.Records ?? []).map((record) => toLambdaRecord(record, streamArn));
        if (records.length > 0) {
          await deliver(records, shard.shardId);
          if (signal.aborted) break;
          shard.checkpoint = records.at(-1)?.dynamodb?.SequenceNumber ?? shard.checkpoint;
          if (shard.checkpoint) await options.checkpoints?.save(shard.shardId, shard.checkpoint, records);
        }
        iterator = response.NextShardIterator;
        if (!iterator) break; // the shard is closed and fully read
        if (records.length === 0) await waitForRecords(pollIntervalMs, nudgesSeen);
      } catch (error) {
        if (signal.aborted) break;
        const name = error instanceof Error ? error.name : '';
        if (name === 'ExpiredIteratorException') {
          needIterator = shard.checkpoint ? 'AFTER_SEQUENCE_NUMBER' : shard.startAt;
        } else if (name === 'TrimmedDataAccessException') {
          needIterator = 'TRIM_HORIZON';
        } else {
          if (name === 'ResourceNotFoundException')
            needIterator = shard.checkpoint ? 'AFTER_SEQUENCE_NUMBER' : shard.startAt;
          logger.warn('stream poll failed', { tableName, shardId: shard.shardId, error: String(error) });
          await sleep(ERROR_BACKOFF_MS);
        }
      }
    }
    if (!signal.aborted) {
      shard.status = 'done';
      startReadyShards();
      void discover(); // a closed shard usually has children: look for them now
    }
  }

  function launch(shard: ShardState, firstIterator?: string): void {
    shard.status = 'reading';
    const reader = readShard(shard, firstIterator).catch((error: unknown) => {
      logger.error('stream shard reader crashed', {
        tableName,
        shardId: shard.shardId,
        error: String(error),
      });
    });
    readers.add(reader);
    void reader.finally(() => readers.delete(reader));
  }

  /** Starts every waiting shard whose parent is finished (or unknown to us). */
  function startReadyShards(): void {
    if (signal.aborted) return;
    for (const shard of shards.values()) {
      if (shard.status !== 'waiting') continue;
      const parent = shard.parentShardId ? shards.get(shard.parentShardId) : undefined;
      if (!parent || parent.status === 'done') launch(shard);
    }
  }

  let discovering: Promise<void> | undefined;
  function discover(): Promise<void> {
    discovering ??= (async () => {
      try {
        for (const shard of await describeShards()) {
          if (!shard.ShardId || shards.has(shard.ShardId)) continue;
          shards.set(shard.ShardId, {
            shardId: shard.ShardId,
            parentShardId: shard.ParentShardId,
            status: 'waiting',
            startAt: 'TRIM_HORIZON',
            checkpoint: undefined,
          });
        }
        startReadyShards();
      } catch (error) {
        if (!signal.aborted) logger.warn('stream describe failed', { tableName, error: String(error) });
      } finally {
        discovering = undefined;
      }
    })();
    return discovering;
  }

  // Initial shards: open ones from startingPosition (their first iterator fetched before we resolve),
  // closed ones are history (skipped with LATEST, read parent-first with TRIM_HORIZON).
  try {
    const saved = (await options.checkpoints?.load()) ?? new Map<string, string>();
    const initial = await describeShards();
    const firstIterators = new Map<string, string | undefined>();
    for (const shard of initial) {
      if (!shard.ShardId) continue;
      const closed = shard.SequenceNumberRange?.EndingSequenceNumber !== undefined;
      const checkpoint = saved.get(shard.ShardId);
      if (saved.size > 0) {
        // Resuming: after the checkpoint, or the whole shard when it is new since the last run.
        shards.set(shard.ShardId, {
          shardId: shard.ShardId,
          parentShardId: shard.ParentShardId,
          status: 'waiting',
          startAt: checkpoint ? 'AFTER_SEQUENCE_NUMBER' : 'TRIM_HORIZON',
          checkpoint,
        });
        continue;
      }
      const state: ShardState = {
        shardId: shard.ShardId,
        parentShardId: shard.ParentShardId,
        status: closed && startingPosition === 'LATEST' ? 'done' : 'waiting',
        startAt: startingPosition,
        checkpoint: undefined,
      };
      shards.set(shard.ShardId, state);
      if (!closed && startingPosition === 'LATEST') {
        firstIterators.set(shard.ShardId, await shardIterator(state, 'LATEST'));
      }
    }
    for (const [shardId, iterator] of firstIterators) {
      const state = shards.get(shardId);
      if (state && iterator) launch(state, iterator);
    }
    startReadyShards();
  } catch (error) {
    abort.abort();
    await Promise.allSettled([...readers]);
    streams.destroy();
    throw error;
  }

  const discoveryLoop = (async () => {
    while (!signal.aborted) {
      await sleep(discoveryIntervalMs);
      if (!signal.aborted) await discover();
    }
  })();

  let stopping: Promise<void> | undefined;
  return {
    streamArn,
    nudge() {
      nudges += 1;
      for (const wake of [...idleWaiters]) wake();
    },
    stop() {
      stopping ??= (async () => {
        abort.abort();
        await discoveryLoop;
        await discovering;
        // Readers started by a last discovery are in the set too; loop until it drains.
        while (readers.size > 0) await Promise.allSettled([...readers]);
        streams.destroy();
      })();
      return stopping;
    },
  };
}

/* ---------------------------------------------------------------- Lambda event shape ------------ */

/** A DynamoDB Streams record as Lambda delivers it (epoch-seconds timestamp, base64 binaries, eventSourceARN). */
export function toLambdaRecord(record: StreamRecord, streamArn: string): DynamoDBRecord {
  const out: DynamoDBRecord = { eventSourceARN: streamArn };
  if (record.eventID !== undefined) out.eventID = record.eventID;
  if (record.eventName !== undefined) out.eventName = record.eventName;
  if (record.eventVersion !== undefined) out.eventVersion = record.eventVersion;
  if (record.eventSource !== undefined) out.eventSource = record.eventSource;
  if (record.awsRegion !== undefined) out.awsRegion = record.awsRegion;
  if (record.userIdentity !== undefined) out.userIdentity = { ...record.userIdentity };
  const d = record.dynamodb;
  if (d) {
    const stream: NonNullable<DynamoDBRecord['dynamodb']> = {};
    if (d.ApproximateCreationDateTime)
      stream.ApproximateCreationDateTime = d.ApproximateCreationDateTime.getTime() / 1000;
    if (d.Keys) stream.Keys = toLambdaImage(d.Keys);
    if (d.NewImage) stream.NewImage = toLambdaImage(d.NewImage);
    if (d.OldImage) stream.OldImage = toLambdaImage(d.OldImage);
    if (d.SequenceNumber !== undefined) stream.SequenceNumber = d.SequenceNumber;
    if (d.SizeBytes !== undefined) stream.SizeBytes = d.SizeBytes;
    if (d.StreamViewType !== undefined) stream.StreamViewType = d.StreamViewType;
    out.dynamodb = stream;
  }
  return out;
}

function toLambdaImage(image: Record<string, StreamAttributeValue>): Record<string, LambdaAttributeValue> {
  return Object.fromEntries(Object.entries(image).map(([name, value]) => [name, toLambdaValue(value)]));
}

const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

function toLambdaValue(value: StreamAttributeValue): LambdaAttributeValue {
  if (value.S !== undefined) return { S: value.S };
  if (value.N !== undefined) return { N: value.N };
  if (value.BOOL !== undefined) return { BOOL: value.BOOL };
  if (value.NULL !== undefined) return { NULL: value.NULL };
  if (value.B !== undefined) return { B: base64(value.B) };
  if (value.SS !== undefined) return { SS: [...value.SS] };
  if (value.NS !== undefined) return { NS: [...value.NS] };
  if (value.BS !== undefined) return { BS: value.BS.map(base64) };
  if (value.L !== undefined) return { L: value.L.map(toLambdaValue) };
  if (value.M !== undefined) return { M: toLambdaImage(value.M) };
  throw new Error(`unsupported attribute value: ${JSON.stringify(value)}`);
}
