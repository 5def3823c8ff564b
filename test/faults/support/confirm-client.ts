/**
 * A bank's side of the confirmations route (POST /banks/{bankId}/instructions/{id}/confirmations,
 * docs/api.md "Instructions and confirmations") with a bank token (local/dev-jwt.ts), keeping a ledger of
 * what the system accepted: the first 201 per confirmationId. figures.ts compares the totals with it.
 *
 * `sendWithChaos` sends a batch the way a flaky integration would: a share of the confirmations
 * twice (same confirmationId, same result: a retry), a share out of order, and a share followed by
 * a conflicting one (same confirmationId, another amount: 409 CONFIRMATION_ID_REUSED expected).
 */
import { bankCaller, type FaultApi, type MoneyJson } from './api.ts';

export interface ConfirmationBody {
  confirmationId: string;
  result: 'ACTIONED' | 'ACCOUNT_NOT_FOUND' | 'REJECTED';
  frozen?: MoneyJson;
  onwardTransfers?: {
    toBankId: string;
    toAccount: string;
    amount: MoneyJson;
    transferredAt: string;
    reference?: string;
  }[];
  cashWithdrawn?: MoneyJson;
  released?: MoneyJson;
  reason?: string;
  reportedAt?: string;
}

export interface Sent {
  instructionId: string;
  body: ConfirmationBody;
  status: number;
  answer: unknown;
  /** 'original' | 'duplicate' | 'conflict' (sendWithChaos) or 'single'. */
  role: string;
  at: number;
}

export interface Accepted {
  instructionId: string;
  confirmationId: string;
  frozen: bigint;
  released: bigint;
  currency: string;
  transfers: number;
}

export class ConfirmClient {
  readonly sent: Sent[] = [];
  /** Accepted (201) confirmations by confirmationId. */
  readonly accepted = new Map<string, Accepted>();

  constructor(
    private readonly api: FaultApi,
    readonly bankId: string,
  ) {}

  async confirm(instructionId: string, body: ConfirmationBody, role = 'single'): Promise<Sent> {
    const answer = await this.api.request(
      'POST',
      `/banks/${encodeURIComponent(this.bankId)}/instructions/${encodeURIComponent(instructionId)}/confirmations`,
      { as: bankCaller(this.bankId), body: { reportedAt: new Date().toISOString(), ...body } },
    );
    const sent: Sent = {
      instructionId,
      body,
      status: answer.status,
      answer: answer.body,
      role,
      at: Date.now(),
    };
    this.sent.push(sent);
    if (answer.status === 201 && !this.accepted.has(body.confirmationId)) {
      this.accepted.set(body.confirmationId, {
        instructionId,
        confirmationId: body.confirmationId,
        frozen: BigInt(body.frozen?.minor ?? '0'),
        released: BigInt(body.released?.minor ?? '0'),
        currency: body.frozen?.currency ?? body.released?.currency ?? 'CNY',
        transfers: body.onwardTransfers?.length ?? 0,
      });
    }
    return sent;
  }

  /** Sum of what accepted confirmations froze, per instruction. */
  frozenByInstruction(): Map<string, bigint> {
    const sums = new Map<string, bigint>();
    for (const a of this.accepted.values())
      sums.set(a.instructionId, (sums.get(a.instructionId) ?? 0n) + a.frozen);
    return sums;
  }

  async sendWithChaos(
    items: { instructionId: string; body: ConfirmationBody; conflict?: ConfirmationBody }[],
    options: {
      duplicates: number;
      reordered: number;
      conflicting: number;
      seed: number;
      concurrency: number;
      rebuildOnRetry?: boolean;
    },
  ): Promise<ChaosPlan> {
    const plan = chaosPlan(items, options);
    // Waves: originals and duplicates (a duplicate may race its original), then the conflicts,
    // each after its original was answered (a conflict must lose to the confirmation it reuses).
    await runConcurrently(plan.first, options.concurrency, (s) =>
      this.confirm(s.instructionId, s.body, s.role),
    );
    await runConcurrently(plan.conflicts, options.concurrency, (s) =>
      this.confirm(s.instructionId, s.body, s.role),
    );
    return plan;
  }
}

