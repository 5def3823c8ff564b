import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeTableCommand,
  ListTablesCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { freezeflowTable } from '../../functions/adapters/table-definition.ts';
import { createTable, deleteTable, startDynamoLocal } from '../../local/dynamo-local.ts';
import { listensOn } from '../../local/port-owner.ts';
import { useDynamoLocal } from '../support/dynamo.ts';

const dynamo = useDynamoLocal();

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('DynamoDB Local', () => {
  it('creates the table from freezeflowTable: keys, GSIs (ALL), on-demand, stream of new images', async () => {
    const { table } = await dynamo.freshDb();
    const { Table } = await dynamo.client.send(new DescribeTableCommand({ TableName: table }));

    expect(Table?.TableStatus).toBe('ACTIVE');
    expect(Table?.KeySchema).toEqual([
      { AttributeName: freezeflowTable.partitionKey.name, KeyType: 'HASH' },
      { AttributeName: freezeflowTable.sortKey.name, KeyType: 'RANGE' },
    ]);
    expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    expect(Table?.StreamSpecification).toEqual({
      StreamEnabled: true,
      StreamViewType: freezeflowTable.stream,
    });
    expect(Table?.LatestStreamArn).toContain(`table/${table}/stream/`);

    const indexes = Table?.GlobalSecondaryIndexes ?? [];
    expect(indexes.map((index) => index.IndexName).sort()).toEqual(
      freezeflowTable.globalSecondaryIndexes.map((index) => index.indexName).sort(),
    );
    for (const definition of freezeflowTable.globalSecondaryIndexes) {
      const index = indexes.find((i) => i.IndexName === definition.indexName);
      expect(index?.KeySchema).toEqual([
        { AttributeName: definition.partitionKey.name, KeyType: 'HASH' },
        { AttributeName: definition.sortKey.name, KeyType: 'RANGE' },
      ]);
      expect(index?.Projection?.ProjectionType).toBe('ALL');
      expect(index?.IndexStatus).toBe('ACTIVE');
    }
    const attributeTypes = Object.fromEntries(
      (Table?.AttributeDefinitions ?? []).map((a) => [a.AttributeName, a.AttributeType]),
    );
    expect(attributeTypes).toEqual({
      PK: 'S',
      SK: 'S',
      GSI1PK: 'S',
      GSI1SK: 'S',
      GSI2PK: 'S',
      GSI2SK: 'S',
      GSI3PK: 'S',
      GSI3SK: 'S',
      GSI4PK: 'S',
      GSI4SK: 'S',
    });
  });

  it('serves the GSIs through the document client of Db', async () => {
    const db = await dynamo.freshDb();
    await db.doc.send(
      new PutCommand({
        TableName: db.table,
        Item: {
          PK: 'CASE#c1',
          SK: 'INSTR#i1',
          GSI1PK: 'BANK#b1',
          GSI1SK: '2025-01-01T00:00:00Z#i1',
          amount: 5,
        },
      }),
    );
    const { Items } = await db.doc.send(
      new QueryCommand({
        TableName: db.table,
        IndexName: 'inbox',
        KeyConditionExpression: 'GSI1PK = :pk',
        ExpressionAttributeValues: { ':pk': 'BANK#b1' },
      }),
    );
    expect(Items).toEqual([expect.objectContaining({ PK: 'CASE#c1', SK: 'INSTR#i1', amount: 5 })]);
  });

  it('cancels a TransactWriteItems whose condition fails, with CancellationReasons, and applies nothing', async () => {
    const db = await dynamo.freshDb();
    await db.doc.send(new PutCommand({ TableName: db.table, Item: { PK: 'CASE#c1', SK: 'CONF#b1#k1' } }));

    const attempt = dynamo.client.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          {
            Update: {
              TableName: db.table,
              Key: { PK: { S: 'CASE#c1' }, SK: { S: '#TOTALS' } },
              UpdateExpression: 'ADD frozen :n',
              ExpressionAttributeValues: { ':n': { N: '100' } },
            },
          },
          {
            Put: {
              TableName: db.table,
              Item: { PK: { S: 'CASE#c1' }, SK: { S: 'CONF#b1#k1' } },
              ConditionExpression: 'attribute_not_exists(PK)',
            },
          },
        ],
      }),
    );

    const error = await attempt.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransactionCanceledException);
    const reasons = (error as TransactionCanceledException).CancellationReasons?.map((r) => r.Code);
    expect(reasons).toEqual(['None', 'ConditionalCheckFailed']);
    const totals = await db.doc.send(
      new GetCommand({ TableName: db.table, Key: { PK: 'CASE#c1', SK: '#TOTALS' } }),
    );
    expect(totals.Item).toBeUndefined();
  });

  it('deletes tables', async () => {
    const table = await dynamo.freshTable();
    await deleteTable(dynamo.client, table);
    await deleteTable(dynamo.client, table); // absent: no error
    const { TableNames } = await dynamo.client.send(new ListTablesCommand({}));
    expect(TableNames).not.toContain(table);
  });

  it('starts on disk (dataDir) and stop() leaves no Java process behind', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'freezeflow-ddb-'));
    try {
      const local = await startDynamoLocal({ dataDir });
      expect(isRunning(local.pid)).toBe(true);
      await createTable(local.client, 'on-disk');
      await local.stop();
      await local.stop(); // idempotent
      expect(isRunning(local.pid)).toBe(false);
      expect(readdirSync(dataDir).some((file) => file.endsWith('.db'))).toBe(true);
    } finally {
      if (existsSync(dataDir)) rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('is never called ready on a port another DynamoDB Local answers (parallel runtimes took the same free port)', async () => {
    // The suite's DynamoDB Local already listens there: a new JVM on that port dies of a
    // BindException, and the probe must not take the other one's answer for its own.
    const taken = Number(new URL(dynamo.endpoint).port);
    expect(await listensOn(process.pid, taken)).toBe(false);
    await expect(startDynamoLocal({ port: taken, startTimeoutMs: 20_000 })).rejects.toThrow(
      /exited before answering|did not answer/,
    );
  });
});

