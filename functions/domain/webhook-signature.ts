import { createHmac, timingSafeEqual } from 'node:crypto';

/** docs/api.md "Push connector": `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + body)>`. */
export const SIGNATURE_HEADER = 'FreezeFlow-Signature';
export const DELIVERY_HEADER = 'FreezeFlow-Delivery';
export const DEFAULT_REPLAY_WINDOW_SECONDS = 300;

function hmacHex(secret: string, timestamp: number, rawBody: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${rawBody}`, 'utf8').digest('hex');
}

/** One `v1=` per valid secret, so a bank mid-rotation accepts either. */
export function signWebhook(secrets: readonly string[], timestamp: number, rawBody: string): string {
  return [`t=${timestamp}`, ...secrets.map((s) => `v1=${hmacHex(s, timestamp, rawBody)}`)].join(',');
}

export type SignatureCheck = { ok: true; timestamp: number } | { ok: false; reason: string };

/** The bank's side: a valid v1 for one of its secrets, inside the replay window. */
export function verifyWebhook(
  header: string | undefined,
  rawBody: string,
  secrets: readonly string[],
  nowSeconds: number,
  windowSeconds = DEFAULT_REPLAY_WINDOW_SECONDS,
): SignatureCheck {
  if (!header) return { ok: false, reason: 'missing signature' };
  const parts = header.split(',').map((p) => p.trim());
  const t = Number(parts.find((p) => p.startsWith('t='))?.slice(2));
  if (!Number.isInteger(t)) return { ok: false, reason: 'no timestamp' };
  if (Math.abs(nowSeconds - t) > windowSeconds) return { ok: false, reason: 'stale timestamp' };
  const given = parts.filter((p) => p.startsWith('v1=')).map((p) => p.slice(3));
  const valid = secrets.some((secret) => {
    const expected = Buffer.from(hmacHex(secret, t, rawBody), 'hex');
    return given.some((g) => {
      const candidate = Buffer.from(g, 'hex');
      return candidate.length === expected.length && timingSafeEqual(candidate, expected);
    });
  });
  return valid ? { ok: true, timestamp: t } : { ok: false, reason: 'bad signature' };
}
