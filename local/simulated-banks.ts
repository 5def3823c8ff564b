import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { log } from '../functions/adapters/logger.ts';
import { DELIVERY_HEADER, SIGNATURE_HEADER, verifyWebhook } from '../functions/domain/webhook-signature.ts';
import { signDevToken } from './dev-jwt.ts';

/** What a simulated bank answers for one account (the demo fixture and the tests script these). */
export interface AccountScript {
  result: 'ACTIONED' | 'ACCOUNT_NOT_FOUND' | 'REJECTED' | 'SILENT';
  /** Minor units frozen; 'ALL' = the requested amount. */
  frozen?: 'ALL' | string;
  cashWithdrawn?: string;
  onwardTransfers?: {
    toBankId: string;
    toAccount: string;
    minor: string;
    transferredAt?: string;
    reference?: string;
  }[];
  reason?: string;
  /** Milliseconds between receiving the push and confirming. */
  delayMs?: number;
  /** RELEASE instructions: minor units released ('ALL' = the release's amount). */
  released?: 'ALL' | string;
}

export interface SimulatedBankConfig {
  bankId: string;
  name: string;
  signingSecret: string;
  slaSeconds: number;
  /** Pushes answered with 503 before the bank starts accepting (to exercise retries). */
  failFirstDeliveries?: number;
  accounts: Record<string, AccountScript>;
  /** Script for accounts not listed: freeze everything. */
  defaultScript?: AccountScript;
}

export interface DeliveryEvent {
  bankId: string;
  kind: string;
  deliveryId: string;
  message: Record<string, unknown>;
  receivedAt: number;
}

/** How often a simulated bank sends a confirmation answered 429/503 (Retry-After honoured). */
const BUSY_ATTEMPTS = 5;

export interface ConfirmationEvent {
  bankId: string;
  instructionId: string;
  /** The API's answer; 0 when it could not be reached after every attempt. */
  statusCode: number;
  body: unknown;
  sent: Record<string, unknown>;
}

export interface SimulatedBanks extends EventEmitter {
  endpoint(bankId: string): string;
  deliveries: DeliveryEvent[];
  /** Pushes refused for a bad, stale or replayed signature. */
  refused: { bankId: string; reason: string }[];
  stop(): Promise<void>;
}

const REPLAY_WINDOW_SECONDS = 300;

/**
 * Banks on loopback that speak the push protocol of docs/api.md: each checks the HMAC signature and its
 * timestamp window, refuses a signature it already accepted (replay), answers 2xx, then confirms on
 * the confirmations route with its own bank token after the scripted delay.
 */
