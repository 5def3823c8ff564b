import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { countAuditIntents } from '../functions/adapters/dynamo/audit-sequencer.ts';
import { instructionToItem } from '../functions/adapters/dynamo/codec.ts';
import { caseChain } from '../functions/adapters/dynamo/transact.ts';
import { newInstruction } from '../functions/domain/new-instruction.ts';
import { ApiClient } from '../local/api-client.ts';
import { handlerModuleUrl } from '../local/handlers.ts';
import type { InvocationStats } from '../local/sandbox/pool.ts';
import { type LocalSystem, startLocalSystem } from '../local/system.ts';
import { apiEventFor } from './events.ts';
import { percentile } from './stats.ts';

/**
 * Figure (g), contention: K sandboxes, all warm and released together, write to ONE case — first K
 * dispatch records (the delivery step of K instructions at a pull bank), then K confirmations of
 * them. Each invocation runs in a sandbox of its own (local/sandbox/pool.ts), so nothing in a
 * process can queue them: what they contend on is what AWS would see.
 */
export interface ContentionPhase {
  invocations: number;
  failures: number;
  /** What the failed invocations threw or answered, counted. */
  failuresBy: Record<string, number>;
  /** TransactWriteItems requests per successful invocation (1 = never retried). */
  attemptsPerSuccess: { p50: number; p99: number; max: number };
  /** Release → every invocation answered. */
  allRecordedMs: number;
  /** Release → the audit chain holds every change (nothing pending). */
  chainedMs: number;
}

export interface ContentionResult {
  k: number;
  /** Sandboxes the K invocations of each phase ran in (K, or the memory cap, see contentionFigure). */
  sandboxes: number;
  /** Starting the K sandboxes of the two functions (before the release; not in the figures). */
  warmUpMs: number;
  dispatch: ContentionPhase;
  confirm: ContentionPhase;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A failed answer in a few words: its status and problem title, or its outcome. */
function answerOf(value: unknown): string {
  const v = value as { statusCode?: number; body?: string; outcome?: string };
  if (v.statusCode === undefined) return `outcome ${v.outcome ?? JSON.stringify(value).slice(0, 60)}`;
  let title = '';
  try {
    title = String((JSON.parse(v.body ?? '{}') as { title?: string; detail?: string }).detail ?? '');
  } catch {
    title = (v.body ?? '').slice(0, 60);
  }
  return `${v.statusCode} ${title.slice(0, 80)}`;
}
const countBy = (items: string[]) =>
  items.reduce<Record<string, number>>((counts, item) => {
    counts[item] = (counts[item] ?? 0) + 1;
    return counts;
  }, {});

async function phase(
  system: LocalSystem,
  caseId: string,
  functionName: string,
  events: unknown[],
  succeeded: (value: unknown) => boolean,
): Promise<ContentionPhase> {
  const pool = system.sandboxes;
  if (!pool) throw new Error('figure (g) needs the sandbox pool');
  const moduleUrl = handlerModuleUrl(functionName);
  const t0 = performance.now();
  const outcomes = await Promise.all(
    events.map((event) =>
      pool.invokeWithStats(functionName, moduleUrl, event).then(
        (o) => ({
          ok: succeeded(o.value),
          stats: o.stats as InvocationStats | undefined,
          why: succeeded(o.value) ? undefined : answerOf(o.value),
        }),
        (error: Error) => ({
          ok: false,
          stats: undefined,
          why: `${error.name}: ${error.message.slice(0, 80)}`,
        }),
      ),
    ),
  );
  const allRecordedMs = performance.now() - t0;
  const chain = caseChain(caseId);
  while ((await countAuditIntents(system.deps.db, chain)) > 0) await sleep(20);
  const chainedMs = performance.now() - t0;
  // Write attempts per committed change: a dispatch commits two changes (its claim, which fixes the
  // times, then the delivery), a confirmation one; each retry after a conflict adds an attempt.
  const attempts = outcomes
    .filter((o) => o.ok && o.stats)
    .map((o) => {
      const { transactions, cancelledTransactions } = o.stats!;
      const committed = transactions - cancelledTransactions;
      return committed > 0 ? Math.round((transactions / committed) * 100) / 100 : transactions;
    })
    .sort((x, y) => x - y);
  return {
    invocations: events.length,
    failures: outcomes.filter((o) => !o.ok).length,
    failuresBy: countBy(outcomes.flatMap((o) => (o.why ? [o.why] : []))),
    attemptsPerSuccess: {
      p50: percentile(attempts, 50),
      p99: percentile(attempts, 99),
      max: Math.max(0, ...attempts),
    },
    allRecordedMs: Math.round(allRecordedMs),
    chainedMs: Math.round(chainedMs),
  };
}

export async function runContention(options: {
  system: LocalSystem;
  api: ApiClient;
  k: number;
  bankId: string;
  openCase: () => Promise<string>;
  log: (line: string) => void;
  maxSandboxes: number;
}): Promise<ContentionResult> {
  const { system, k, bankId } = options;
  const pool = system.sandboxes;
  if (!pool) throw new Error('figure (g) needs the sandbox pool');
  const caseId = await options.openCase();
  const orderId = `${caseId}.OCONT`;
  const ids = Array.from({ length: k }, (_, i) => `${orderId}.${i + 1}`);
  const items = ids.map((instructionId, i) =>
    instructionToItem(
      newInstruction({
        caseId,
        agencyId: 'BENCH',
        orderId,
        instructionId,
        bankId,
        accountNumber: `K${k}-${i}`,
        requested: { currency: 'CNY', minor: 1000n },
        hop: 1,
        parentInstructionId: null,
        legalBasis: { kind: 'bench', reference: 'G-1', issuedBy: 'bench', issuedAt: '2026-11-20T00:00:00Z' },
        holdHours: 48,
        createdAt: new Date().toISOString(),
      }),
    ),
  );
  const { db } = system.deps;
  for (let i = 0; i < items.length; i += 25) {
    await db.doc.send(
      new BatchWriteCommand({
        RequestItems: { [db.table]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) },
      }),
    );
  }
  const sandboxes = Math.min(k, options.maxSandboxes);
  let warmUpMs = 0;
  const warm = async (functionName: string) => {
    const w0 = performance.now();
    await pool.warm(functionName, handlerModuleUrl(functionName), sandboxes);
    warmUpMs += Math.round(performance.now() - w0);
    options.log(`(g) K=${k}: ${sandboxes} sandboxes of ${functionName} warm`);
  };
  await warm('dispatch-instruction');
  const dispatch = await phase(
    system,
    caseId,
    'dispatch-instruction',
    ids.map((instructionId) => ({ caseId, instructionId, kind: 'FREEZE' })),
    (value) => (value as { outcome?: string }).outcome === 'DELIVERED',
  );
  await pool.retire('dispatch-instruction');
  await warm('record-confirmation');
  const confirm = await phase(
    system,
    caseId,
    'record-confirmation',
    ids.map((id, i) =>
      apiEventFor(bankId, id, {
        confirmationId: `g${k}-${i}`,
        result: 'ACTIONED',
        frozen: { currency: 'CNY', minor: '1000' },
      }),
    ),
    (value) => (value as { statusCode?: number }).statusCode === 201,
  );
  await pool.retire('record-confirmation');
  return { k, sandboxes, warmUpMs, dispatch, confirm };
}

