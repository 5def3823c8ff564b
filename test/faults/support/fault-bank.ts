/**
 * A push bank on loopback that misbehaves on demand (docs/api.md "Push connector"). Like a real bank it
 * checks every push's `FreezeFlow-Signature` (HMAC over `t.body`, replay window, as
 * local/simulated-banks.ts does with functions/domain/webhook-signature.ts) and refuses a bad one
 * with 401; unlike the simulated banks it does NOT refuse a repeated signature: a retry of one
 * delivery is the same body, and a real bank de-duplicates by `FreezeFlow-Delivery`.
 *
 * Every attempt is recorded (delivery id, kind, instruction, raw body, when it came, what it was
 * answered and when). What it answers is switched at run time, per bank or for all of them:
 * `ok` (200), `status` (500/429/410/… with an optional `Retry-After`), `hang` (never answers: the
 * caller's timeout ends it), and `refuse(ms)` closes the listener (connections refused) and listens
 * again on the same port afterwards. A behaviour may be a function of the attempt, so "the first two
 * attempts of each delivery 500, then 200" is one line (see `firstAttempts`).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import {
  DELIVERY_HEADER,
  SIGNATURE_HEADER,
  verifyWebhook,
} from '../../../functions/domain/webhook-signature.ts';

export type Behaviour =
  | { kind: 'ok'; status?: number }
  | { kind: 'status'; status: number; retryAfter?: number }
  | { kind: 'hang' };

export type BehaviourFn = (attempt: DeliveryAttempt, earlier: DeliveryAttempt[]) => Behaviour;

export interface DeliveryAttempt {
  /** 1, 2, … over the whole bank. */
  seq: number;
  bankId: string;
  deliveryId: string;
  kind: string;
  instructionId: string;
  raw: string;
  message: Record<string, unknown>;
  receivedAt: number;
  signatureOk: boolean;
  /** The status answered; 'hung' until the caller gives up, then 'aborted'. */
  answer: number | 'hung' | 'aborted';
  answeredAt?: number;
  retryAfter?: number;
}

export const ok: Behaviour = { kind: 'ok' };
export const hang: Behaviour = { kind: 'hang' };
export const status = (code: number, retryAfter?: number): Behaviour => ({
  kind: 'status',
  status: code,
  ...(retryAfter === undefined ? {} : { retryAfter }),
});

/** `first` for the first `n` attempts of each delivery id (and kind), `then` afterwards. */
export function firstAttempts(n: number, first: Behaviour, then: Behaviour = ok): BehaviourFn {
  return (attempt, earlier) =>
    earlier.filter((a) => a.signatureOk && a.deliveryId === attempt.deliveryId && a.kind === attempt.kind)
      .length < n
      ? first
      : then;
}