describe('supervised DynamoDB Local (local/dynamo-local.ts Supervisor)', () => {
  it('restarts a JVM that dies (SIGKILL, or a SIGTERM this process did not get) on the same port; stop() ends it for good', async () => {
    const local = await startDynamoLocal({ supervise: true, startTimeoutMs: 60_000 });
    const supervisor = local.supervisor;
    if (!supervisor) throw new Error('not supervised');
    try {
      const firstPid = local.pid;
      let restarted = supervisor.nextRestart();
      supervisor.kill('SIGKILL');
      const afterKill = await restarted;
      expect(afterKill).toMatchObject({ restarts: 1, attempts: 1, failures: [] });
      expect(afterKill.pid).not.toBe(firstPid);
      expect(await listensOn(afterKill.pid, local.port)).toBe(true);
      // A SIGTERM of the JVM alone (not Ctrl-C of the whole group): a crash as well, looked at a
      // moment later and restarted.
      restarted = supervisor.nextRestart();
      supervisor.kill('SIGTERM');
      const afterTerm = await restarted;
      expect(afterTerm).toMatchObject({ restarts: 2, attempts: 1 });
      await local.client.send(new ListTablesCommand({}));
    } finally {
      const last = local.pid;
      await local.stop();
      expect(isRunning(last)).toBe(false);
    }
  });
});

describe('listensOn (local/port-owner.ts)', () => {
  it('tells the process listening on a port from one that is not', async () => {
    const { createServer } = await import('node:net');
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      expect(await listensOn(process.pid, port)).toBe(true);
      expect(await listensOn(process.pid, port === 1 ? 2 : port - 1)).toBe(false);
      expect(await listensOn(1, port)).toBe(false);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('says a process that has exited listens on nothing (a JVM that lost the port race, already reaped)', async () => {
    // CI once called a JVM ready because its /proc entry was gone by the time it was read: "cannot
    // tell" then let the other runtime's answer through (test/faults/harness.test.ts saw 404s).
    const { spawn } = await import('node:child_process');
    const { createServer } = await import('node:net');
    const gone = spawn(process.execPath, ['-e', '']);
    const pid = gone.pid ?? -1;
    await new Promise((resolve) => gone.once('exit', resolve));
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      expect(await listensOn(pid, port)).toBe(false);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
