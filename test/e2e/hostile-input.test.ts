import { request as httpRequest, type OutgoingHttpHeaders } from 'node:http';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../functions/adapters/dynamo/db.ts';
import {
  ExtendHoldBody,
  FreezeConfirmationBody,
  OpenCaseBody,
  RegisterBankBody,
  ReleaseBody,
  SubmitFreezeOrderBody,
} from '../../functions/schemas/api.ts';
import { dumpTable } from '../support/dump.ts';
import { cny, legalBasis } from '../support/fixtures.ts';
import {
  bankB1,
  baseBodies,
  type HostileContext,
  type HostileRequest,
  hostileRequests,
  hostileToken,
  materialize,
  police,
  type Scope,
  SETUP_INSTRUCTIONS,
} from '../support/hostile-requests.ts';
import { useLocalSystem } from '../support/local-system.ts';

/**
 * Hostile input through the real HTTP API: several hundred generated malformed or hostile requests
 * (test/support/hostile-requests.ts) across every route of routes.ts. Each must be answered with a
 * 4xx problem+json (never a 5xx, a 2xx, a hang or another body), and the database must be exactly
 * as the setup left it (two banks, a case, an order whose instructions are DISPATCHED but one, FROZEN).
 *
 * A request the system gets wrong is a bug: it stays in the suite, listed in KNOWN_BUGS and run as
 * `it.fails`, after the others and after the table was compared (it may write). Once fixed, its
 * `it.fails` fails: take it off the list and it joins the others, table check included.
 */

/** The defects this suite found, each named once; KNOWN_BUGS maps every affected request to one. */
const BUG = {
  // The local server decodes the body with Buffer#toString('utf8'), which replaces bytes that are
  // not UTF-8 with U+FFFD: a body that is not UTF-8 is accepted (2xx) and stored altered, instead of
  // 400. Fix: decode with `new TextDecoder('utf-8', { fatal: true })` in local/http-server.ts (400
  // problem+json on failure), and in HttpRequest.rawJson for base64 bodies.
  invalidUtf8: 'invalid-utf8-accepted',
  // JSON escapes of lone surrogates ("\ud800") parse to strings that are not Unicode text (no
  // UTF-8 encoding exists for them); they are accepted in free text (2xx) and stored. Fix: reject
  // them at the JSON boundary (rawJson: a JSON.parse reviver that throws on a string matching
  // /\p{Surrogate}/u, i.e. !isWellFormed() → 422 naming the path), or refine the text schemas.
  loneSurrogate: 'lone-surrogate-accepted',
  // The local server builds the query object with `query[k] = v`: `?__proto__=x` sets the
  // prototype (ignored) instead of an own key, so the unknown parameter vanishes and the request
  // answers 200; API Gateway would pass it on as an own key (422). Fix: build the object with
  // Object.fromEntries / Object.create(null) (or reject the key) in local/http-server.ts.
  protoQuery: 'proto-query-param-dropped',
  // BankInboxQuery.limit is z.coerce.number(): Number() accepts "0x10", "+5", "1e1" and " 5", so
  // they answer 200 instead of 422. Fix: `z.string().regex(/^[1-9][0-9]{0,2}$/).transform(Number)
  // .pipe(z.number().max(100)).optional()` with the default applied after.
  lenientLimit: 'limit-coerced-leniently',
  // decodeCursor accepts a cursor with the right key names and this bank's partition but empty
  // strings as key values; DynamoDB rejects the ExclusiveStartKey (ValidationException) → 500. Fix:
  // require non-empty key strings in the listing's SK/PK formats (or map the ValidationException of
  // the Query to 422 `cursor`).
  cursorEmptyKey: 'forged-cursor-500',
  // Node's HTTP parser answers a 32 KB Authorization header with a bare 431 (no body, no
  // problem+json). Fix: `server.on('clientError', ...)` in local/http-server.ts writing a
  // problem+json 431 (HPE_HEADER_OVERFLOW) or 400 (other parse errors) before closing the socket.
  headerOverflow: 'header-overflow-not-problem-json',
} as const;

/** Every defect above is fixed; the list stays as the place to put the next one. */
const KNOWN_BUGS: Record<string, string> = {};
void BUG;