export async function startSimulatedBanks(options: {
  banks: SimulatedBankConfig[];
  jwtSecret: string;
  nowSeconds?: () => number;
}): Promise<SimulatedBanks> {
  const banks = new Map(
    options.banks.map((b) => [b.bankId, { ...b, failuresLeft: b.failFirstDeliveries ?? 0 }]),
  );
  const accepted = new Set<string>();
  const timers = new Set<NodeJS.Timeout>();
  const pending = new Set<Promise<void>>();
  const nowSeconds = options.nowSeconds ?? (() => Math.floor(Date.now() / 1000));
  const emitter = new EventEmitter() as SimulatedBanks;
  emitter.deliveries = [];
  emitter.refused = [];
  let stopped = false;
  /** Retry waits in progress; stop() ends them at once. */
  const wakers = new Set<() => void>();
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      wakers.add(wake);
    });

  const confirm = async (bankId: string, message: Record<string, unknown>, script: AccountScript) => {
    const requested = message.amount as { currency: string; minor: string };
    const currency = requested.currency;
    const body: Record<string, unknown> = {
      confirmationId: `${bankId}-${String(message.instructionId)}`,
      result: script.result,
      reportedAt: new Date().toISOString(),
    };
    if (script.released) {
      body.released = { currency, minor: script.released === 'ALL' ? requested.minor : script.released };
    } else if (script.result === 'ACTIONED') {
      const frozen = script.frozen === 'ALL' ? requested.minor : script.frozen;
      if (frozen !== undefined) body.frozen = { currency, minor: frozen };
      if (script.cashWithdrawn) body.cashWithdrawn = { currency, minor: script.cashWithdrawn };
      if (script.onwardTransfers) {
        body.onwardTransfers = script.onwardTransfers.map((t) => ({
          toBankId: t.toBankId,
          toAccount: t.toAccount,
          amount: { currency, minor: t.minor },
          transferredAt: t.transferredAt ?? new Date().toISOString(),
          ...(t.reference ? { reference: t.reference } : {}),
        }));
      }
    }
    if (script.reason) body.reason = script.reason;
    const token = await signDevToken({ role: 'bank', bankId, sub: `${bankId}-connector` }, options.jwtSecret);
    // As docs/api.md asks of a bank: a 429/503 is repeated, same body, after its Retry-After (a few times).
    // An API it cannot reach at all (refused, timed out: an overloaded machine) is tried again too.
    let response: Response | undefined;
    let unreachable: unknown;
    for (let attempt = 1; ; attempt++) {
      try {
        response = await fetch(String(message.confirmUrl), {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify(body),
        });
        unreachable = undefined;
      } catch (error) {
        response = undefined;
        unreachable = error;
      }
      const busy = !response || response.status === 429 || response.status === 503;
      if (!busy || attempt >= BUSY_ATTEMPTS || stopped) break;
      await response?.body?.cancel();
      const seconds = response ? Number(response.headers.get('retry-after') ?? 1) : attempt / 4;
      await pause(Math.min(30, Math.max(0, seconds)) * 1000);
      if (stopped) break;
    }
    if (!response) {
      // Never answered: reported like an answer with no status, so a listener can count it.
      emitter.emit('confirmation', {
        bankId,
        instructionId: String(message.instructionId),
        statusCode: 0,
        body: { error: String(unreachable) },
        sent: body,
      });
      return;
    }
    const answer = (await response.json().catch(() => null)) as unknown;
    emitter.emit('confirmation', {
      bankId,
      instructionId: String(message.instructionId),
      statusCode: response.status,
      body: answer,
      sent: body,
    } satisfies ConfirmationEvent);
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const bankId = decodeURIComponent((req.url ?? '').split('/')[1] ?? '');
      const bank = banks.get(bankId);
      if (!bank || req.method !== 'POST') {
        res.writeHead(404).end();
        return;
      }
      const raw = Buffer.concat(chunks).toString('utf8');
      const signature = String(req.headers[SIGNATURE_HEADER.toLowerCase()] ?? '');
      const check = verifyWebhook(signature, raw, [bank.signingSecret], nowSeconds(), REPLAY_WINDOW_SECONDS);
      // A replay is the same signed content (timestamp + body), however its header is spelled.
      const signed = check.ok
        ? `${bankId}|${check.timestamp}|${createHash('sha256').update(raw).digest('hex')}`
        : '';
      const replayed = check.ok && accepted.has(signed);
      if (!check.ok || replayed) {
        emitter.refused.push({
          bankId,
          reason: replayed ? 'replayed signature' : check.ok ? '' : check.reason,
        });
        res
          .writeHead(401, { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: 'bad signature' }));
        return;
      }
      if (bank.failuresLeft > 0) {
        bank.failuresLeft -= 1;
        res.writeHead(503, { 'retry-after': '1' }).end();
        return;
      }
      accepted.add(signed);
      const message = JSON.parse(raw) as Record<string, unknown>;
      const delivery: DeliveryEvent = {
        bankId,
        kind: String(message.kind),
        deliveryId: String(req.headers[DELIVERY_HEADER.toLowerCase()] ?? ''),
        message,
        receivedAt: Date.now(),
      };
      emitter.deliveries.push(delivery);
      emitter.emit('delivery', delivery);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ received: true }));
      if (message.kind !== 'FREEZE' && message.kind !== 'REMINDER' && message.kind !== 'RELEASE') return;
      const accountScript = bank.accounts[String(message.accountNumber)] ??
        bank.defaultScript ?? { result: 'ACTIONED', frozen: 'ALL' };
      if (accountScript.result === 'SILENT' || stopped) return;
      // A court's release is carried out in full (banks scripted SILENT never answer anything).
      const script: AccountScript =
        message.kind === 'RELEASE'
          ? { result: 'ACTIONED', released: 'ALL', delayMs: accountScript.delayMs }
          : accountScript;
      // A REMINDER is answered only by banks scripted to answer late (they had not answered the FREEZE).
      const timer = setTimeout(() => {
        timers.delete(timer);
        const p = confirm(bankId, message, script)
          .catch((error: unknown) => {
            // An 'error' event nobody listens to would throw and end the whole process.
            if (emitter.listenerCount('error') > 0) emitter.emit('error', error);
            else log.error('simulated bank failed to confirm', { bankId, error: String(error) });
          })
          .finally(() => pending.delete(p));
        pending.add(p);
      }, script.delayMs ?? 0);
      timers.add(timer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  emitter.endpoint = (bankId) => `http://127.0.0.1:${port}/${encodeURIComponent(bankId)}/webhook`;
  emitter.stop = async () => {
    stopped = true;
    for (const t of timers) clearTimeout(t);
    for (const wake of [...wakers]) wake();
    await Promise.allSettled([...pending]);
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  };
  return emitter;
}
