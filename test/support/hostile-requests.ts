/**
 * Hostile and malformed HTTP requests against every route of functions/schemas/routes.ts, for
 * test/e2e/hostile-input.test.ts. Every request here must be refused with a 4xx problem+json and
 * must write nothing. Deterministic: fast-check variants are drawn with a fixed seed.
 *
 * Where a request only fails because of the one hostile part (a field of the wrong type, a bad
 * Idempotency-Key, a token defect), the rest of it is valid, so a server that let the hostile part
 * through would answer 2xx and write: the suite would see it.
 */
import fc from 'fast-check';
import { base64url, SignJWT } from 'jose';
import type { Role } from '../../functions/schemas/claims.ts';
import { type RouteDefinition, routes } from '../../functions/schemas/routes.ts';
import { DEV_AUDIENCE, DEV_ISSUER, DEV_JWT_SECRET } from '../../local/dev-jwt.ts';

export const HOSTILE_SEED = 20_261_120;

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface Scope {
  role: Role;
  agencyId?: string;
  bankId?: string;
}

/** Ids made by the suite's setup (two banks B1 and B2, one case of PSB-1, one order at B1). */
export interface HostileContext {
  caseId: string;
  /** The order's first instruction (B1). */
  instructionId: string;
  /** The order's DISPATCHED instructions at B1: isolated confirmation cases use one each. */
  instructionIds: string[];
  /** One more of the order's instructions, confirmed FROZEN by B1: extensions and releases name it. */
  heldInstructionId: string;
}

/** How many DISPATCHED instructions the setup order must leave (one per isolated confirmation, plus one). */
export const SETUP_INSTRUCTIONS = 8;

/** Stands for the held instruction's id in bodies (a valid id): see `materialize`. */
const HELD = 'HELD-INSTRUCTION-ID';

/** The bytes of a request body, with the setup's ids put in. */
export function materialize(body: string | Buffer, ctx: HostileContext): string | Buffer {
  if (typeof body === 'string') return body.replaceAll(HELD, ctx.heldInstructionId);
  // Latin-1 maps every byte to one char and back: the hostile bytes survive the round trip.
  return Buffer.from(body.toString('latin1').replaceAll(HELD, ctx.heldInstructionId), 'latin1');
}

export const tokenVariants = [
  'garbage',
  'forged-signature',
  'alg-none',
  'wrong-secret',
  'expired',
  'not-yet-valid',
  'wrong-issuer',
  'wrong-audience',
  'hs512',
  'no-sub',
  'no-exp',
  'unknown-role',
  'missing-scope-claim',
  'bad-scope-claim',
  'role-array',
  'payload-not-json',
  'two-segments',
  'oversized',
] as const;
export type TokenVariant = (typeof tokenVariants)[number];

export type Auth =
  | { kind: 'none' }
  /** a valid dev token of this scope */
  | { kind: 'as'; scope: Scope }
  /** a defective token made for this scope */
  | { kind: 'token'; variant: TokenVariant; scope: Scope }
  /** this Authorization header verbatim; `{token}` is replaced by a valid token of `scope` */
  | { kind: 'header'; value: string; scope?: Scope };

export interface HostileRequest {
  /** Unique and stable: known bugs are listed by name. */
  name: string;
  group: string;
  method: string;
  /** The request target as sent on the wire (already percent-encoded where it should be). */
  target: (ctx: HostileContext) => string;
  auth: Auth;
  headers?: Record<string, string | string[]>;
  body?: string | Buffer | (() => Buffer);
  /** The statuses the contract allows for this request (any 4xx when absent). */
  status?: readonly number[];
  /** On a 422, each of these paths (or a path under it) must be named in `errors`. */
  paths?: readonly string[];
}

// ---------------------------------------------------------------------------------------------
// Scopes, base bodies and the routes they reach

export const police: Scope = { role: 'police', agencyId: 'PSB-1' };
export const otherPolice: Scope = { role: 'police', agencyId: 'PSB-2' };
export const bankB1: Scope = { role: 'bank', bankId: 'B1' };
export const bankB2: Scope = { role: 'bank', bankId: 'B2' };
export const admin: Scope = { role: 'admin' };
export const regulator: Scope = { role: 'regulator' };

const cny = (minor: string) => ({ currency: 'CNY', minor });

/** Valid bodies (checked against the zod schemas by the suite): each hostile body changes one thing. */
export const baseBodies = {
  registerBank: {
    name: 'Hostile Bank',
    mode: 'push',
    endpoint: 'http://127.0.0.1:9/hook',
    slaSeconds: 3600,
    signingSecret: 'a-signing-secret-0123456789',
  },
  openCase: {
    reference: 'HOSTILE-1',
    reportedLoss: cny('100'),
    reportedAt: '2026-11-20T10:00:00Z',
    summary: 'hostile input',
  },
  submitFreezeOrder: {
    legalBasis: {
      kind: 'Emergency stop-payment',
      reference: 'SP-H',
      issuedBy: 'PSB-1 Anti-Fraud Centre',
      issuedAt: '2026-11-20T09:55:00Z',
    },
    targets: [
      {
        bankId: 'B1',
        accountNumber: '6222000000000099',
        accountName: 'Holder',
        amount: cny('100'),
        transferredAt: '2026-11-20T10:01:00Z',
        reference: 'TX1',
      },
    ],
    holdHours: 24,
  },
  recordConfirmation: {
    confirmationId: 'hostile-confirmation',
    result: 'ACTIONED',
    frozen: cny('100'),
    onwardTransfers: [
      {
        toBankId: 'B2',
        toAccount: '6222000000000777',
        amount: cny('50'),
        transferredAt: '2026-11-20T10:02:00Z',
        reference: 'TX2',
      },
    ],
    cashWithdrawn: cny('0'),
    reason: 'hostile input',
    reportedAt: '2026-11-20T10:03:00Z',
  },
  extendHold: {
    legalBasis: {
      kind: 'Court order',
      reference: 'CO-H',
      issuedBy: 'District Court',
      issuedAt: '2026-11-21T09:00:00Z',
    },
    holdHours: 72,
  },
  orderRelease: {
    instructionId: HELD,
    amount: cny('100'),
    disposition: 'RETURN_TO_VICTIM',
    authority: {
      kind: 'Court order',
      reference: 'CO-R',
      issuedBy: 'District Court',
      issuedAt: '2026-11-21T09:00:00Z',
    },
  },
} satisfies Record<string, Json>;

type BodyRoute = keyof typeof baseBodies;
type FieldKind = 'string' | 'number' | 'object' | 'array';