const local = useLocalSystem();
const requests = hostileRequests();
const mainRequests = requests.filter((r) => !(r.name in KNOWN_BUGS));
const bugRequests = requests.filter((r) => r.name in KNOWN_BUGS);

const CONCURRENCY = 8;
// A first request of a route also starts its sandbox (local/sandbox/pool.ts): seconds on a busy machine.
const REQUEST_TIMEOUT_MS = 30_000;

interface Outcome {
  /** The HTTP status, or what happened instead of an answer. */
  status: number | 'hang' | 'transport-error' | 'client-error';
  contentType: string | undefined;
  text: string;
  error?: string;
}

const ctx: HostileContext = { caseId: '', instructionId: '', instructionIds: [], heldInstructionId: '' };
const outcomes = new Map<string, Outcome>();
const state = {
  dumpBefore: '',
  dumpAfterMain: '',
  protoBefore: [] as string[],
  healthStatus: 0,
  healthBody: '',
};

// ---------------------------------------------------------------------------------------------

function sendRaw(
  baseUrl: string,
  method: string,
  target: string,
  headers: OutgoingHttpHeaders,
  body: Buffer | undefined,
): Promise<Outcome> {
  const url = new URL(baseUrl);
  return new Promise((resolve) => {
    let settled = false;
    let gotResponse = false;
    const finish = (outcome: Outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const timer = setTimeout(() => {
      finish({ status: 'hang', contentType: undefined, text: '' });
      req?.destroy();
    }, REQUEST_TIMEOUT_MS);
    let req: ReturnType<typeof httpRequest> | undefined;
    try {
      req = httpRequest({ host: url.hostname, port: url.port, method, path: target, headers, agent: false });
    } catch (error) {
      finish({ status: 'client-error', contentType: undefined, text: '', error: String(error) });
      return;
    }
    req.on('response', (res) => {
      gotResponse = true;
      const chunks: Buffer[] = [];
      const outcome = (error?: string): Outcome => ({
        status: res.statusCode ?? 0,
        contentType: res.headers['content-type'],
        text: Buffer.concat(chunks).toString('utf8'),
        ...(error ? { error } : {}),
      });
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => finish(outcome()));
      res.on('error', (error) => finish(outcome(String(error))));
      res.on('close', () => finish(outcome()));
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      // The server may answer (413) and close before the whole body is sent: the answer counts.
      if (gotResponse) return;
      finish({
        status: 'transport-error',
        contentType: undefined,
        text: '',
        error: `${error.code ?? ''} ${error.message}`,
      });
    });
    req.end(body);
  });
}

const tokenCache = new Map<string, Promise<string>>();
function cachedHostileToken(variant: Parameters<typeof hostileToken>[0], scope: Scope): Promise<string> {
  const key = `${variant}|${scope.role}|${scope.agencyId ?? ''}|${scope.bankId ?? ''}`;
  let token = tokenCache.get(key);
  if (!token) {
    token = hostileToken(variant, scope);
    tokenCache.set(key, token);
  }
  return token;
}

async function authorizationOf(r: HostileRequest): Promise<string | undefined> {
  const valid = (scope: Scope) => local.api.token(scope.role, scope);
  switch (r.auth.kind) {
    case 'none':
      return undefined;
    case 'as':
      return `Bearer ${await valid(r.auth.scope)}`;
    case 'token':
      return `Bearer ${await cachedHostileToken(r.auth.variant, r.auth.scope)}`;
    case 'header':
      return r.auth.value.includes('{token}')
        ? r.auth.value.replace('{token}', await valid(r.auth.scope ?? police))
        : r.auth.value;
  }
}

async function run(r: HostileRequest): Promise<Outcome> {
  const unresolved = typeof r.body === 'function' ? r.body() : r.body;
  const body = unresolved === undefined ? undefined : materialize(unresolved, ctx);
  const headers: OutgoingHttpHeaders = { connection: 'close', ...(r.headers ?? {}) };
  const authorization = await authorizationOf(r);
  if (authorization !== undefined) headers.authorization = authorization;
  if (body !== undefined) {
    headers['content-type'] = 'application/json';
    // Explicit: Node's client frames no body of a GET unless told its length.
    headers['content-length'] = Buffer.byteLength(body);
  }
  return sendRaw(
    local.api.baseUrl,
    r.method,
    r.target(ctx),
    headers,
    body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8'),
  );
}

