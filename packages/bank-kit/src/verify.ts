import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signatures of freezeflow (docs/api.md "Webhooks"), with nothing but node:crypto:
 * `FreezeFlow-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + raw body)>`, one
 * `v1` per secret freezeflow holds for you during a rotation.
 */
export const SIGNATURE_HEADER = 'freezeflow-signature';
export const DELIVERY_HEADER = 'freezeflow-delivery';
/** A push older or newer than this (seconds) is refused: a captured request cannot be replayed later. */
export const REPLAY_WINDOW_SECONDS = 300;

export type Verification =
  | { ok: true; timestamp: number }
  | { ok: false; reason: 'missing signature' | 'malformed signature' | 'stale timestamp' | 'bad signature' };

const hmacHex = (secret: string, timestamp: number, rawBody: string | Uint8Array): string =>
  createHmac('sha256', secret)
    .update(`${timestamp}.`, 'utf8')
    .update(typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody)
    .digest('hex');

/** The header freezeflow sends: one `v1` per secret (the sandbox and the conformance runner use it). */
export function signPayload(
  secrets: readonly string[],
  timestamp: number,
  rawBody: string | Uint8Array,
): string {
  return [`t=${timestamp}`, ...secrets.map((s) => `v1=${hmacHex(s, timestamp, rawBody)}`)].join(',');
}

export interface VerifyOptions {
  /** The header's value (`req.headers['freezeflow-signature']`). */
  header: string | string[] | undefined;
  /** The body exactly as received: never re-serialized JSON. */
  rawBody: string | Uint8Array;
  /** Every secret you accept now: during your rotation, the new one and the previous one. */
  secrets: readonly string[];
  nowSeconds?: number;
  windowSeconds?: number;
}

/** Accept the push only if `ok`; answer 4xx otherwise (freezeflow does not retry most 4xx). */
export function verifySignature(options: VerifyOptions): Verification {
  const header = Array.isArray(options.header) ? options.header[0] : options.header;
  if (!header) return { ok: false, reason: 'missing signature' };
  const parts = header.split(',').map((p) => p.trim());
  const tPart = parts.find((p) => p.startsWith('t='));
  const t = tPart && /^t=\d{1,12}$/.test(tPart) ? Number(tPart.slice(2)) : Number.NaN;
  const given = parts.filter((p) => /^v1=[0-9a-f]{64}$/.test(p)).map((p) => Buffer.from(p.slice(3), 'hex'));
  if (!Number.isSafeInteger(t) || given.length === 0) return { ok: false, reason: 'malformed signature' };
  const now = options.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - t) > (options.windowSeconds ?? REPLAY_WINDOW_SECONDS)) {
    return { ok: false, reason: 'stale timestamp' };
  }
  for (const secret of options.secrets) {
    const expected = Buffer.from(hmacHex(secret, t, options.rawBody), 'hex');
    // Every candidate is compared in constant time; no early exit on the first byte that differs.
    if (given.some((g) => g.length === expected.length && timingSafeEqual(g, expected))) {
      return { ok: true, timestamp: t };
    }
  }
  return { ok: false, reason: 'bad signature' };
}

/**
 * Remembers delivery ids for a while: every attempt of one delivery has the same
 * `FreezeFlow-Delivery`, so a repeat must be answered 2xx and not acted on twice. In memory; a bank
 * with several receivers keeps the ids in its database instead (a unique key on the id).
 */
export class DeliveryLog {
  private readonly seen = new Map<string, number>();
  constructor(private readonly keepMs = 7 * 24 * 3_600_000) {}

  /** true the first time an id is seen (act on it), false for a repeat (answer 2xx, do nothing). */
  first(deliveryId: string, nowMs = Date.now()): boolean {
    for (const [id, at] of this.seen) {
      if (nowMs - at <= this.keepMs) break;
      this.seen.delete(id);
    }
    if (this.seen.has(deliveryId)) return false;
    this.seen.set(deliveryId, nowMs);
    return true;
  }
}
