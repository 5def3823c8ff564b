import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { instructionToItem } from '../functions/adapters/dynamo/codec.ts';
import { documentClient } from '../functions/adapters/dynamo/db.ts';
import { queryDue } from '../functions/adapters/dynamo/due-index.ts';
import { newInstruction } from '../functions/domain/new-instruction.ts';
import { createTable, localClientConfig, startDynamoLocal } from '../local/dynamo-local.ts';
import { Meter, meterDynamoClient } from '../local/meter.ts';

/**
 * `npm run bench:reconciler`: what one reconciler sweep costs (app/reconcile.ts) with 10,000 open
 * instructions, most of them not due: the Queries of the sparse `due` index, their read units as
 * DynamoDB Local reports them, and their time. The claim for the cost model: a sweep reads only what
 * is due, so its cost follows the due work, not the open instructions.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const OPEN = 10_000;
const TABLE = 'sweep';

const dynamo = await startDynamoLocal();
try {
  await createTable(dynamo.client, TABLE);
  const metered = new DynamoDBClient(localClientConfig(dynamo.endpoint));
  const meter = new Meter();
  meterDynamoClient(metered, meter);
  const db = { doc: documentClient(metered), table: TABLE };
  const now = new Date();
  const at = (ms: number) => new Date(now.getTime() + ms).toISOString();
  const instruction = (n: number, dueInMs: number) => ({
    ...newInstruction({
      caseId: `C${String(Math.floor(n / 100)).padStart(10, '0')}`,
      agencyId: 'PSB-1',
      orderId: `C${String(Math.floor(n / 100)).padStart(10, '0')}.OBENCH`,
      instructionId: `C${String(Math.floor(n / 100)).padStart(10, '0')}.OBENCH.${n % 100}`,
      bankId: `B${n % 20}`,
      accountNumber: `6222${String(n).padStart(12, '0')}`,
      requested: { currency: 'CNY', minor: 1_000_000n },
      hop: 1,
      parentInstructionId: null,
      legalBasis: { kind: 'bench', reference: 'B-1', issuedBy: 'bench', issuedAt: at(0) },
      holdHours: 48,
      createdAt: at(-60_000),
    }),
    status: 'DISPATCHED' as const,
    dispatchedAt: at(-60_000),
    deliveryStartedAt: at(-60_000),
    deadlineAt: at(dueInMs),
  });
  const put = async (items: ReturnType<typeof instruction>[]) => {
    for (let i = 0; i < items.length; i += 25) {
      await db.doc.send(
        new BatchWriteCommand({
          RequestItems: {
            [TABLE]: items.slice(i, i + 25).map((x) => ({ PutRequest: { Item: instructionToItem(x) } })),
          },
        }),
      );
    }
  };
  // Every open instruction waits for a deadline an hour away: none is due.
  await put(Array.from({ length: OPEN }, (_, n) => instruction(n, 3_600_000)));
  const rows: string[] = [];
  for (const due of [0, 10, 100]) {
    if (due > 0)
      await put(Array.from({ length: due }, (_, n) => instruction(OPEN + 1000 * due + n, -10_000)));
    const times: number[] = [];
    let found = 0;
    meter.reset();
    const sweeps = 20;
    for (let s = 0; s < sweeps; s++) {
      const t0 = performance.now();
      found = (await queryDue(db, new Date(), 200)).length;
      times.push(performance.now() - t0);
    }
    const q = meter.snapshot().dynamo.Query;
    times.sort((a, b) => a - b);
    rows.push(
      `| ${OPEN.toLocaleString('en')} | ${found} | ${((q?.calls ?? 0) / sweeps).toFixed(1)} | ${((q?.readUnits ?? 0) / sweeps).toFixed(1)} | ${times[Math.floor(sweeps / 2)]!.toFixed(1)} |`,
    );
  }
  console.log('| open instructions | due | Queries per sweep | read units per sweep | median ms |');
  console.log('|---|---|---|---|---|');
  for (const r of rows) console.log(r);
  metered.destroy();
} finally {
  await dynamo.stop();
}
