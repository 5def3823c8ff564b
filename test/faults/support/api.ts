import { randomUUID } from 'node:crypto';
import type { Role } from '../../../functions/schemas/claims.ts';
import { signDevToken } from '../../../local/dev-jwt.ts';

/**
 * An HTTP client of the system under test that counts every answer by status, so a fault's figures
 * can say how many 500s anyone saw. A 503 (busy, or the database away) carries Retry-After and is
 * repeated after it, as docs/api.md asks of clients; it is counted but is not a failure. A request the
 * server cannot answer at all (it was killed) throws.
 */
export interface Caller {
  role: Role;
  agencyId?: string;
  bankId?: string;
}

export interface Answer<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

export const police: Caller = { role: 'police', agencyId: 'PSB-FAULTS' };
export const admin: Caller = { role: 'admin' };
export const regulator: Caller = { role: 'regulator' };
export const bankCaller = (bankId: string): Caller => ({ role: 'bank', bankId });

const BUSY_REPEATS = 8;

export class FaultApi {
  /** Answers seen, by status code. */
  readonly statuses = new Map<number, number>();
  /** Every 5xx other than 503 (a 503 + Retry-After is an honest answer): method, path, status, body. */
  readonly serverErrors: { method: string; path: string; status: number; body: unknown }[] = [];
  private readonly tokens = new Map<string, Promise<string>>();

  constructor(
    public baseUrl: string,
    private readonly jwtSecret: string,
  ) {}

  token(caller: Caller): Promise<string> {
    const key = `${caller.role}|${caller.agencyId ?? ''}|${caller.bankId ?? ''}`;
    let token = this.tokens.get(key);
    if (!token) {
      token = signDevToken({ ...caller }, this.jwtSecret);
      this.tokens.set(key, token);
    }
    return token;
  }

