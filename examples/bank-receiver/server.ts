import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
// In a bank's own project: `from '@freezeflow/bank-kit/verify'` (the built package).
import { confirm } from '../../packages/bank-kit/src/confirm.ts';
import { DeliveryLog, verifySignature } from '../../packages/bank-kit/src/verify.ts';

/**
 * A minimal bank receiver of freezeflow pushes, written with the bank kit: verify the signature over
 * the raw body (rotation: every secret you accept now), refuse stale or forged pushes with 4xx, act
 * once per FreezeFlow-Delivery, answer 2xx at once and do the work after the answer.
 *
 *   FREEZEFLOW_SIGNING_SECRETS=current[,previous] FREEZEFLOW_TOKEN=<bank JWT> PORT=4000 \
 *     node --import tsx examples/bank-receiver/server.ts
 *   npx freezeflow-conformance --endpoint http://127.0.0.1:4000/freezeflow --secret current
 *   npx freezeflow-conformance --api http://127.0.0.1:3000 --bank <id> --token <bank JWT>
 */
export interface Push {
  kind: 'FREEZE' | 'EXTEND' | 'EXPIRED' | 'REMINDER' | 'RELEASE';
  instructionId: string;
  test?: boolean;
  [field: string]: unknown;
}

export interface ReceiverOptions {
  /** The secrets you accept now: during your rotation, the new one first, then the previous one. */
  secrets: () => readonly string[];
  /** Your bank's work: place the hold, extend it, let it go, return the funds… */
  handle: (push: Push, deliveryId: string) => Promise<void> | void;
  path?: string;
}

const MAX_BODY_BYTES = 1024 * 1024;

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) req.destroy(new Error('body too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

const answer = (res: ServerResponse, status: number, body: object) =>
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

export function createReceiver(options: ReceiverOptions): Server {
  const deliveries = new DeliveryLog();
  const path = options.path ?? '/freezeflow';
  return createServer(async (req, res) => {
    if (req.method !== 'POST' || req.url !== path) return answer(res, 404, { error: 'not found' });
    let raw: Buffer;
    try {
      raw = await readBody(req);
    } catch {
      return answer(res, 413, { error: 'body too large' });
    }
    const check = verifySignature({
      header: req.headers['freezeflow-signature'],
      rawBody: raw,
      secrets: options.secrets(),
    });
    // A 4xx other than 401/408/429 is final for freezeflow: only for pushes that are not genuine.
    if (!check.ok) return answer(res, 400, { error: check.reason });
    const deliveryId = String(req.headers['freezeflow-delivery'] ?? '');
    let push: Push;
    try {
      push = JSON.parse(raw.toString('utf8')) as Push;
    } catch {
      return answer(res, 400, { error: 'not JSON' });
    }
    if (!deliveryId || !deliveries.first(deliveryId)) return answer(res, 200, { duplicate: true });
    answer(res, 200, { received: push.kind });
    // After the answer: freezeflow waits at most 10 s, and a repeat of this id is already a no-op.
    try {
      await options.handle(push, deliveryId);
    } catch (error) {
      console.error(`handling ${push.kind} ${push.instructionId} failed`, error);
    }
  });
}

/**
 * This bank's work, kept trivial: hold the full amount, and confirm at the push's confirmUrl with a
 * confirmationId fixed per instruction (kit `confirm`: same body on every retry, after Retry-After).
 */
export const holdEverything =
  (token: () => string) =>
  async (push: Push): Promise<void> => {
    if (typeof push.confirmUrl !== 'string') return; // EXTEND, EXPIRED: nothing to confirm
    const body =
      push.kind === 'RELEASE'
        ? { confirmationId: `rel-${push.instructionId}`, result: 'ACTIONED', released: push.amount }
        : { confirmationId: `frz-${push.instructionId}`, result: 'ACTIONED', frozen: push.amount };
    await confirm(push.confirmUrl, { ...body, reportedAt: new Date().toISOString() }, { token });
  };

const isMain = process.argv[1]?.endsWith('bank-receiver/server.ts');
if (isMain) {
  const secrets = (process.env.FREEZEFLOW_SIGNING_SECRETS ?? '').split(',').filter(Boolean);
  if (secrets.length === 0) throw new Error('set FREEZEFLOW_SIGNING_SECRETS');
  const port = Number(process.env.PORT ?? 4000);
  createReceiver({
    secrets: () => secrets,
    handle: async (push) => {
      console.log(`${push.test ? '[test] ' : ''}${push.kind} ${push.instructionId}`);
      const token = process.env.FREEZEFLOW_TOKEN;
      if (token) await holdEverything(() => token)(push);
    },
  }).listen(port, '127.0.0.1', () => console.log(`bank receiver on http://127.0.0.1:${port}/freezeflow`));
}