interface BodyTarget {
  route: BodyRoute;
  method: string;
  target: (ctx: HostileContext) => string;
  scope: Scope;
  idempotent: boolean;
  /** Every field of the base body (dotted path) and its JSON type. */
  fields: Record<string, FieldKind>;
  /** Every object of the base body, '' for the body itself. */
  objects: string[];
  /** A free-text field of the body (no format beyond being a string). */
  text: string;
}

const bodyTargets: BodyTarget[] = [
  {
    route: 'registerBank',
    method: 'PUT',
    target: () => '/banks/B9',
    scope: admin,
    idempotent: false,
    fields: {
      name: 'string',
      mode: 'string',
      endpoint: 'string',
      slaSeconds: 'number',
      signingSecret: 'string',
    },
    objects: [''],
    text: 'name',
  },
  {
    route: 'openCase',
    method: 'POST',
    target: () => '/cases',
    scope: police,
    idempotent: true,
    fields: {
      reference: 'string',
      reportedLoss: 'object',
      'reportedLoss.currency': 'string',
      'reportedLoss.minor': 'string',
      reportedAt: 'string',
      summary: 'string',
    },
    objects: ['', 'reportedLoss'],
    text: 'reference',
  },
  {
    route: 'submitFreezeOrder',
    method: 'POST',
    target: (ctx) => `/cases/${ctx.caseId}/freeze-orders`,
    scope: police,
    idempotent: true,
    fields: {
      legalBasis: 'object',
      'legalBasis.kind': 'string',
      'legalBasis.reference': 'string',
      'legalBasis.issuedBy': 'string',
      'legalBasis.issuedAt': 'string',
      targets: 'array',
      'targets.0': 'object',
      'targets.0.bankId': 'string',
      'targets.0.accountNumber': 'string',
      'targets.0.accountName': 'string',
      'targets.0.amount': 'object',
      'targets.0.amount.currency': 'string',
      'targets.0.amount.minor': 'string',
      'targets.0.transferredAt': 'string',
      'targets.0.reference': 'string',
      holdHours: 'number',
    },
    objects: ['', 'legalBasis', 'targets.0', 'targets.0.amount'],
    text: 'legalBasis.kind',
  },
  {
    route: 'recordConfirmation',
    method: 'POST',
    target: (ctx) => `/banks/B1/instructions/${ctx.instructionId}/confirmations`,
    scope: bankB1,
    idempotent: false,
    fields: {
      confirmationId: 'string',
      result: 'string',
      frozen: 'object',
      'frozen.currency': 'string',
      'frozen.minor': 'string',
      onwardTransfers: 'array',
      'onwardTransfers.0': 'object',
      'onwardTransfers.0.toBankId': 'string',
      'onwardTransfers.0.toAccount': 'string',
      'onwardTransfers.0.amount': 'object',
      'onwardTransfers.0.amount.minor': 'string',
      'onwardTransfers.0.transferredAt': 'string',
      'onwardTransfers.0.reference': 'string',
      cashWithdrawn: 'object',
      'cashWithdrawn.minor': 'string',
      reason: 'string',
      reportedAt: 'string',
    },
    objects: ['', 'frozen', 'onwardTransfers.0', 'onwardTransfers.0.amount', 'cashWithdrawn'],
    text: 'reason',
  },
  {
    route: 'extendHold',
    method: 'POST',
    target: (ctx) => `/cases/${ctx.caseId}/instructions/${ctx.heldInstructionId}/extend`,
    scope: police,
    idempotent: true,
    fields: {
      legalBasis: 'object',
      'legalBasis.kind': 'string',
      'legalBasis.reference': 'string',
      'legalBasis.issuedBy': 'string',
      'legalBasis.issuedAt': 'string',
      holdHours: 'number',
    },
    objects: ['', 'legalBasis'],
    text: 'legalBasis.kind',
  },
  {
    route: 'orderRelease',
    method: 'POST',
    target: (ctx) => `/cases/${ctx.caseId}/releases`,
    scope: police,
    idempotent: true,
    fields: {
      instructionId: 'string',
      amount: 'object',
      'amount.currency': 'string',
      'amount.minor': 'string',
      disposition: 'string',
      authority: 'object',
      'authority.kind': 'string',
      'authority.reference': 'string',
      'authority.issuedBy': 'string',
      'authority.issuedAt': 'string',
    },
    objects: ['', 'amount', 'authority'],
    text: 'authority.kind',
  },
];

const bodyTarget = (route: BodyRoute): BodyTarget => {
  const found = bodyTargets.find((t) => t.route === route);
  if (!found) throw new Error(`no body target ${route}`);
  return found;
};

// ---------------------------------------------------------------------------------------------
// Body builders

function clone<T extends Json>(value: T): T {
  return structuredClone(value);
}

/** The container holding `path`'s last segment, and that segment. */
function parentOf(root: Json, path: string): { parent: Json[] | { [key: string]: Json }; key: string } {
  const segments = path.split('.');
  const last = segments.pop();
  if (last === undefined) throw new Error('empty path');
  let node: Json = root;
  for (const s of segments) {
    if (node === null || typeof node !== 'object') throw new Error(`no ${path}`);
    node = Array.isArray(node) ? (node[Number(s)] ?? null) : (node[s] ?? null);
  }
  if (node === null || typeof node !== 'object') throw new Error(`no parent for ${path}`);
  return { parent: node, key: last };
}

function setAt<T extends Json>(body: T, path: string, value: Json): T {
  const copy = clone(body);
  const { parent, key } = parentOf(copy, path);
  if (Array.isArray(parent)) parent[Number(key)] = value;
  else parent[key] = value;
  return copy;
}

function objectAt(root: Json, path: string): { [key: string]: Json } {
  if (path === '') {
    if (root === null || typeof root !== 'object' || Array.isArray(root)) throw new Error('not an object');
    return root;
  }
  const { parent, key } = parentOf(root, path);
  const node = Array.isArray(parent) ? parent[Number(key)] : parent[key];
  if (node === null || node === undefined || typeof node !== 'object' || Array.isArray(node)) {
    throw new Error(`${path} is not an object`);
  }
  return node;
}

const MARKER = '@@hostile-marker@@';

/** The base body as JSON text with the value at `path` replaced by raw JSON text. */
function withRawValue(body: Json, path: string, raw: string): string {
  return JSON.stringify(setAt(body, path, MARKER)).replace(JSON.stringify(MARKER), raw);
}

/** The base body as JSON text with an extra member `"key": raw` in the object at `objectPath`. */
function withRawMember(body: Json, objectPath: string, key: string, raw: string): string {
  const copy = clone(body);
  objectAt(copy, objectPath)[MARKER] = MARKER;
  return JSON.stringify(copy).replace(
    `${JSON.stringify(MARKER)}:${JSON.stringify(MARKER)}`,
    `${JSON.stringify(key)}:${raw}`,
  );
}