const REPLAY_WINDOW_SECONDS = 300;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class FaultBank {
  readonly attempts: DeliveryAttempt[] = [];
  private readonly secrets = new Map<string, string>();
  private readonly behaviours = new Map<string, Behaviour | BehaviourFn>();
  private fallback: Behaviour | BehaviourFn = ok;
  private readonly listeners = new Set<(a: DeliveryAttempt) => void>();
  private readonly sockets = new Set<Socket>();
  private readonly hung = new Set<ServerResponse>();
  private server: Server;
  private listening = false;
  private stopped = false;
  private reopen?: Promise<void>;
  port = 0;

  private constructor() {
    this.server = this.newServer();
  }

  /** A bank server for `banks` (each path `/<bankId>/webhook`, its own signing secret). */
  static async start(banks: { bankId: string; secret: string }[]): Promise<FaultBank> {
    const bank = new FaultBank();
    for (const b of banks) bank.secrets.set(b.bankId, b.secret);
    await bank.listen(0);
    return bank;
  }

  endpoint(bankId: string): string {
    return `http://127.0.0.1:${this.port}/${encodeURIComponent(bankId)}/webhook`;
  }

  /** What to answer from now on: for one bank, or (no bankId) for every bank without its own. */
  set(behaviour: Behaviour | BehaviourFn, bankId?: string): void {
    if (bankId) this.behaviours.set(bankId, behaviour);
    else {
      this.fallback = behaviour;
      this.behaviours.clear();
    }
  }

  /**
   * Connections refused for `ms`: the listener is closed (open connections too, a hanging push
   * included) and opened again on the same port. Resolves when it listens again.
   */
  refuse(ms: number): Promise<void> {
    const reopen = (async () => {
      await this.close();
      await sleep(ms);
      if (!this.stopped) await this.listen(this.port);
    })();
    this.reopen = reopen;
    return reopen;
  }

  get isListening(): boolean {
    return this.listening;
  }

  onAttempt(listener: (a: DeliveryAttempt) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  attemptsFor(instructionId: string, kind = 'FREEZE'): DeliveryAttempt[] {
    return this.attempts.filter((a) => a.instructionId === instructionId && a.kind === kind);
  }

  /** Was a push of this kind for this instruction answered 2xx (a delivery made)? */
  delivered(instructionId: string, kind = 'FREEZE'): boolean {
    return this.attemptsFor(instructionId, kind).some(
      (a) => typeof a.answer === 'number' && a.answer >= 200 && a.answer < 300,
    );
  }

  /** Does this bank serve `bankId`? */
  serves(bankId: string): boolean {
    return this.secrets.has(bankId);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.reopen?.catch(() => undefined);
    await this.close();
  }

  /* ------------------------------------------------------------------------------------------- */

  private newServer(): Server {
    const server = createServer((req, res) => this.handle(req, res));
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    return server;
  }

  private listen(port: number): Promise<void> {
    this.server = this.newServer();
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.port = (this.server.address() as AddressInfo).port;
        this.listening = true;
        resolve();
      });
    });
  }

  private close(): Promise<void> {
    if (!this.listening) return Promise.resolve();
    this.listening = false;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const res of this.hung) res.destroy();
    this.hung.clear();
    for (const socket of this.sockets) socket.destroy();
    return closed;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const bankId = decodeURIComponent((req.url ?? '').split('/')[1] ?? '');
      const secret = this.secrets.get(bankId);
      if (!secret || req.method !== 'POST') {
        res.writeHead(404).end();
        return;
      }
      const raw = Buffer.concat(chunks).toString('utf8');
      const check = verifyWebhook(
        String(req.headers[SIGNATURE_HEADER.toLowerCase()] ?? ''),
        raw,
        [secret],
        Math.floor(Date.now() / 1000),
        REPLAY_WINDOW_SECONDS,
      );
      let message: Record<string, unknown> = {};
      try {
        message = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        // recorded with an empty message; a test sees kind ''
      }
      const attempt: DeliveryAttempt = {
        seq: this.attempts.length + 1,
        bankId,
        deliveryId: String(req.headers[DELIVERY_HEADER.toLowerCase()] ?? ''),
        kind: String(message.kind ?? ''),
        instructionId: String(message.instructionId ?? ''),
        raw,
        message,
        receivedAt: Date.now(),
        signatureOk: check.ok,
        answer: 'hung',
      };
      const earlier = this.attempts.filter((a) => a.bankId === bankId);
      this.attempts.push(attempt);
      const chosen = this.behaviours.get(bankId) ?? this.fallback;
      const behaviour = !check.ok
        ? status(401)
        : typeof chosen === 'function'
          ? chosen(attempt, earlier)
          : chosen;
      if (behaviour.kind === 'hang') {
        this.hung.add(res);
        res.on('close', () => {
          this.hung.delete(res);
          if (attempt.answer === 'hung') {
            attempt.answer = 'aborted';
            attempt.answeredAt = Date.now();
          }
        });
      } else {
        const code = behaviour.kind === 'ok' ? (behaviour.status ?? 200) : behaviour.status;
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (behaviour.kind === 'status' && behaviour.retryAfter !== undefined) {
          headers['retry-after'] = String(behaviour.retryAfter);
          attempt.retryAfter = behaviour.retryAfter;
        }
        attempt.answer = code;
        attempt.answeredAt = Date.now();
        res.writeHead(code, headers).end(JSON.stringify({ received: code < 300 }));
      }
      for (const listener of this.listeners) listener(attempt);
    });
  }
}
