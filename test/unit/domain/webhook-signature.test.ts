import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_REPLAY_WINDOW_SECONDS,
  DELIVERY_HEADER,
  SIGNATURE_HEADER,
  signWebhook,
  verifyWebhook,
} from '../../../functions/domain/webhook-signature.ts';

const SECRET = 'bank-B001-secret-0123456789';
const OLD_SECRET = 'bank-B001-old-secret-abcdef';
const T = 1_795_000_000;
const BODY = JSON.stringify({
  kind: 'FREEZE',
  instructionId: 'CABCDEFGHJK.O123456.1',
  amount: { currency: 'CNY', minor: '100' },
});

/** docs/api.md: lowercase hex HMAC-SHA256(signingSecret, t + "." + raw body bytes), computed independently. */
const expectedV1 = (secret: string, t: number, body: string) =>
  createHmac('sha256', Buffer.from(secret, 'utf8'))
    .update(Buffer.concat([Buffer.from(`${t}.`, 'ascii'), Buffer.from(body, 'utf8')]))
    .digest('hex');

describe('signWebhook', () => {
  it('uses the header names of docs/api.md', () => {
    expect(SIGNATURE_HEADER).toBe('FreezeFlow-Signature');
    expect(DELIVERY_HEADER).toBe('FreezeFlow-Delivery');
  });

  it('is t=<unix seconds>,v1=<lowercase hex HMAC-SHA256(secret, t + "." + body)>', () => {
    const header = signWebhook([SECRET], T, BODY);
    expect(header).toBe(`t=${T},v1=${expectedV1(SECRET, T, BODY)}`);
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
  });

  it('signs the raw UTF-8 bytes of a non-ASCII body', () => {
    const body = '{"accountName":"张三","note":"€ 💸"}';
    expect(signWebhook([SECRET], T, body)).toBe(`t=${T},v1=${expectedV1(SECRET, T, body)}`);
  });

  it('during rotation carries one v1= per valid secret', () => {
    const header = signWebhook([SECRET, OLD_SECRET], T, BODY);
    expect(header).toBe(`t=${T},v1=${expectedV1(SECRET, T, BODY)},v1=${expectedV1(OLD_SECRET, T, BODY)}`);
  });
});