export interface PlannedSend {
  instructionId: string;
  body: ConfirmationBody;
  role: 'original' | 'duplicate' | 'conflict';
}

export interface ChaosPlan {
  first: PlannedSend[];
  conflicts: PlannedSend[];
  duplicated: Set<string>;
  reordered: Set<string>;
  conflicting: Set<string>;
}

/** mulberry32: a small seeded PRNG, so a failing run can be replayed with the same plan. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Picks round(share × n) distinct indices. */
function pick(n: number, share: number, random: () => number): Set<number> {
  const indices = [...Array(n).keys()];
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [indices[i], indices[j]] = [indices[j]!, indices[i]!];
  }
  return new Set(indices.slice(0, Math.round(n * share)));
}

export function chaosPlan(
  items: { instructionId: string; body: ConfirmationBody; conflict?: ConfirmationBody }[],
  options: {
    duplicates: number;
    reordered: number;
    conflicting: number;
    seed: number;
    rebuildOnRetry?: boolean;
  },
): ChaosPlan {
  const random = prng(options.seed);
  const dup = pick(items.length, options.duplicates, random);
  const reo = pick(items.length, options.reordered, random);
  const con = pick(items.length, options.conflicting, random);
  const first: PlannedSend[] = [];
  const reportedAt = new Date().toISOString();
  items.forEach((item, i) => {
    const body = { reportedAt, ...item.body };
    first.push({ instructionId: item.instructionId, body, role: 'original' });
    // A retry: same confirmationId and result; a bank that rebuilds its body on a retry sends a new
    // reportedAt and reason (docs/api.md: still a replay, 200), one that keeps it sends the same bytes.
    if (dup.has(i)) {
      first.push({
        instructionId: item.instructionId,
        body: options.rebuildOnRetry
          ? { ...body, reportedAt: new Date(Date.now() + 1000).toISOString(), reason: 'retry, rebuilt' }
          : body,
        role: 'duplicate',
      });
    }
  });
  // Reordered: each picked confirmation moves to a random later place in the sequence.
  for (const i of [...reo].sort((a, b) => b - a)) {
    const id = items[i]!.instructionId;
    const from = first.findIndex((s) => s.instructionId === id && s.role === 'original');
    const [moved] = first.splice(from, 1);
    const to = from + 1 + Math.floor(random() * (first.length - from));
    first.splice(Math.min(to, first.length), 0, moved!);
  }
  const conflicts: PlannedSend[] = [...con].map((i) => {
    const item = items[i]!;
    return {
      instructionId: item.instructionId,
      body: item.conflict ?? conflictOf(item.body),
      role: 'conflict',
    };
  });
  const ids = (s: Set<number>) => new Set([...s].map((i) => items[i]!.instructionId));
  return { first, conflicts, duplicated: ids(dup), reordered: ids(reo), conflicting: ids(con) };
}

/** The same confirmationId with another result: another frozen amount, or a different result. */
function conflictOf(body: ConfirmationBody): ConfirmationBody {
  if (body.result === 'ACTIONED' && body.frozen && BigInt(body.frozen.minor) > 1n) {
    return { ...body, frozen: { ...body.frozen, minor: String(BigInt(body.frozen.minor) - 1n) } };
  }
  const result = body.result === 'REJECTED' ? 'ACCOUNT_NOT_FOUND' : 'REJECTED';
  return { confirmationId: body.confirmationId, result, reason: 'conflicting retry' };
}

export async function runConcurrently<T>(
  items: T[],
  concurrency: number,
  work: (item: T) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.max(1, concurrency) }, async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      await work(items[i]!);
    }
  });
  await Promise.all(workers);
}
