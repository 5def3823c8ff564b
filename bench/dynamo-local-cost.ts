import { parseArgs } from 'node:util';
import { GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../functions/adapters/dynamo/db.ts';
import { createTable, JAVA_OPTIONS, startDynamoLocal } from '../local/dynamo-local.ts';
import { processCpuSeconds } from '../local/process-stats.ts';

/**
 * `npm run bench:dynamo`: what one DynamoDB Local request costs on this machine — requests per second
 * and CPU milliseconds per request, in Java (DynamoDB Local) and in Node (the AWS SDK v3 client) —
 * for GetItem, PutItem and TransactWriteItems of 1 to 96 conditional puts, under both JVM settings
 * of local/dynamo-local.ts (JAVA_OPTIONS). The floor under every local figure of `npm run bench`:
 * an instruction's life takes two transactions (dispatch record, confirmation) plus a few reads.
 * Each setting runs `--rounds` times on one fresh JVM; the last round is the warm one.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' } } });
const rounds = Number(values.rounds);
const TABLE = 'cost';
const TRANSACTION_SIZES = [1, 2, 6, 12, 24, 48, 96];

/** CPU milliseconds a process has used (bench/sustained.ts reads /proc). */
const processCpuMs = (pid: number) => (processCpuSeconds(pid) ?? Number.NaN) * 1000;

interface Row {
  jvm: string;
  round: number;
  request: string;
  concurrency: number;
  perSecond: number;
  javaMsPerRequest: number;
  nodeMsPerRequest: number;
}

async function measure(jvm: keyof typeof JAVA_OPTIONS): Promise<Row[]> {
  const dynamo = await startDynamoLocal({ javaToolOptions: JAVA_OPTIONS[jvm] });
  const rows: Row[] = [];
  try {
    await createTable(dynamo.client, TABLE);
    const doc = documentClient(dynamo.client);
    for (let i = 0; i < 200; i++)
      await doc.send(
        new PutCommand({
          TableName: TABLE,
          Item: { PK: `CASE#c${i % 10}`, SK: `INSTR#${i}`, data: 'x'.repeat(800) },
        }),
      );
    const run = async (
      round: number,
      request: string,
      concurrency: number,
      total: number,
      send: (i: number) => Promise<unknown>,
    ) => {
      const java0 = processCpuMs(dynamo.pid);
      const node0 = process.cpuUsage();
      const t0 = performance.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < total) await send(next++);
        }),
      );
      const ms = performance.now() - t0;
      const node = process.cpuUsage(node0);
      rows.push({
        jvm,
        round,
        request,
        concurrency,
        perSecond: Math.round((total / ms) * 1000),
        javaMsPerRequest: Math.round(((processCpuMs(dynamo.pid) - java0) / total) * 100) / 100,
        nodeMsPerRequest: Math.round(((node.user + node.system) / 1000 / total) * 100) / 100,
      });
    };
    for (let round = 1; round <= rounds; round++) {
      await run(round, 'GetItem', 50, 2000, (i) =>
        doc.send(
          new GetCommand({
            TableName: TABLE,
            Key: { PK: `CASE#c${i % 10}`, SK: `INSTR#${i % 200}` },
            ConsistentRead: true,
          }),
        ),
      );
      await run(round, 'PutItem', 16, 600, (i) =>
        doc.send(
          new PutCommand({
            TableName: TABLE,
            Item: { PK: `CASE#p${round}-${i}`, SK: 'X', data: 'y'.repeat(300) },
            ConditionExpression: 'attribute_not_exists(PK)',
          }),
        ),
      );
      for (const n of TRANSACTION_SIZES) {
        await run(round, `TransactWriteItems of ${n}`, 8, Math.max(40, Math.round(600 / n)), (i) =>
          doc.send(
            new TransactWriteCommand({
              TransactItems: Array.from({ length: n }, (_, k) => ({
                Put: {
                  TableName: TABLE,
                  Item: { PK: `CASE#t${round}-${n}-${i}`, SK: `X#${k}`, data: 'y'.repeat(300) },
                  ConditionExpression: 'attribute_not_exists(PK)',
                },
              })),
            }),
          ),
        );
      }
    }
  } finally {
    await dynamo.stop();
  }
  return rows;
}

const rows = [...(await measure('quickStart')), ...(await measure('longRunning'))];
console.log(
  `| JVM (round ${rounds} of ${rounds}) | request | concurrency | requests/s | Java CPU ms/request | Node CPU ms/request |`,
);
console.log('|---|---|---|---|---|---|');
for (const r of rows.filter((row) => row.round === rounds))
  console.log(
    `| ${r.jvm} | ${r.request} | ${r.concurrency} | ${r.perSecond} | ${r.javaMsPerRequest} | ${r.nodeMsPerRequest} |`,
  );
process.exit(0);