describe('verifyWebhook', () => {
  it('round trip: a fresh signature verifies', () => {
    expect(verifyWebhook(signWebhook([SECRET], T, BODY), BODY, [SECRET], T)).toEqual({
      ok: true,
      timestamp: T,
    });
  });

  it('accepts up to the replay window either side, refuses a stale or far-future timestamp', () => {
    const header = signWebhook([SECRET], T, BODY);
    expect(DEFAULT_REPLAY_WINDOW_SECONDS).toBe(300);
    expect(verifyWebhook(header, BODY, [SECRET], T + 300).ok).toBe(true);
    expect(verifyWebhook(header, BODY, [SECRET], T - 300).ok).toBe(true);
    expect(verifyWebhook(header, BODY, [SECRET], T + 301)).toEqual({ ok: false, reason: 'stale timestamp' });
    expect(verifyWebhook(header, BODY, [SECRET], T - 301)).toEqual({ ok: false, reason: 'stale timestamp' });
    expect(verifyWebhook(header, BODY, [SECRET], T + 60, 30)).toEqual({
      ok: false,
      reason: 'stale timestamp',
    });
  });

  it('refuses the wrong secret', () => {
    expect(verifyWebhook(signWebhook(['another-secret-xxxxxx'], T, BODY), BODY, [SECRET], T)).toEqual({
      ok: false,
      reason: 'bad signature',
    });
  });

  it('rotation: a header with both secrets verifies with either one', () => {
    const header = signWebhook([SECRET, OLD_SECRET], T, BODY);
    expect(verifyWebhook(header, BODY, [SECRET], T).ok).toBe(true);
    expect(verifyWebhook(header, BODY, [OLD_SECRET], T).ok).toBe(true);
    expect(verifyWebhook(header, BODY, ['unrelated-secret-000'], T).ok).toBe(false);
  });

  it('rotation: a bank holding both secrets accepts a header signed with either', () => {
    expect(verifyWebhook(signWebhook([SECRET], T, BODY), BODY, [OLD_SECRET, SECRET], T).ok).toBe(true);
    expect(verifyWebhook(signWebhook([OLD_SECRET], T, BODY), BODY, [OLD_SECRET, SECRET], T).ok).toBe(true);
  });

  it('refuses a tampered body', () => {
    const header = signWebhook([SECRET], T, BODY);
    expect(verifyWebhook(header, BODY.replace('"100"', '"1000"'), [SECRET], T)).toEqual({
      ok: false,
      reason: 'bad signature',
    });
    expect(verifyWebhook(header, `${BODY} `, [SECRET], T).ok).toBe(false);
  });

  it('refuses a timestamp moved after signing (it is signed too)', () => {
    const header = signWebhook([SECRET], T, BODY).replace(`t=${T}`, `t=${T + 1}`);
    expect(verifyWebhook(header, BODY, [SECRET], T)).toEqual({ ok: false, reason: 'bad signature' });
  });

  it.each([
    [undefined, 'missing signature'],
    ['', 'missing signature'],
    [`v1=${'0'.repeat(64)}`, 'no timestamp'],
    [`t=abc,v1=${'0'.repeat(64)}`, 'no timestamp'],
    [`t=${T}.5,v1=${'0'.repeat(64)}`, 'no timestamp'],
    [`t=${T}`, 'bad signature'],
    [`t=${T},v1=`, 'bad signature'],
    [`t=${T},v1=not-hex`, 'bad signature'],
    [`t=${T},v1=${'0'.repeat(64)}`, 'bad signature'],
  ])('refuses header %j (%s)', (header, reason) => {
    expect(verifyWebhook(header, BODY, [SECRET], T)).toEqual({ ok: false, reason });
  });

  it('refuses everything when the bank has no secret', () => {
    expect(verifyWebhook(signWebhook([SECRET], T, BODY), BODY, [], T).ok).toBe(false);
  });

  it('tolerates spaces after the commas', () => {
    const header = signWebhook([SECRET], T, BODY).replace(',', ', ');
    expect(verifyWebhook(header, BODY, [SECRET], T).ok).toBe(true);
  });

  const secret = fc.string({ minLength: 16, maxLength: 64 });
  const body = fc.string({ unit: 'binary', maxLength: 300 });
  const time = fc.integer({ min: 1_600_000_000, max: 2_000_000_000 });

  it('property: sign/verify round trip for any body, secret and time within the window', () => {
    fc.assert(
      fc.property(secret, body, time, fc.integer({ min: -300, max: 300 }), (s, b, t, skew) => {
        const header = signWebhook([s], t, b);
        expect(header).toBe(`t=${t},v1=${expectedV1(s, t, b)}`);
        expect(verifyWebhook(header, b, [s], t + skew)).toEqual({ ok: true, timestamp: t });
      }),
    );
  });

  it('property: any other body is refused', () => {
    fc.assert(
      fc.property(secret, body, body, time, (s, b, other, t) => {
        fc.pre(b !== other);
        expect(verifyWebhook(signWebhook([s], t, b), other, [s], t)).toEqual({
          ok: false,
          reason: 'bad signature',
        });
      }),
    );
  });

  it('property: any other secret is refused; during rotation either secret verifies', () => {
    fc.assert(
      fc.property(secret, secret, body, time, (s1, s2, b, t) => {
        fc.pre(s1 !== s2);
        expect(verifyWebhook(signWebhook([s1], t, b), b, [s2], t).ok).toBe(false);
        const both = signWebhook([s1, s2], t, b);
        expect(verifyWebhook(both, b, [s1], t).ok).toBe(true);
        expect(verifyWebhook(both, b, [s2], t).ok).toBe(true);
      }),
    );
  });

  it('property: outside the window is refused as stale', () => {
    fc.assert(
      fc.property(
        secret,
        body,
        time,
        fc.integer({ min: 301, max: 10_000_000 }),
        fc.boolean(),
        (s, b, t, age, future) => {
          const now = future ? t - age : t + age;
          expect(verifyWebhook(signWebhook([s], t, b), b, [s], now)).toEqual({
            ok: false,
            reason: 'stale timestamp',
          });
        },
      ),
    );
  });
});