/** The base body as UTF-8 bytes with the string at `path` made of `before` + raw bytes + `after`. */
function withRawBytes(body: Json, path: string, bytes: number[], before = 'x', after = 'y'): Buffer {
  const text = JSON.stringify(setAt(body, path, MARKER));
  const at = text.indexOf(MARKER);
  return Buffer.concat([
    Buffer.from(text.slice(0, at) + before, 'utf8'),
    Buffer.from(bytes),
    Buffer.from(after + text.slice(at + MARKER.length), 'utf8'),
  ]);
}

const joinPath = (objectPath: string, key: string) => (objectPath ? `${objectPath}.${key}` : key);

const nestedArrays = (depth: number, inner = '') => '['.repeat(depth) + inner + ']'.repeat(depth);
const nestedObjects = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

/** JSON text of exactly `bytes` bytes: the base body with a padded free-text field. */
function paddedTo(body: Json, path: string, bytes: number): string {
  const short = JSON.stringify(setAt(body, path, ''));
  return JSON.stringify(setAt(body, path, 'x'.repeat(bytes - Buffer.byteLength(short))));
}

// ---------------------------------------------------------------------------------------------
// Tokens

const secretKey = (secret: string) => new TextEncoder().encode(secret);

function scopeClaims(scope: Scope): Record<string, unknown> {
  return {
    role: scope.role,
    ...(scope.agencyId ? { agencyId: scope.agencyId } : {}),
    ...(scope.bankId ? { bankId: scope.bankId } : {}),
  };
}

async function signed(
  claims: Record<string, unknown>,
  options: {
    secret?: string;
    alg?: string;
    issuer?: string;
    audience?: string;
    sub?: string | null;
    exp?: number | null;
    nbf?: number;
  } = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  let jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: options.alg ?? 'HS256', typ: 'JWT' })
    .setIssuer(options.issuer ?? DEV_ISSUER)
    .setAudience(options.audience ?? DEV_AUDIENCE)
    .setIssuedAt(now)
    .setNotBefore(options.nbf ?? now);
  if (options.sub !== null) jwt = jwt.setSubject(options.sub ?? 'hostile-subject');
  if (options.exp !== null) jwt = jwt.setExpirationTime(options.exp ?? now + 3600);
  return jwt.sign(secretKey(options.secret ?? DEV_JWT_SECRET));
}

const b64 = (value: unknown) => base64url.encode(typeof value === 'string' ? value : JSON.stringify(value));

/** A token for `scope` with exactly one defect. */
export async function hostileToken(variant: TokenVariant, scope: Scope): Promise<string> {
  const claims = scopeClaims(scope);
  const now = Math.floor(Date.now() / 1000);
  switch (variant) {
    case 'garbage':
      return 'not-a-jwt';
    case 'forged-signature': {
      const [header, payload] = (await signed(claims)).split('.');
      return `${header}.${payload}.${b64('forged signature of 32 bytes....')}`;
    }
    case 'alg-none':
      return `${b64({ alg: 'none', typ: 'JWT' })}.${b64({
        ...claims,
        sub: 'hostile-subject',
        iss: DEV_ISSUER,
        aud: DEV_AUDIENCE,
        iat: now,
        exp: now + 3600,
      })}.`;
    case 'wrong-secret':
      return signed(claims, { secret: 'not-the-freezeflow-secret' });
    case 'expired':
      return signed(claims, { exp: now - 3600, nbf: now - 7200 });
    case 'not-yet-valid':
      return signed(claims, { nbf: now + 3600, exp: now + 7200 });
    case 'wrong-issuer':
      return signed(claims, { issuer: 'someone-else' });
    case 'wrong-audience':
      return signed(claims, { audience: 'another-api' });
    case 'hs512':
      return signed(claims, { alg: 'HS512' });
    case 'no-sub':
      return signed(claims, { sub: null });
    case 'no-exp':
      return signed(claims, { exp: null });
    case 'unknown-role':
      return signed({ ...claims, role: 'superuser' });
    case 'missing-scope-claim': {
      // Police without agencyId, bank without bankId; admin/regulator without any role.
      const { agencyId: _a, bankId: _b, ...rest } = claims;
      if (scope.role === 'police' || scope.role === 'bank') return signed(rest);
      const { role: _r, ...noRole } = rest;
      return signed(noRole);
    }
    case 'bad-scope-claim':
      if (scope.role === 'police') return signed({ ...claims, agencyId: '../PSB-1' });
      if (scope.role === 'bank') return signed({ ...claims, bankId: 'B1/../B2' });
      return signed({ ...claims, role: scope.role.toUpperCase() });
    case 'role-array':
      return signed({ ...claims, role: [scope.role] });
    case 'payload-not-json': {
      const header = b64({ alg: 'HS256', typ: 'JWT' });
      const payload = b64('role=admin; not json');
      const { createHmac } = await import('node:crypto');
      const signature = createHmac('sha256', DEV_JWT_SECRET)
        .update(`${header}.${payload}`)
        .digest('base64url');
      return `${header}.${payload}.${signature}`;
    }
    case 'two-segments': {
      const [header, payload] = (await signed(claims)).split('.');
      return `${header}.${payload}`;
    }
    case 'oversized':
      // 32 KB of claims: past the server's header limit.
      return signed({ ...claims, padding: 'p'.repeat(24_000) });
  }
}

// ---------------------------------------------------------------------------------------------
// The requests

const sample = <T>(arb: fc.Arbitrary<T>, n: number, salt: number): T[] =>
  fc.sample(arb, { seed: HOSTILE_SEED + salt, numRuns: n });

/** Path template of a route filled with the setup's ids. */
function filledPath(route: RouteDefinition, ctx: HostileContext): string {
  return route.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    if (name === 'caseId') return ctx.caseId;
    if (name === 'bankId') return 'B1';
    if (name === 'instructionId') return ctx.instructionId;
    return 'X';
  });
}

/** A scope that may use the route (its first role, with the setup's ids). */
function scopeFor(route: RouteDefinition): Scope {
  const role = route.roles[0];
  if (role === 'police') return police;
  if (role === 'bank') return bankB1;
  if (role === 'regulator') return regulator;
  return admin;
}

const roleScopes: Record<Role, Scope> = { police, bank: bankB1, regulator, admin };