  async request<T = unknown>(
    method: 'GET' | 'POST' | 'PUT',
    path: string,
    options: { as?: Caller; body?: unknown; idempotencyKey?: string | true } = {},
  ): Promise<Answer<T>> {
    const headers: Record<string, string> = {};
    if (options.as) headers.authorization = `Bearer ${await this.token(options.as)}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    // One key for every repeat of this call: a repeat after a 503 is the same request.
    if (options.idempotencyKey) {
      headers['idempotency-key'] = options.idempotencyKey === true ? randomUUID() : options.idempotencyKey;
    }
    for (let attempt = 1; ; attempt++) {
      const response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: AbortSignal.timeout(60_000),
      });
      const text = await response.text();
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON: kept as text for the failure message
      }
      this.statuses.set(response.status, (this.statuses.get(response.status) ?? 0) + 1);
      if (response.status >= 500 && response.status !== 503) {
        this.serverErrors.push({ method, path, status: response.status, body });
      }
      if (response.status === 503 && attempt < BUSY_REPEATS) {
        const seconds = Number(response.headers.get('retry-after') ?? 1);
        await new Promise((r) => setTimeout(r, Math.min(5, Math.max(0.2, seconds)) * 1000));
        continue;
      }
      return { status: response.status, body: body as T, headers: response.headers };
    }
  }

  /** Like request, but throws unless the status is one of `expected`. */
  async expect<T = unknown>(
    expected: number | number[],
    method: 'GET' | 'POST' | 'PUT',
    path: string,
    options: { as?: Caller; body?: unknown; idempotencyKey?: string | true } = {},
  ): Promise<T> {
    const answer = await this.request<T>(method, path, options);
    const allowed = Array.isArray(expected) ? expected : [expected];
    if (!allowed.includes(answer.status)) {
      throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
    }
    return answer.body;
  }
}

/* ------------------------------------------------------------------ the views the suite reads -- */

export interface MoneyJson {
  currency: string;
  minor: string;
}

export interface InstructionView {
  instructionId: string;
  kind?: string;
  bankId: string;
  accountNumber: string;
  hop: number;
  parentInstructionId: string | null;
  status: string;
  requested: MoneyJson;
  frozen: MoneyJson;
  released?: MoneyJson;
  expired?: MoneyJson;
  late: boolean;
  createdAt?: string;
  dispatchedAt: string | null;
  deadlineAt: string | null;
  holdUntil: string | null;
  confirmedAt: string | null;
  overdueAt?: string | null;
  escalatedAt: string | null;
  releasesInstructionId?: string;
  disposition?: string;
}

export interface CaseView {
  caseId: string;
  instructions: InstructionView[];
  releases: InstructionView[];
}

export interface TotalsView {
  caseId: string;
  frozen: MoneyJson[];
  expired: MoneyJson[];
  released: MoneyJson[];
  restored: MoneyJson[];
  instructions: Record<string, number>;
  maxHop: number;
}

export interface TrailView {
  nodes: { instructionId: string; hop: number; status: string }[];
  edges: {
    fromInstructionId: string;
    toInstructionId: string | null;
    toBankId: string;
    toAccount: string;
    amount: MoneyJson;
    followed: boolean;
    reasonNotFollowed?: string;
  }[];
}

export interface AuditView {
  events: { seq: number; at: string; actor: string; action: string; subject: string }[];
  verified: boolean;
  firstBadSeq?: number;
  pending?: number;
}

export const cny = (minor: bigint | number | string): MoneyJson => ({
  currency: 'CNY',
  minor: String(minor),
});

export const legalBasis = {
  kind: 'Emergency stop-payment',
  reference: 'SP-FAULTS',
  issuedBy: 'PSB Anti-Fraud Centre',
  issuedAt: '2026-11-20T09:55:00Z',
};

/** Hours for a number of seconds (holdHours accepts fractions down to 0.0001 h = 0.36 s). */
export const hoursOf = (seconds: number) => seconds / 3600;

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `probe` until it returns something other than undefined; throws `what` on timeout. */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
  everyMs = 250,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** Opens a case and orders a freeze of `targets`; returns the case and the ordered instruction ids. */
export async function openCaseWithOrder(
  api: FaultApi,
  reference: string,
  targets: { bankId: string; accountNumber: string; minor: bigint }[],
  holdHours?: number,
): Promise<{ caseId: string; orderId: string; instructionIds: string[] }> {
  const total = targets.reduce((sum, t) => sum + t.minor, 0n);
  const opened = await api.expect<{ caseId: string }>(201, 'POST', '/cases', {
    as: police,
    idempotencyKey: true,
    body: { reference, reportedLoss: cny(total * 2n), reportedAt: '2026-11-20T10:00:00Z' },
  });
  const order = await orderFreeze(api, opened.caseId, targets, holdHours);
  return { caseId: opened.caseId, ...order };
}

export async function orderFreeze(
  api: FaultApi,
  caseId: string,
  targets: { bankId: string; accountNumber: string; minor: bigint }[],
  holdHours?: number,
): Promise<{ orderId: string; instructionIds: string[] }> {
  const order = await api.expect<{ orderId: string; instructions: { instructionId: string }[] }>(
    202,
    'POST',
    `/cases/${caseId}/freeze-orders`,
    {
      as: police,
      idempotencyKey: true,
      body: {
        legalBasis,
        ...(holdHours === undefined ? {} : { holdHours }),
        targets: targets.map((t) => ({
          bankId: t.bankId,
          accountNumber: t.accountNumber,
          amount: cny(t.minor),
        })),
      },
    },
  );
  return { orderId: order.orderId, instructionIds: order.instructions.map((i) => i.instructionId) };
}

export const getCase = (api: FaultApi, caseId: string) =>
  api.expect<CaseView>(200, 'GET', `/cases/${caseId}`, { as: police });

/**
 * When, and by whom, the system recorded `action` for each of `ids` (epoch ms of its audit event, NaN
 * if none within `timeoutMs`): the time of the change itself, which a poll of the case can only see
 * later, and later still when the machine is loaded. The chain is sequenced from the stream: waits
 * while it is pending.
 */
export async function auditedAt(
  api: FaultApi,
  caseId: string,
  action: string,
  ids: string[],
  timeoutMs = 15_000,
): Promise<{ at: number; actor: string }[]> {
  const found = new Map<string, { at: number; actor: string }>();
  await until(
    `${action} in the audit`,
    async () => {
      const audit = await api.expect<AuditView>(200, 'GET', `/cases/${caseId}/audit`, { as: police });
      for (const event of audit.events) {
        const id = event.subject.split(':')[0] ?? '';
        if (event.action === action && !found.has(id))
          found.set(id, { at: Date.parse(event.at), actor: event.actor });
      }
      return ids.every((id) => found.has(id)) ? true : undefined;
    },
    timeoutMs,
    500,
  ).catch(() => undefined);
  return ids.map((id) => found.get(id) ?? { at: Number.NaN, actor: 'nobody' });
}

export async function registerPushBank(
  api: FaultApi,
  bank: { bankId: string; endpoint: string; secret: string; slaSeconds: number },
): Promise<void> {
  await api.expect([200, 201], 'PUT', `/banks/${bank.bankId}`, {
    as: admin,
    body: {
      name: bank.bankId,
      mode: 'push',
      endpoint: bank.endpoint,
      slaSeconds: bank.slaSeconds,
      signingSecret: bank.secret,
    },
  });
}
