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
    for (const kind of PUSH_KINDS) {
      const r = await call('POST', `${bankPath}/test-deliveries`, { kind });
      const pass = r.status === 202 && r.body.delivered === true;
      results.push({
        name: `a sandbox ${kind} push reaches the endpoint`,
        pass,
        why: `answered ${r.status}${r.body?.detail ? `: ${String(r.body.detail)}` : ''}`,
      });
    }
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
