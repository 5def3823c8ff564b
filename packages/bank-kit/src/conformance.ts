import { randomBytes, randomUUID } from 'node:crypto';
import { signPayload } from './verify.ts';

/**
 * The receiver checks of `freezeflow-conformance --endpoint <url> --secret <s>`: what freezeflow's
 * push connector relies on (docs/api.md "Webhooks"). Each check sends real, signed HTTP requests.
 */
export interface CheckResult {
  name: string;
  pass: boolean;
  why: string;
}

export interface ReceiverOptions {
  endpoint: string;
  secret: string;
  /** freezeflow counts a slower answer as failed (10 s). */
  timeoutMs?: number;
  /** The replay window the receiver must enforce (300 s). */
  windowSeconds?: number;
}

export const PUSH_KINDS = ['FREEZE', 'EXTEND', 'EXPIRED', 'REMINDER', 'RELEASE'] as const;
export type PushKind = (typeof PUSH_KINDS)[number];

const money = { currency: 'CNY', minor: '100000' };

/** A push body of each kind, as the sandbox sends it (made-up ids, `"test": true`). */
export function samplePush(kind: PushKind): Record<string, unknown> {
  const caseId = `CTEST${randomBytes(3).toString('hex').toUpperCase()}`;
  const instructionId = `${caseId}.OTEST01.1`;
  const now = Date.now();
  const at = (ms: number) => new Date(now + ms).toISOString();
  const legalBasis = { kind: 'TEST', reference: 'TEST-0000', issuedBy: 'conformance', issuedAt: at(0) };
  const base = {
    kind,
    instructionId,
    caseId,
    bankId: 'TESTBANK',
    accountNumber: '6222000000000000',
    test: true,
  };
  const confirmUrl = `http://127.0.0.1:3000/banks/TESTBANK/instructions/${instructionId}/confirmations`;
  switch (kind) {
    case 'FREEZE':
      return {
        ...base,
        orderId: `${caseId}.OTEST01`,
        hop: 1,
        amount: money,
        legalBasis,
        deadlineAt: at(3_600_000),
        holdUntil: at(172_800_000),
        confirmUrl,
        reference: 'TX-TEST-0001',
        transferredAt: at(-600_000),
      };
    case 'EXTEND':
      return { ...base, holdUntil: at(172_800_000), legalBasis };
    case 'EXPIRED':
      return { ...base, holdUntil: at(0), amount: money };
    case 'REMINDER':
      return {
        ...base,
        orderId: `${caseId}.OTEST01`,
        hop: 1,
        amount: money,
        deadlineAt: at(3_600_000),
        originalDeadlineAt: at(0),
        confirmUrl,
      };
    case 'RELEASE':
      return {
        ...base,
        instructionId: `${caseId}.RTEST0001`,
        releasesInstructionId: instructionId,
        amount: money,
        disposition: 'RETURN_TO_VICTIM',
        authority: legalBasis,
        deadlineAt: at(3_600_000),
        confirmUrl,
      };
  }
}

interface Sent {
  status: number | undefined;
  ms: number;
  error?: string;
}

async function send(
  endpoint: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<Sent> {
  const t0 = performance.now();
  try {
    const r = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    await r.arrayBuffer().catch(() => undefined);
    return { status: r.status, ms: Math.round(performance.now() - t0) };
  } catch (error) {
    const name = (error as Error).name;
    return {
      status: undefined,
      ms: Math.round(performance.now() - t0),
      error: name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (error as Error).message,
    };
  }
}

const describe = (s: Sent) =>
  s.status === undefined ? (s.error ?? 'no answer') : `answered ${s.status} in ${s.ms} ms`;
const is2xx = (s: Sent) => s.status !== undefined && s.status >= 200 && s.status < 300;
const is4xx = (s: Sent) => s.status !== undefined && s.status >= 400 && s.status < 500;

/** Runs every receiver check, in order; one result per check. */
export async function checkReceiver(options: ReceiverOptions): Promise<CheckResult[]> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const window = options.windowSeconds ?? 300;
  const { endpoint, secret } = options;
  const now = () => Math.floor(Date.now() / 1000);
  const signed = (body: string, secrets: string[] = [secret], t = now()) => ({
    'freezeflow-delivery': `conformance-${randomUUID()}`,
    'freezeflow-signature': signPayload(secrets, t, body),
  });
  const results: CheckResult[] = [];
  const accept = (name: string, s: Sent) =>
    results.push({
      name,
      pass: is2xx(s),
      why: is2xx(s) ? describe(s) : `${describe(s)}; want 2xx within ${timeoutMs} ms`,
    });
  const refuse = (name: string, s: Sent) =>
    results.push({ name, pass: is4xx(s), why: is4xx(s) ? describe(s) : `${describe(s)}; want 4xx` });

  for (const kind of PUSH_KINDS) {
    const body = JSON.stringify(samplePush(kind));
    accept(
      `accepts a signed ${kind} within the timeout`,
      await send(endpoint, body, signed(body), timeoutMs),
    );
  }

  const body = JSON.stringify(samplePush('FREEZE'));
  const wrongSecret = randomBytes(24).toString('hex');
  refuse('refuses a bad signature', await send(endpoint, body, signed(body, [wrongSecret]), timeoutMs));
  refuse(
    'refuses a stale timestamp (replay window)',
    await send(endpoint, body, signed(body, [secret], now() - window - 60), timeoutMs),
  );
  const changed = body.replace('"100000"', '"900000"');
  refuse('refuses a changed body', await send(endpoint, changed, signed(body), timeoutMs));
  refuse(
    'refuses a push without a signature',
    await send(endpoint, body, { 'freezeflow-delivery': `conformance-${randomUUID()}` }, timeoutMs),
  );

  // Every attempt of a delivery repeats its id and body; a 4xx to the repeat would end the
  // delivery as DISPATCH_FAILED although the first attempt was taken.
  const repeated = JSON.stringify(samplePush('FREEZE'));
  const headers = signed(repeated);
  const first = await send(endpoint, repeated, headers, timeoutMs);
  const again = await send(
    endpoint,
    repeated,
    { ...headers, 'freezeflow-signature': signPayload([secret], now(), repeated) },
    timeoutMs,
  );
  const dedupOk = is2xx(first) && is2xx(again);
  results.push({
    name: 'treats a repeated FreezeFlow-Delivery as one delivery (2xx to both)',
    pass: dedupOk,
    why: `first ${describe(first)}, repeat ${describe(again)}${dedupOk ? '' : '; want 2xx to both'}`,
  });

  const rotation = JSON.stringify(samplePush('FREEZE'));
  const newSecret = randomBytes(24).toString('hex');
  accept(
    'accepts a push signed with the previous secret during rotation (two v1)',
    await send(endpoint, rotation, signed(rotation, [newSecret, secret]), timeoutMs),
  );
  return results;
}

/** `PASS name: why` / `FAIL name: why`, one line per check. */
export const formatResult = (r: CheckResult): string => `${r.pass ? 'PASS' : 'FAIL'} ${r.name}: ${r.why}`;