/**
 * A sandbox held about 40 MB when this was chosen (tsx-loaded; about 14 MB since sandboxes load
 * bundles), so this many at once is what a 24 GiB machine held beside DynamoDB Local and the rest
 * with room to spare; kept, so that (g) stays comparable across runs: K above it runs its K
 * invocations, released together, through this many sandboxes (each then serves several in turn).
 */
export const MAX_CONTENTION_SANDBOXES = 150;

/**
 * Figure (g) for each K, on a system of its own whose pool allows the sandboxes it needs (the
 * reconciler off, so nothing but the K invocations writes), stopped afterwards.
 */
export async function contentionFigure(options: {
  ks: number[];
  jwtSecret: string;
  log: (line: string) => void;
  maxSandboxes?: number;
}): Promise<ContentionResult[]> {
  const maxSandboxes = options.maxSandboxes ?? MAX_CONTENTION_SANDBOXES;
  const system = await startLocalSystem({
    port: 0,
    jwtSecret: options.jwtSecret,
    reconciler: false,
    sandboxes: { perFunction: Math.min(maxSandboxes, Math.max(...options.ks)) },
  });
  try {
    const api = new ApiClient(system.url, options.jwtSecret);
    const bankId = 'GPULL';
    const bank = await api.request('PUT', `/banks/${bankId}`, {
      as: { role: 'admin' },
      body: { name: 'contention', mode: 'pull', slaSeconds: 3600 },
    });
    if (bank.status >= 300) throw new Error(`register ${bankId}: ${bank.status}`);
    const openCase = async () => {
      const r = await api.request<{ caseId: string }>('POST', '/cases', {
        as: { role: 'police', agencyId: 'BENCH' },
        idempotencyKey: true,
        body: {
          reference: 'contention',
          reportedLoss: { currency: 'CNY', minor: '100000000' },
          reportedAt: '2026-11-20T00:00:00Z',
        },
      });
      return r.body.caseId;
    };
    const results: ContentionResult[] = [];
    for (const k of options.ks) {
      const result = await runContention({
        system,
        api,
        k,
        bankId,
        openCase,
        log: options.log,
        maxSandboxes,
      });
      options.log(`(g) K=${k}: ${JSON.stringify(result)}`);
      results.push(result);
    }
    return results;
  } finally {
    await system.stop();
  }
}

export function contentionTable(results: ContentionResult[]): string[] {
  const row = (k: number, name: string, p: ContentionPhase) =>
    `| ${k} | ${name} | ${p.failures} / ${p.invocations} | ${p.attemptsPerSuccess.p50} / ${p.attemptsPerSuccess.p99} / ${p.attemptsPerSuccess.max} | ${p.allRecordedMs} | ${p.chainedMs} |`;
  return [
    '| (g) K writes on one case, released together | writes (sandboxes) | failures | write attempts per committed change p50 / p99 / max | all answered (ms) | all chained (ms) |',
    '|---|---|---|---|---|---|',
    ...results.flatMap((r) => [
      row(r.k, `dispatch records (${r.sandboxes})`, r.dispatch),
      row(r.k, `confirmations (${r.sandboxes})`, r.confirm),
    ]),
  ];
}