async function inPool<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const item = items[next++]!;
        await work(item);
      }
    }),
  );
}

/** The table once nothing writes to it any more (two equal dumps 200 ms apart). */
async function quietDump(db: Db): Promise<string> {
  let previous = await dumpTable(db);
  for (let i = 0; i < 50; i++) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    const current = await dumpTable(db);
    if (current === previous) return current;
    previous = current;
  }
  throw new Error('the table did not settle');
}

/** Items present in one dump and not the other, for a readable failure. */
function dumpDifference(before: string, after: string): { removed: string[]; added: string[] } {
  const a = new Set(JSON.parse(before) as string[]);
  const b = new Set(JSON.parse(after) as string[]);
  return { removed: [...a].filter((x) => !b.has(x)), added: [...b].filter((x) => !a.has(x)) };
}

function expectProblem(r: HostileRequest, outcome: Outcome | undefined): void {
  expect(outcome, 'the request was not sent').toBeDefined();
  const o = outcome!;
  const what = `${r.method} ${r.target(ctx).slice(0, 200)} → ${o.status} ${o.error ?? ''} ${o.text.slice(0, 300)}`;
  expect(typeof o.status === 'number' && o.status >= 400 && o.status < 500, `4xx expected: ${what}`).toBe(
    true,
  );
  if (r.status) expect(r.status, `status: ${what}`).toContain(o.status);
  expect(o.contentType?.split(';')[0]?.trim(), `content-type: ${what}`).toBe('application/problem+json');
  let problem: { type?: unknown; title?: unknown; status?: unknown; detail?: unknown; errors?: unknown };
  try {
    problem = JSON.parse(o.text) as typeof problem;
  } catch {
    throw new Error(`the body is not JSON: ${what}`);
  }
  expect(typeof problem.type, `type: ${what}`).toBe('string');
  expect(typeof problem.title, `title: ${what}`).toBe('string');
  expect(typeof problem.detail, `detail: ${what}`).toBe('string');
  expect(problem.status, `problem status: ${what}`).toBe(o.status);
  if (o.status === 422) {
    expect(Array.isArray(problem.errors), `errors: ${what}`).toBe(true);
    const paths = (problem.errors as { path?: unknown }[]).map((e) => e.path);
    expect(paths.length, `errors: ${what}`).toBeGreaterThan(0);
    for (const p of paths) expect(typeof p === 'string' && p.length > 0, `error path: ${what}`).toBe(true);
    for (const wanted of r.paths ?? []) {
      expect(
        paths.some((p) => p === wanted || (typeof p === 'string' && p.startsWith(`${wanted}.`))),
        `${wanted} named: ${what}`,
      ).toBe(true);
    }
  }
}

// ---------------------------------------------------------------------------------------------