export function hostileRequests(): HostileRequest[] {
  const out: HostileRequest[] = [];
  let keyCounter = 0;
  const freshKey = () => `hostile-key-${++keyCounter}`;
  const add = (r: HostileRequest) => out.push(r);

  /** A body request on a body route with a valid token (and a fresh valid Idempotency-Key). */
  const bodyRequest = (
    t: BodyTarget,
    group: string,
    name: string,
    body: string | Buffer | (() => Buffer),
    status?: readonly number[],
    paths?: readonly string[],
  ) =>
    add({
      name: `${t.route}: ${name}`,
      group,
      method: t.method,
      target: t.target,
      auth: { kind: 'as', scope: t.scope },
      headers: t.idempotent ? { 'idempotency-key': freshKey() } : {},
      body,
      ...(status ? { status } : {}),
      ...(paths ? { paths } : {}),
    });

  const base = (t: BodyTarget): Json => baseBodies[t.route];

  // --- 1. Tokens on every authenticated route of routes.ts ------------------------------------
  const authRoutes = routes.filter((r) => r.roles.length > 0);
  authRoutes.forEach((route, i) => {
    const scope = scopeFor(route);
    const body = route.id in baseBodies ? JSON.stringify(baseBodies[route.id as BodyRoute]) : undefined;
    const common = {
      group: 'token',
      method: route.method,
      target: (ctx: HostileContext) => filledPath(route, ctx),
      headers: { 'idempotency-key': freshKey() },
      ...(body === undefined ? {} : { body }),
      status: [401],
    };
    add({ ...common, name: `${route.id}: no Authorization header`, auth: { kind: 'none' } });
    tokenVariants.forEach((variant, j) => {
      // Each variant on a third of the routes, each route with a third of the variants.
      if (variant === 'oversized' ? i !== 0 : (i + j) % 3 !== 0) return;
      add({
        ...common,
        // Headers past the server's limit are refused before any token check: 431, as problem+json.
        ...(variant === 'oversized' ? { status: [431] } : {}),
        name: `${route.id}: token ${variant}`,
        auth: { kind: 'token', variant, scope },
      });
    });
    const headerValues = [
      '',
      'Bearer',
      'Bearer ',
      'Basic dXNlcjpwYXNzd29yZA==',
      'Token {token}',
      'Bearer {token} trailing-junk',
      'Bearer  {token}x',
      'Bearer {token}\u00e9',
    ];
    headerValues.forEach((value, j) => {
      if ((i + j) % 2 !== 0) return;
      add({
        ...common,
        name: `${route.id}: Authorization ${JSON.stringify(value)}`,
        auth: { kind: 'header', value, scope },
      });
    });
  });

  // --- 2. Roles that can never use the route (403) and ids outside the caller's scope (404) ----
  for (const route of authRoutes) {
    const body = route.id in baseBodies ? JSON.stringify(baseBodies[route.id as BodyRoute]) : '{}';
    for (const role of ['police', 'bank', 'regulator', 'admin'] as const) {
      if ((route.roles as readonly Role[]).includes(role)) continue;
      add({
        name: `${route.id}: role ${role} (never allowed) with a malformed body`,
        group: 'role',
        method: route.method,
        target: (ctx) => filledPath(route, ctx),
        auth: { kind: 'as', scope: roleScopes[role] },
        headers: { 'idempotency-key': freshKey() },
        ...(route.method === 'GET' ? {} : { body: `${body.slice(0, -1)},` }),
        status: [403],
      });
    }
  }
  const scoped: [string, string, (ctx: HostileContext) => string, Scope, Json | undefined][] = [
    [
      'submitFreezeOrder',
      'POST',
      (c) => `/cases/${c.caseId}/freeze-orders`,
      otherPolice,
      baseBodies.submitFreezeOrder,
    ],
    ['getCase', 'GET', (c) => `/cases/${c.caseId}`, otherPolice, undefined],
    ['getCaseTotals', 'GET', (c) => `/cases/${c.caseId}/totals`, otherPolice, undefined],
    ['getCaseTrail', 'GET', (c) => `/cases/${c.caseId}/trail`, otherPolice, undefined],
    ['getCaseAudit', 'GET', (c) => `/cases/${c.caseId}/audit`, otherPolice, undefined],
    ['bankInbox', 'GET', () => '/banks/B1/instructions', bankB2, undefined],
    [
      'recordConfirmation',
      'POST',
      (c) => `/banks/B1/instructions/${c.instructionId}/confirmations`,
      bankB2,
      baseBodies.recordConfirmation,
    ],
    [
      'recordConfirmation',
      'POST',
      (c) => `/banks/B2/instructions/${c.instructionId}/confirmations`,
      bankB2,
      baseBodies.recordConfirmation,
    ],
    [
      'extendHold',
      'POST',
      (c) => `/cases/${c.caseId}/instructions/${c.heldInstructionId}/extend`,
      otherPolice,
      baseBodies.extendHold,
    ],
    ['orderRelease', 'POST', (c) => `/cases/${c.caseId}/releases`, otherPolice, baseBodies.orderRelease],
  ];
  scoped.forEach(([id, method, target, scope, body], i) => {
    add({
      name: `${id}: outside the caller's scope (${scope.agencyId ?? scope.bankId}) #${i}`,
      group: 'scope',
      method,
      target,
      auth: { kind: 'as', scope },
      headers: { 'idempotency-key': freshKey() },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      status: [404],
    });
  });

  // --- 3. Wrong content: not a JSON object, not JSON at all -----------------------------------
  const notJson: [string, string, readonly number[], string?][] = [
    ['empty body', '', [400, 422]],
    ['the JSON literal null', 'null', [422], '(body)'],
    ['an empty array', '[]', [422], '(body)'],
    ['an array holding the valid body', '@BASE_IN_ARRAY', [422], '(body)'],
    ['a JSON string', '"a string"', [422], '(body)'],
    ['a JSON number', '42', [422], '(body)'],
    ['a JSON boolean', 'true', [422], '(body)'],
    ['an empty object', '{}', [422]],
    ['truncated JSON', '{"reference": ', [400]],
    ['trailing garbage after the valid body', '@BASE x', [400]],
    ['two JSON documents', '@BASE\n@BASE', [400]],
    ['single-quoted JSON', "{'reference': 'x'}", [400]],
    ['a trailing comma', '@BASE_TRAILING_COMMA', [400]],
    ['a comment', '/* hostile */ @BASE', [400]],
    ['NaN', '{"holdHours": NaN}', [400]],
    ['a NUL byte', '\u0000', [400]],
    ['unbalanced nesting', nestedArrays(10_000).slice(0, 10_000), [400]],
  ];
  for (const t of bodyTargets) {
    const json = JSON.stringify(base(t));
    for (const [label, text, status, path] of notJson) {
      const body = text
        .replaceAll('@BASE_IN_ARRAY', `[${json}]`)
        .replaceAll('@BASE_TRAILING_COMMA', `${json.slice(0, -1)},}`)
        .replaceAll('@BASE', json);
      bodyRequest(t, 'content', label, body, status, path === undefined ? undefined : [path]);
    }
    // Random text that is not JSON (fast-check, fixed seed).
    const garbage = sample(
      fc.string({ minLength: 1, maxLength: 40, unit: 'binary' }).filter((s) => {
        try {
          JSON.parse(s);
          return false;
        } catch {
          return true;
        }
      }),
      3,
      bodyTargets.indexOf(t),
    );
    for (const [i, g] of garbage.entries()) bodyRequest(t, 'content', `random non-JSON text #${i}`, g, [400]);
  }

  // --- 4. Oversized bodies (413, never a hang) ------------------------------------------------
  const MB = 1024 * 1024;
  for (const t of bodyTargets) {
    const padField = t.route === 'registerBank' ? 'name' : t.text;
    bodyRequest(
      t,
      'size',
      '256 KB + 1 byte of valid JSON',
      paddedTo(base(t), padField, 256 * 1024 + 1),
      [413],
    );
    bodyRequest(
      t,
      'size',
      '256 KB + 1 byte of whitespace-padded JSON',
      `${' '.repeat(256 * 1024 + 1 - JSON.stringify(base(t)).length)}${JSON.stringify(base(t))}`,
      [413],
    );
    bodyRequest(t, 'size', '300 KB of invalid JSON', 'x'.repeat(300 * 1024), [413]);
    bodyRequest(t, 'size', '3 MB body', () => Buffer.from(paddedTo(base(t), padField, 3 * MB)), [413]);
    bodyRequest(t, 'size', '8 MB body', () => Buffer.alloc(8 * MB, 0x5b), [413]);
  }
  add({
    name: 'getCase: 5 MB body on a GET',
    group: 'size',
    method: 'GET',
    target: (ctx) => `/cases/${ctx.caseId}`,
    auth: { kind: 'as', scope: police },
    body: () => Buffer.alloc(5 * MB, 0x20),
    status: [413],
  });
  add({
    name: 'bankInbox: 5 MB body on a GET',
    group: 'size',
    method: 'GET',
    target: () => '/banks/B1/instructions',
    auth: { kind: 'as', scope: bankB1 },
    body: () => Buffer.alloc(5 * MB, 0x7b),
    status: [413],
  });
  add({
    name: 'openCase: 8 MB body without a token',
    group: 'size',
    method: 'POST',
    target: () => '/cases',
    auth: { kind: 'none' },
    body: () => Buffer.alloc(8 * MB, 0x7b),
    status: [401],
  });

  // --- 5. Deep nesting ------------------------------------------------------------------------
  for (const t of bodyTargets) {
    bodyRequest(t, 'nesting', '10,000 nested arrays', nestedArrays(10_000), [422], ['(body)']);
    bodyRequest(t, 'nesting', '10,000 nested objects', nestedObjects(10_000), [422]);
    bodyRequest(t, 'nesting', '100,000 nested arrays (200 KB)', nestedArrays(100_000), [422], ['(body)']);
    bodyRequest(
      t,
      'nesting',
      `10,000 nested arrays in ${t.text}`,
      withRawValue(base(t), t.text, nestedArrays(10_000, '"x"')),
      [422],
      [t.text],
    );
    bodyRequest(
      t,
      'nesting',
      `10,000 nested objects in ${t.text}`,
      withRawValue(base(t), t.text, nestedObjects(10_000)),
      [422],
      [t.text],
    );
    bodyRequest(
      t,
      'nesting',
      '10,000 nested objects under an unknown field',
      withRawMember(base(t), '', 'nested', nestedObjects(10_000)),
      [422],
      ['nested'],
    );
  }

  // --- 6. Wrong types for every field ---------------------------------------------------------
  const wrongValues: Record<FieldKind, Json[]> = {
    string: [12345, null, true, ['x'], { value: 'x' }],
    number: ['@NUMBER_AS_STRING', null, true, [1], { value: 1 }],
    object: ['an object', 1, null, [], true],
    array: [{ 0: 'x' }, 'an array', 1, null, true],
  };
  for (const t of bodyTargets) {
    for (const [field, kind] of Object.entries(t.fields)) {
      for (const wrong of wrongValues[kind]) {
        const { parent, key } = parentOf(clone(base(t)), field);
        const current = Array.isArray(parent) ? parent[Number(key)] : parent[key];
        const value = wrong === '@NUMBER_AS_STRING' ? String(current) : wrong;
        const label = `${field} = ${JSON.stringify(value)} (${kind} expected)`;
        bodyRequest(t, 'type', label, JSON.stringify(setAt(base(t), field, value)), [422], [field]);
      }
    }
  }

  // --- 7. Prototype-pollution keys: unknown fields at every level ---------------------------
  const pollution: [string, string][] = [
    ['__proto__', '{"polluted":"yes"}'],
    ['constructor', '{"prototype":{"polluted":"yes"}}'],
    ['prototype', '{"polluted":"yes"}'],
  ];
  for (const t of bodyTargets) {
    for (const objectPath of t.objects) {
      for (const [key, raw] of pollution) {
        bodyRequest(
          t,
          'pollution',
          `${joinPath(objectPath, key)} in the body`,
          withRawMember(base(t), objectPath, key, raw),
          [422],
          [joinPath(objectPath, key)],
        );
      }
    }
  }

  // --- 8. Huge and odd numbers ----------------------------------------------------------------
  const numberRaws = [
    '1e309',
    '-1e309',
    '18446744073709551616',
    '-0',
    '0',
    '-1',
    '"1e3"',
    '"0x10"',
    '"+5"',
    '"NaN"',
    '"Infinity"',
    '"-0"',
  ];
  const registerBank = bodyTarget('registerBank');
  for (const raw of [...numberRaws, '604801', '1.5', '1e-7']) {
    bodyRequest(
      registerBank,
      'number',
      `slaSeconds = ${raw}`,
      withRawValue(base(registerBank), 'slaSeconds', raw),
      [422],
      ['slaSeconds'],
    );
  }
  const order = bodyTarget('submitFreezeOrder');
  const extend = bodyTarget('extendHold');
  for (const raw of [...numberRaws, '4320.000001', '-5e-324']) {
    for (const t of [order, extend]) {
      bodyRequest(
        t,
        'number',
        `holdHours = ${raw}`,
        withRawValue(base(t), 'holdHours', raw),
        [422],
        ['holdHours'],
      );
    }
  }
  const minorRaws = [
    '"1e3"',
    '"0x10"',
    '"+5"',
    '"-5"',
    '"-0"',
    '"NaN"',
    '"Infinity"',
    '"1.0"',
    '" 5"',
    '"5 "',
    '""',
    '"\uff11\uff12"',
    '"\u0663"',
    '"1_000"',
    '"1,000"',
    '"1234567890123456789"',
    '"0000000000000000000"',
    '5',
    '1e309',
    '18446744073709551616',
    '-0',
  ];
  const longDigits = sample(fc.stringMatching(/^[1-9][0-9]{18,39}$/), 4, 100);
  const minorTargets: [BodyTarget, string][] = [
    [bodyTarget('openCase'), 'reportedLoss.minor'],
    [order, 'targets.0.amount.minor'],
    [bodyTarget('recordConfirmation'), 'frozen.minor'],
    [bodyTarget('orderRelease'), 'amount.minor'],
  ];
  for (const [t, field] of minorTargets) {
    const raws = [...minorRaws, ...longDigits.map((d) => JSON.stringify(d))];
    if (t.route !== 'recordConfirmation') raws.push('"0"', '"000"');
    for (const raw of raws) {
      bodyRequest(t, 'number', `${field} = ${raw}`, withRawValue(base(t), field, raw), [422], [field]);
    }
  }

  // --- 9. Bad Unicode -------------------------------------------------------------------------
  const hostileIdChars = [
    '\u200b',
    '\u202e',
    '\u0000',
    '\ud800',
    '\udc00',
    '\u00a0',
    '\ufeff',
    '/',
    ' ',
    '%',
  ];
  const idFields: [BodyTarget, string][] = [
    [order, 'targets.0.bankId'],
    [order, 'targets.0.accountNumber'],
    [bodyTarget('recordConfirmation'), 'confirmationId'],
    [bodyTarget('recordConfirmation'), 'onwardTransfers.0.toBankId'],
    [bodyTarget('recordConfirmation'), 'onwardTransfers.0.toAccount'],
  ];
  const fixedIds = [
    'B1\u200b',
    '\u202eB1',
    'B1\u0000',
    '\ud800',
    'B1\udfff',
    '\uff22\uff11',
    '\ud835\udfcf',
    'A'.repeat(129),
    '',
    'B1\t',
  ];
  const generatedIds = sample(
    fc
      .tuple(
        fc.stringMatching(/^[A-Za-z0-9]{0,8}$/),
        fc.constantFrom(...hostileIdChars),
        fc.stringMatching(/^[A-Za-z0-9]{0,8}$/),
      )
      .map(([a, c, b]) => `${a}${c}${b}`),
    10,
    200,
  );
  idFields.forEach(([t, field], i) => {
    const ids = [...fixedIds, ...generatedIds.slice(2 * i, 2 * i + 2)];
    for (const id of ids) {
      bodyRequest(
        t,
        'unicode',
        `${field} = ${JSON.stringify(id)}`,
        JSON.stringify(setAt(base(t), field, id)),
        [422],
        [field],
      );
    }
  });
  // Lone surrogates and bytes that are not UTF-8, in free text of otherwise valid bodies. A server
  // that let them through would write, so each of these gets a resource of its own (its own bank
  // id, account, instruction) and does not depend on the others being refused.
  let isolatedCount = 0;
  let confirmationSlot = 1;
  const isolated = (t: BodyTarget): { target: (ctx: HostileContext) => string; body: Json } => {
    const k = ++isolatedCount;
    switch (t.route) {
      case 'registerBank':
        return { target: () => `/banks/HB${k}`, body: base(t) };
      case 'submitFreezeOrder':
        return {
          target: t.target,
          body: setAt(base(t), 'targets.0.accountNumber', `62220000000010${String(k).padStart(2, '0')}`),
        };
      case 'recordConfirmation': {
        const n = confirmationSlot++;
        const { onwardTransfers: _o, ...rest } = baseBodies.recordConfirmation;
        // confirmationId is unique per bank, not per instruction.
        const body = { ...rest, confirmationId: `hostile-isolated-${k}` };
        return { target: (ctx) => `/banks/B1/instructions/${ctx.instructionIds[n]}/confirmations`, body };
      }
      default:
        return { target: t.target, body: base(t) };
    }
  };
  const isolatedRequest = (
    t: BodyTarget,
    name: string,
    make: (body: Json) => string | Buffer,
    status: number[],
    paths?: string[],
  ) => {
    const { target, body } = isolated(t);
    add({
      name: `${t.route}: ${name}`,
      group: 'unicode',
      method: t.method,
      target,
      auth: { kind: 'as', scope: t.scope },
      headers: t.idempotent ? { 'idempotency-key': freshKey() } : {},
      body: make(body),
      status,
      ...(paths ? { paths } : {}),
    });
  };
  const badBytes: [string, number[]][] = [
    ['overlong "/" (C0 AF)', [0xc0, 0xaf]],
    ['byte FF', [0xff]],
    ['UTF-8-encoded surrogate (ED A0 80)', [0xed, 0xa0, 0x80]],
    ['truncated 3-byte sequence (E2 82)', [0xe2, 0x82]],
    ['Latin-1 e-acute (E9)', [0xe9]],
  ];
  for (const t of bodyTargets) {
    isolatedRequest(
      t,
      `lone high surrogate in ${t.text}`,
      (b) => withRawValue(b, t.text, '"x\\ud800y"'),
      [422],
      [t.text],
    );
    isolatedRequest(
      t,
      `lone low surrogate in ${t.text}`,
      (b) => withRawValue(b, t.text, '"\\udc00"'),
      [422],
      [t.text],
    );
    for (const [label, bytes] of badBytes) {
      isolatedRequest(
        t,
        `invalid UTF-8 in ${t.text}: ${label}`,
        (b) => withRawBytes(b, t.text, bytes),
        [400],
      );
    }
    bodyRequest(
      t,
      'unicode',
      'invalid UTF-8 outside strings',
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(JSON.stringify(base(t)))]),
      [400],
    );
    bodyRequest(t, 'unicode', 'UTF-16LE body', Buffer.from(JSON.stringify(base(t)), 'utf16le'), [400]);
  }
  if (confirmationSlot > SETUP_INSTRUCTIONS) throw new Error('the setup order needs more instructions');

  // --- 10. Invalid ids in paths ---------------------------------------------------------------
  const badPathIds = [
    'A'.repeat(129),
    '..',
    '%2E%2E',
    '.',
    '%2F',
    'a%2Fb',
    '%20',
    'a%20b',
    '%E2%80%8B@ID',
    '@ID%E2%80%AE',
    '%00',
    '@ID%00',
    '@ID%0A',
    '%ZZ',
    '%',
    '%C0%AF',
    '%ED%A0%80',
    '%F0%9F%98%80',
    '%EF%BC%A3',
    '@ID%3Fx=1',
    '@ID;x',
    '@LOWER',
  ];
  const pathRoutes: {
    id: string;
    method: string;
    scope: Scope;
    path: (ctx: HostileContext, bad: (real: string) => string) => string;
    body?: Json;
    status: readonly number[];
    every: number;
  }[] = [
    {
      id: 'submitFreezeOrder caseId',
      method: 'POST',
      scope: police,
      path: (c, bad) => `/cases/${bad(c.caseId)}/freeze-orders`,
      body: baseBodies.submitFreezeOrder,
      status: [404],
      every: 1,
    },
    {
      id: 'getCase caseId',
      method: 'GET',
      scope: regulator,
      path: (c, bad) => `/cases/${bad(c.caseId)}`,
      status: [404],
      every: 1,
    },
    {
      id: 'getCaseTotals caseId',
      method: 'GET',
      scope: police,
      path: (c, bad) => `/cases/${bad(c.caseId)}/totals`,
      status: [404],
      every: 3,
    },
    {
      id: 'getCaseTrail caseId',
      method: 'GET',
      scope: regulator,
      path: (c, bad) => `/cases/${bad(c.caseId)}/trail`,
      status: [404],
      every: 3,
    },
    {
      id: 'getCaseAudit caseId',
      method: 'GET',
      scope: police,
      path: (c, bad) => `/cases/${bad(c.caseId)}/audit`,
      status: [404],
      every: 3,
    },
    {
      id: 'registerBank bankId',
      method: 'PUT',
      scope: admin,
      path: (_, bad) => `/banks/${bad('B9')}`,
      body: baseBodies.registerBank,
      status: [404, 422],
      every: 1,
    },
    {
      id: 'bankInbox bankId',
      method: 'GET',
      scope: bankB1,
      path: (_, bad) => `/banks/${bad('B1')}/instructions`,
      status: [404],
      every: 2,
    },
    {
      id: 'recordConfirmation bankId',
      method: 'POST',
      scope: bankB1,
      path: (c, bad) => `/banks/${bad('B1')}/instructions/${c.instructionId}/confirmations`,
      body: baseBodies.recordConfirmation,
      status: [404],
      every: 2,
    },
    {
      id: 'recordConfirmation instructionId',
      method: 'POST',
      scope: bankB1,
      path: (c, bad) => `/banks/B1/instructions/${bad(c.instructionId)}/confirmations`,
      body: baseBodies.recordConfirmation,
      status: [404],
      every: 1,
    },
    {
      id: 'extendHold caseId',
      method: 'POST',
      scope: police,
      path: (c, bad) => `/cases/${bad(c.caseId)}/instructions/${c.heldInstructionId}/extend`,
      body: baseBodies.extendHold,
      status: [404],
      every: 2,
    },
    {
      id: 'extendHold instructionId',
      method: 'POST',
      scope: police,
      path: (c, bad) => `/cases/${c.caseId}/instructions/${bad(c.heldInstructionId)}/extend`,
      body: baseBodies.extendHold,
      status: [404],
      every: 1,
    },
    {
      id: 'orderRelease caseId',
      method: 'POST',
      scope: police,
      path: (c, bad) => `/cases/${bad(c.caseId)}/releases`,
      body: baseBodies.orderRelease,
      status: [404],
      every: 2,
    },
  ];
  pathRoutes.forEach((r, ri) => {
    badPathIds.forEach((bad, bi) => {
      if ((ri + bi) % r.every !== 0) return;
      // Ids are case-sensitive: a lower-case bank id is another (valid) bank for PUT.
      if (bad === '@LOWER' && r.method === 'PUT') return;
      // `..` is resolved by URL parsing: the request lands on another route (or none), any 4xx.
      const dotDot = bad === '..' || bad === '%2E%2E';
      const replace = (real: string) =>
        bad
          .replaceAll('@ID', real)
          .replaceAll('@LOWER', real.toLowerCase() === real ? `${real}x` : real.toLowerCase());
      add({
        name: `${r.id} = ${bad}`,
        group: 'path',
        method: r.method,
        target: (ctx) => r.path(ctx, replace),
        auth: { kind: 'as', scope: r.scope },
        headers: { 'idempotency-key': freshKey() },
        ...(r.body === undefined ? {} : { body: JSON.stringify(r.body) }),
        ...(dotDot ? {} : { status: r.status }),
      });
    });
  });

  // --- 11. Bad query strings ------------------------------------------------------------------
  const forgedCursor = (key: Record<string, string>) =>
    Buffer.from(JSON.stringify(key)).toString('base64url');
  const inboxQueries: [string, readonly number[], string[], string?][] = [
    ['limit=0', [422], ['limit']],
    ['limit=101', [422], ['limit']],
    ['limit=-1', [422], ['limit']],
    ['limit=abc', [422], ['limit']],
    ['limit=', [422], ['limit']],
    ['limit=1.5', [422], ['limit']],
    ['limit=1e3', [422], ['limit']],
    ['limit=NaN', [422], ['limit']],
    ['limit=Infinity', [422], ['limit']],
    ['limit=99999999999999999999', [422], ['limit']],
    ['limit=0x10', [422], ['limit']],
    ['limit=%2B5', [422], ['limit']],
    ['limit=1e1', [422], ['limit']],
    ['limit=%205', [422], ['limit']],
    ['limit=5&limit=6', [422], ['limit']],
    ['status=NOPE', [422], ['status']],
    ['status=frozen', [422], ['status']],
    ['status=', [422], ['status']],
    ['status=FROZEN%00', [422], ['status']],
    ['cursor=garbage', [422], ['cursor']],
    ['cursor=%00%FF', [422], ['cursor']],
    [`cursor=${'A'.repeat(2049)}`, [422], ['cursor']],
    [`cursor=${forgedCursor({})}`, [422], ['cursor'], 'cursor=<forged: {}>'],
    [
      `cursor=${forgedCursor({ GSI1PK: 'BANK#B2', GSI1SK: 'x', PK: 'x', SK: 'x' })}`,
      [422],
      ['cursor'],
      "cursor=<forged: another bank's listing>",
    ],
    [
      `cursor=${forgedCursor({ GSI2PK: 'BANK#B1#DISPATCHED', GSI2SK: 'x', PK: 'x', SK: 'x' })}`,
      [422],
      ['cursor'],
      'cursor=<forged: the by-status listing, used without status>',
    ],
    [
      `cursor=${forgedCursor({ GSI1PK: 'BANK#B1', GSI1SK: '', PK: '', SK: '' })}`,
      [422],
      ['cursor'],
      'cursor=<forged: own listing, empty key strings>',
    ],
    ['foo=bar', [422], ['foo']],
    ['LIMIT=5', [422], ['LIMIT']],
    ['__proto__=x', [422], ['__proto__']],
    ['constructor=x', [422], ['constructor']],
    ['prototype=x', [422], ['prototype']],
    ['__proto__%5Bpolluted%5D=yes', [422], ['__proto__[polluted]']],
  ];
  for (const [query, status, paths, label] of inboxQueries) {
    add({
      name: `bankInbox: ?${label ?? (query.length > 80 ? `${query.slice(0, 40)}…` : query)}`,
      group: 'query',
      method: 'GET',
      target: () => `/banks/B1/instructions?${query}`,
      auth: { kind: 'as', scope: bankB1 },
      status,
      paths,
    });
  }
  const generatedCursors = sample(fc.string({ minLength: 1, maxLength: 64 }), 4, 300);
  for (const [i, cursor] of generatedCursors.entries()) {
    add({
      name: `bankInbox: random cursor #${i}`,
      group: 'query',
      method: 'GET',
      target: () => `/banks/B1/instructions?cursor=${encodeURIComponent(cursor)}`,
      auth: { kind: 'as', scope: bankB1 },
      status: [422],
      paths: ['cursor'],
    });
  }
  const totalsQueries: [string, string[]][] = [
    ['from=2026-13-40', ['from']],
    ['from=2026-02-30', ['from']],
    ['from=2026-1-1', ['from']],
    ['from=20260101', ['from']],
    ['from=2026-01-01T00:00:00Z', ['from']],
    ['to=2026-00-10', ['to']],
    ['to=tomorrow', ['to']],
    ['from=2026-12-01&to=2026-11-01', ['from']],
    ['from=0001-01-01&to=9999-12-31', ['from']],
    ['from=%2B2026-01-01', ['from']],
    ['from=2026-01-01%00', ['from']],
    ['from=2026-01-01&from=2026-01-02', ['from']],
    ['currency=XYZ', ['currency']],
    ['currency=cny', ['currency']],
    ['currency=', ['currency']],
    ['currency=CNY%E2%80%8B', ['currency']],
    ['foo=bar', ['foo']],
    ['__proto__=x', ['__proto__']],
    ['constructor=x', ['constructor']],
    ['prototype=x', ['prototype']],
    ['__proto__%5Bpolluted%5D=yes', ['__proto__[polluted]']],
  ];
  const generatedDays = sample(
    fc
      .tuple(
        fc.integer({ min: 0, max: 9999 }),
        fc.integer({ min: 13, max: 99 }),
        fc.integer({ min: 32, max: 99 }),
      )
      .map(([y, m, d]) => `${String(y).padStart(4, '0')}-${m}-${d}`),
    4,
    400,
  );
  for (const day of generatedDays) totalsQueries.push([`to=${day}`, ['to']]);
  for (const [query, paths] of totalsQueries) {
    add({
      name: `regulatorTotals: ?${query}`,
      group: 'query',
      method: 'GET',
      target: () => `/totals?${query}`,
      auth: { kind: 'as', scope: regulator },
      status: [422],
      paths,
    });
    add({
      name: `bankPerformance: ?${query}`,
      group: 'query',
      method: 'GET',
      target: () => `/banks/performance?${query}`,
      auth: { kind: 'as', scope: regulator },
      status: [422],
      paths,
    });
  }

  // --- 12. Bad Idempotency-Key headers (valid bodies) -----------------------------------------
  const latin1OfUtf8 = (s: string) => Buffer.from(s, 'utf8').toString('latin1');
  const badKeys: [string, string | string[]][] = [
    ['empty', ''],
    ['129 characters', 'k'.repeat(129)],
    ['an inner space', 'key with spaces'],
    ['an inner tab', 'key\twith-tab'],
    ['Latin-1 e-acute', 'cl\u00e9'],
    ['UTF-8 bytes of CJK', latin1OfUtf8('\u5bc6\u94a5')],
    ['a no-break space', 'key\u00a0x'],
    ['two headers', ['key-one', 'key-two']],
  ];
  const generatedKeys = sample(
    fc
      .tuple(
        fc.stringMatching(/^[\x21-\x7e]{1,20}$/),
        fc.constantFrom(' ', '\t', '\u0080', '\u00ff', '\u00a0', '\u00e9'),
        fc.stringMatching(/^[\x21-\x7e]{1,20}$/),
      )
      .map(([a, c, b]) => `${a}${c}${b}`),
    6,
    500,
  );
  for (const [i, k] of generatedKeys.entries()) badKeys.push([`generated #${i}`, k]);
  for (const route of ['openCase', 'submitFreezeOrder', 'extendHold', 'orderRelease'] as const) {
    const t = bodyTarget(route);
    for (const [label, key] of badKeys) {
      add({
        name: `${route}: Idempotency-Key ${label}`,
        group: 'idempotency',
        method: t.method,
        target: t.target,
        auth: { kind: 'as', scope: t.scope },
        headers: { 'idempotency-key': key },
        body: JSON.stringify(base(t)),
        status: [422],
        paths: ['headers.Idempotency-Key'],
      });
    }
  }
  add({
    name: 'openCase: the setup Idempotency-Key with another body',
    group: 'idempotency',
    method: 'POST',
    target: () => '/cases',
    auth: { kind: 'as', scope: police },
    headers: { 'idempotency-key': 'setup-case' },
    body: JSON.stringify(baseBodies.openCase),
    status: [409],
  });
  add({
    name: 'submitFreezeOrder: the setup Idempotency-Key with another body',
    group: 'idempotency',
    method: 'POST',
    target: (ctx) => `/cases/${ctx.caseId}/freeze-orders`,
    auth: { kind: 'as', scope: police },
    headers: { 'idempotency-key': 'setup-order' },
    body: JSON.stringify(baseBodies.submitFreezeOrder),
    status: [409],
  });

  // --- 13. No such route / method ---------------------------------------------------------------
  const noRoute: [string, string, Scope | undefined][] = [
    ['POST', '/health', undefined],
    ['GET', '/health%00', undefined],
    ['GET', '/health/..%2F..%2Fetc%2Fpasswd', undefined],
    ['DELETE', '/cases/@CASE', police],
    ['PATCH', '/banks/B1', admin],
    ['GET', '/cases', police],
    ['GET', '/%2e%2e/%2e%2e/etc/passwd', admin],
    ['GET', '//cases//@CASE', regulator],
  ];
  for (const [method, path, scope] of noRoute) {
    add({
      name: `no route: ${method} ${path}`,
      group: 'route',
      method,
      target: (ctx) => path.replace('@CASE', ctx.caseId),
      auth: scope ? { kind: 'as', scope } : { kind: 'none' },
      ...(method === 'GET' ? {} : { body: '{"hostile":true}' }),
      status: [404, 405],
    });
  }
  return out;
}
