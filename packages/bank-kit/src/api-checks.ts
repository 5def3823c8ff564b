import { type CheckResult, PUSH_KINDS } from './conformance.ts';

/**
 * `freezeflow-conformance --api <url> --bank <id> --token <jwt>`: checks a bank's connection to a
 * freezeflow API (a sandbox or `npm run serve`): the registration reads back, every sandbox push
 * kind reaches the bank's endpoint (push banks), and the inbox and its change feed answer.
 */
export interface ApiOptions {
  api: string;
  bankId: string;
  token: string;
  /** How long the bank's client has to go through the sandbox's confirmation script. */
  waitSeconds?: number;
}

interface SandboxRecord {
  attempts: { at: string; status: number; confirmationId?: string; early?: boolean; rule?: string }[];
  confirmed: { confirmationId: string; status: string } | null;
}

/**
 * The confirmation client, judged from what the sandbox recorded for one FREEZE push: the sandbox
 * answers 503 + Retry-After, then records the confirmation but loses its answer (503), then expects
 * the same confirmation again (docs/api.md "Sandbox").
 */
export function judgeConfirmations(record: SandboxRecord | undefined, waited: number): CheckResult[] {
  const attempts = record?.attempts ?? [];
  const refused = attempts.filter((a) => a.status === 422).length;
  const early = attempts.filter((a) => a.early).length;
  const replayed = attempts.find((a) => a.status === 200);
  const conflict = attempts.find((a) => a.status === 409);
  return [
    {
      name: 'answers a sandbox FREEZE at its confirmUrl with a valid confirmation',
      pass: Boolean(record?.confirmed),
      why: record?.confirmed
        ? `confirmed ${record.confirmed.status} (${record.confirmed.confirmationId})${refused ? `, after ${refused} refused (422)` : ''}`
        : attempts.length === 0
          ? `no confirmation within ${waited} s`
          : `${attempts.length} attempt(s), none valid past the first 503 (${refused} refused with 422)`,
    },
    {
      name: 'retries a 503 no sooner than Retry-After',
      pass: attempts.length >= 2 && early === 0,
      why:
        attempts.length < 2
          ? `${attempts.length} attempt(s): the 503 was not retried`
          : early > 0
            ? `${early} attempt(s) before Retry-After`
            : `${attempts.length} attempts, each after Retry-After`,
    },
    {
      name: 'replays the same confirmation after a lost answer (same confirmationId and body)',
      pass: Boolean(replayed) && !conflict,
      why: conflict
        ? `answered 409 ${conflict.rule ?? ''}: the retry was not the same confirmation`
        : replayed
          ? `replayed ${replayed.confirmationId}: 200`
          : 'no replay after the lost answer',
    },
  ];
}

export async function checkApi(options: ApiOptions): Promise<CheckResult[]> {
  const base = options.api.replace(/\/$/, '');
  const headers = { authorization: `Bearer ${options.token}`, 'content-type': 'application/json' };
  const results: CheckResult[] = [];
  const call = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(`${base}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await r.text();
    return { status: r.status, body: (text ? JSON.parse(text) : undefined) as Record<string, unknown> };
  };
  const bankPath = `/banks/${encodeURIComponent(options.bankId)}`;
  const bank = await call('GET', bankPath);
  results.push({
    name: 'the registration reads back (GET /banks/{bankId})',
    pass: bank.status === 200,
    why: `answered ${bank.status}${bank.status === 200 ? ` (mode ${String(bank.body.mode)})` : ''}`,
  });
  if (bank.status === 200 && bank.body.mode === 'push') {
    let freezeDelivery: string | undefined;
    for (const kind of PUSH_KINDS) {
      const r = await call('POST', `${bankPath}/test-deliveries`, { kind });
      if (kind === 'FREEZE' && typeof r.body?.deliveryId === 'string') freezeDelivery = r.body.deliveryId;
      const pass = r.status === 202 && r.body.delivered === true;
      results.push({
        name: `a sandbox ${kind} push reaches the endpoint`,
        pass,
        why: `answered ${r.status}${r.body?.detail ? `: ${String(r.body.detail)}` : ''}`,
      });
    }
    const waitSeconds = options.waitSeconds ?? 20;
    const end = Date.now() + waitSeconds * 1000;
    let record: SandboxRecord | undefined;
    while (freezeDelivery) {
      const r = await call('GET', `${bankPath}/test-deliveries/${encodeURIComponent(freezeDelivery)}`);
      record = r.status === 200 ? (r.body as unknown as SandboxRecord) : undefined;
      const settled = record?.attempts.some((a) => a.status === 200 || a.status === 409);
      if (settled || Date.now() > end) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    results.push(...judgeConfirmations(record, waitSeconds));
  }
  const inbox = await call('GET', `${bankPath}/instructions?limit=1`);
  results.push({
    name: 'the inbox answers',
    pass: inbox.status === 200 && Array.isArray(inbox.body.items),
    why: `answered ${inbox.status}`,
  });
  const feed = await call(
    'GET',
    `${bankPath}/instructions?updatedSince=${new Date(Date.now() + 86_400_000).toISOString()}`,
  );
  const empty = feed.status === 200 && Array.isArray(feed.body.items) && feed.body.items.length === 0;
  results.push({
    name: 'the change feed answers, and an empty page has no cursor',
    pass: empty && feed.body.nextCursor === null,
    why: `answered ${feed.status}, nextCursor ${JSON.stringify(feed.body?.nextCursor)}`,
  });
  return results;
}
