import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { startDynamoLocal, createTable } from '../local/dynamo-local.ts';
import { startStreamPoller } from '../local/stream-poller.ts';
const d = await startDynamoLocal();
console.log('startup ms', d.startupMs);
try {
  await createTable(d.client, 'lat');
  const sent = new Map<string, number>();
  const lat: number[] = [];
  let resolveNext: (() => void) | undefined;
  const poller = await startStreamPoller({ endpoint: d.endpoint, tableName: 'lat', pollIntervalMs: Number(process.argv[2] ?? 50), onRecords: async (e) => {
    const now = performance.now();
    for (const r of e.Records) { const k = r.dynamodb?.Keys?.PK?.S ?? ''; lat.push(now - sent.get(k)!); }
    resolveNext?.();
  }});
  for (let i = 0; i < 60; i++) {
    const k = `k${i}`;
    const p = new Promise<void>((r) => { resolveNext = r; });
    sent.set(k, performance.now());
    await d.client.send(new PutItemCommand({ TableName: 'lat', Item: { PK: { S: k }, SK: { S: 's' } } }));
    await p;
    await new Promise((r) => setTimeout(r, Math.random() * 30));
  }
  await poller.stop();
  const m = lat.slice(10).sort((a, b) => a - b);
  const pct = (q: number) => m[Math.min(m.length - 1, Math.floor(q * m.length))]!.toFixed(1);
  console.log(`poll=${process.argv[2] ?? 50} n=${m.length} min ${m[0]!.toFixed(1)} median ${pct(0.5)} p90 ${pct(0.9)} worst ${m.at(-1)!.toFixed(1)}`);
} finally { await d.stop(); }