beforeAll(async () => {
  const api = local.api;
  const db = local.system.deps.db;
  for (const bankId of ['B1', 'B2']) {
    const r = await api.request('PUT', `/banks/${bankId}`, {
      as: { role: 'admin' },
      body: { name: bankId, mode: 'pull', slaSeconds: 3600 },
    });
    expect(r.status).toBeLessThan(300);
  }
  const opened = await api.request<{ caseId: string }>('POST', '/cases', {
    as: police,
    idempotencyKey: 'setup-case',
    body: { reference: 'SETUP', reportedLoss: cny(1_000_000n), reportedAt: '2026-11-20T10:00:00Z' },
  });
  expect(opened.status).toBe(201);
  ctx.caseId = opened.body.caseId;
  const order = await api.request<{ instructions: { instructionId: string }[] }>(
    'POST',
    `/cases/${ctx.caseId}/freeze-orders`,
    {
      as: police,
      idempotencyKey: 'setup-order',
      body: {
        legalBasis,
        targets: Array.from({ length: SETUP_INSTRUCTIONS + 1 }, (_, i) => ({
          bankId: 'B1',
          accountNumber: `622200000000000${i + 1}`,
          amount: cny(500_000n),
        })),
      },
    },
  );
  expect(order.status).toBe(202);
  const ids = order.body.instructions.map((i) => i.instructionId);
  ctx.instructionIds = ids.slice(0, SETUP_INSTRUCTIONS);
  ctx.instructionId = ids[0]!;
  ctx.heldInstructionId = ids[SETUP_INSTRUCTIONS]!;
  // Let the workflow deliver them all (pull bank, SLA an hour: nothing else happens in this file).
  for (let i = 0; i < 200; i++) {
    const inbox = await api.request<{ items: { status: string }[] }>('GET', '/banks/B1/instructions', {
      as: bankB1,
    });
    if (inbox.body.items.filter((x) => x.status === 'DISPATCHED').length === ids.length) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  // One hold (FROZEN) for the extensions and releases to name; its hold lasts 48 h.
  const confirmed = await api.request(
    'POST',
    `/banks/B1/instructions/${ctx.heldInstructionId}/confirmations`,
    {
      as: bankB1,
      body: { confirmationId: 'setup-confirmation', result: 'ACTIONED', frozen: cny(500_000n) },
    },
  );
  expect(confirmed.status).toBe(201);

  state.protoBefore = Object.getOwnPropertyNames(Object.prototype).sort();
  state.dumpBefore = await quietDump(db);

  await inPool(mainRequests, CONCURRENCY, async (r) => {
    outcomes.set(r.name, await run(r));
  });
  state.dumpAfterMain = await quietDump(db);

  // Known bugs last, one at a time (several write to the same hold): the table is not compared after.
  for (const r of bugRequests) outcomes.set(r.name, await run(r));

  const health = await fetch(`${api.baseUrl}/health`);
  state.healthStatus = health.status;
  state.healthBody = await health.text();
}, 180_000);

describe('hostile input: every request a 4xx problem+json, nothing written', () => {
  it('starts from valid bodies, so each hostile request is one defect away from a valid one', () => {
    expect(RegisterBankBody.safeParse(baseBodies.registerBank).success).toBe(true);
    expect(OpenCaseBody.safeParse(baseBodies.openCase).success).toBe(true);
    expect(SubmitFreezeOrderBody.safeParse(baseBodies.submitFreezeOrder).success).toBe(true);
    expect(FreezeConfirmationBody.safeParse(baseBodies.recordConfirmation).success).toBe(true);
    expect(ExtendHoldBody.safeParse(baseBodies.extendHold).success).toBe(true);
    expect(ReleaseBody.safeParse(baseBodies.orderRelease).success).toBe(true);
  });

  it('tries at least 200 distinct hostile requests', () => {
    expect(requests.length).toBeGreaterThanOrEqual(200);
    expect(new Set(requests.map((r) => r.name)).size).toBe(requests.length);
    for (const name of Object.keys(KNOWN_BUGS)) expect(requests.map((r) => r.name)).toContain(name);
    const tally: Record<string, number> = {};
    for (const o of outcomes.values()) tally[String(o.status)] = (tally[String(o.status)] ?? 0) + 1;
    console.log(
      `hostile requests tried: ${outcomes.size} (${bugRequests.length} known bugs); by status: ${JSON.stringify(
        Object.fromEntries(Object.entries(tally).sort()),
      )}`,
    );
    expect(outcomes.size).toBe(requests.length);
  });

  for (const r of mainRequests) {
    it(`[${r.group}] ${r.name}`, () => expectProblem(r, outcomes.get(r.name)));
  }

  for (const r of bugRequests) {
    // BUG (see KNOWN_BUGS for what goes wrong): fails until the server is fixed.
    it.fails(`[${r.group}] BUG ${KNOWN_BUGS[r.name]}: ${r.name}`, () =>
      expectProblem(r, outcomes.get(r.name)));
  }

  it('left the table exactly as the setup did', () => {
    const diff = dumpDifference(state.dumpBefore, state.dumpAfterMain);
    expect(diff).toEqual({ removed: [], added: [] });
    expect(state.dumpAfterMain).toBe(state.dumpBefore);
  });

  it('polluted no prototype', () => {
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(state.protoBefore);
    expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('still answers GET /health with 200 afterwards', () => {
    expect(state.healthStatus).toBe(200);
    expect(JSON.parse(state.healthBody)).toEqual({ status: 'ok' });
  });
});
