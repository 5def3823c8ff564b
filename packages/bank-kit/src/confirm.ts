/**
 * Sends a confirmation the way freezeflow expects a client to (docs/api.md "Confirmations"): the
 * same body, with the same confirmationId, on every attempt, so a retry after a lost answer is a
 * replay (200, the first answer) and never a second confirmation; 429, 503 and other 5xx and
 * network errors are retried no sooner than Retry-After. Only fetch: no dependency.
 */
export interface ConfirmOptions {
  token: string | (() => string);
  maxAttempts?: number;
  /** Longest wait between attempts, in seconds. */
  maxWaitSeconds?: number;
  sleep?: (ms: number) => Promise<void>;
}

export interface ConfirmAnswer {
  status: number;
  body: Record<string, unknown>;
  attempts: number;
}

export class ConfirmationRefused extends Error {
  override readonly name = 'ConfirmationRefused';
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(`confirmation refused: ${status} ${String(body.rule ?? body.detail ?? '')}`);
  }
}

const retryable = (status: number) => status === 429 || status >= 500;

export async function confirm(
  confirmUrl: string,
  body: object,
  options: ConfirmOptions,
): Promise<ConfirmAnswer> {
  const maxAttempts = options.maxAttempts ?? 8;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const payload = JSON.stringify(body);
  for (let attempt = 1; ; attempt++) {
    let status = 0;
    let answer: Record<string, unknown> = {};
    let retryAfter: number | undefined;
    try {
      const token = typeof options.token === 'function' ? options.token() : options.token;
      const r = await fetch(confirmUrl, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: payload,
        signal: AbortSignal.timeout(30_000),
      });
      status = r.status;
      const text = await r.text();
      answer = text ? (JSON.parse(text) as Record<string, unknown>) : {};
      const header = r.headers.get('retry-after');
      retryAfter = header && /^\d+$/.test(header) ? Number(header) : undefined;
    } catch {
      status = 0; // no answer: the confirmation may or may not have landed; the replay tells
    }
    if (status >= 200 && status < 300) return { status, body: answer, attempts: attempt };
    if (status !== 0 && !retryable(status)) throw new ConfirmationRefused(status, answer);
    if (attempt >= maxAttempts) throw new ConfirmationRefused(status, answer);
    const backoff = Math.min(options.maxWaitSeconds ?? 30, 2 ** (attempt - 1));
    await sleep(1000 * Math.max(retryAfter ?? 0, backoff));
  }
}
