import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { DEV_AUDIENCE, DEV_ISSUER, DEV_JWT_SECRET } from '../../local/dev-jwt.ts';
import { useLocalSystem } from '../support/local-system.ts';

/**
 * docs/api.md "Auth" against the local HTTP API: HS256 tokens signed with the dev secret, issuer
 * `freezeflow-local`, audience `freezeflow`, exp/nbf with ≤ 60 s clock skew, a known role and the
 * scope claim that role needs; anything else is a 401 problem+json. Tokens are built here with
 * jose (or by hand), not with the project's signer.
 */
const local = useLocalSystem();

const now = () => Math.floor(Date.now() / 1000);
const b64url = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

interface TokenSpec {
  claims?: Record<string, unknown>;
  /** Claims to drop from the defaults. */
  without?: string[];
  alg?: 'HS256' | 'HS384' | 'HS512';
  secret?: string;
}

/** A regulator token that is valid unless the spec changes something. */
async function token(spec: TokenSpec = {}): Promise<string> {
  const t = now();
  const claims: Record<string, unknown> = {
    sub: 'auth-test',
    role: 'regulator',
    iss: DEV_ISSUER,
    aud: DEV_AUDIENCE,
    iat: t,
    nbf: t,
    exp: t + 600,
    ...spec.claims,
  };
  for (const k of spec.without ?? []) delete claims[k];
  return new SignJWT(claims)
    .setProtectedHeader({ alg: spec.alg ?? 'HS256', typ: 'JWT' })
    .sign(new TextEncoder().encode(spec.secret ?? DEV_JWT_SECRET));
}

/** `alg: none`, built by hand: base64url header + payload and an empty signature. */
function unsignedToken(claims: Record<string, unknown> = {}): string {
  const t = now();
  return `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({
    sub: 'auth-test',
    role: 'regulator',
    iss: DEV_ISSUER,
    aud: DEV_AUDIENCE,
    iat: t,
    exp: t + 600,
    ...claims,
  })}.`;
}

async function getTotals(authorization: string | undefined) {
  const response = await fetch(`${local.api.baseUrl}/totals`, {
    headers: authorization === undefined ? {} : { authorization },
  });
  const text = await response.text();
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    body: (text ? JSON.parse(text) : undefined) as Record<string, unknown> | undefined,
  };
}

function expectProblem401(answer: Awaited<ReturnType<typeof getTotals>>): void {
  expect(answer.status, JSON.stringify(answer.body)).toBe(401);
  expect(answer.contentType).toBe('application/problem+json');
  expect(answer.body?.status).toBe(401);
  expect(typeof answer.body?.type).toBe('string');
  expect(typeof answer.body?.title).toBe('string');
  expect(typeof answer.body?.detail).toBe('string');
}

describe('bearer tokens of the local API (docs/api.md "Auth")', () => {
  it('a valid regulator token → 200', async () => {
    const answer = await getTotals(`Bearer ${await token()}`);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.contentType).toMatch(/^application\/json/);
  });

  it('the dev signer of the project (npm run token) makes tokens the API accepts', async () => {
    const answer = await getTotals(`Bearer ${await local.api.token('regulator')}`);
    expect(answer.status).toBe(200);
  });

  it('a valid token of a role that may not use the route → 403, not 401', async () => {
    const answer = await getTotals(`Bearer ${await token({ claims: { role: 'admin' } })}`);
    expect(answer.status).toBe(403);
    expect(answer.contentType).toBe('application/problem+json');
  });

  it('exp 30 s in the past (inside the 60 s skew) → 200', async () => {
    const t = now();
    const answer = await getTotals(
      `Bearer ${await token({ claims: { iat: t - 600, nbf: t - 600, exp: t - 30 } })}`,
    );
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  });

  it('nbf 30 s in the future (inside the 60 s skew) → 200', async () => {
    const t = now();
    const answer = await getTotals(`Bearer ${await token({ claims: { nbf: t + 30 } })}`);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  });

  const rejected: { name: string; build: () => Promise<string | undefined> | string | undefined }[] = [
    { name: 'no Authorization header', build: () => undefined },
    {
      name: 'expired: exp 90 s in the past',
      build: async () =>
        `Bearer ${await token({ claims: { iat: now() - 900, nbf: now() - 900, exp: now() - 90 } })}`,
    },
    {
      name: 'expired: exp an hour in the past',
      build: async () =>
        `Bearer ${await token({ claims: { iat: now() - 9000, nbf: now() - 9000, exp: now() - 3600 } })}`,
    },
    {
      name: 'not yet valid: nbf 90 s in the future',
      build: async () => `Bearer ${await token({ claims: { nbf: now() + 90 } })}`,
    },
    {
      name: 'wrong issuer',
      build: async () => `Bearer ${await token({ claims: { iss: 'someone-else' } })}`,
    },
    {
      name: 'wrong audience',
      build: async () => `Bearer ${await token({ claims: { aud: 'another-api' } })}`,
    },
    {
      name: 'signed with another secret',
      build: async () => `Bearer ${await token({ secret: 'not-the-freezeflow-dev-secret' })}`,
    },
    { name: 'alg: none (unsigned, built by hand)', build: () => `Bearer ${unsignedToken()}` },
    {
      name: 'alg: none with a forged signature part',
      build: () => `Bearer ${unsignedToken()}AAAA`,
    },
    { name: 'HS512 with the right secret', build: async () => `Bearer ${await token({ alg: 'HS512' })}` },
    { name: 'HS384 with the right secret', build: async () => `Bearer ${await token({ alg: 'HS384' })}` },
    {
      name: 'an unknown role',
      build: async () => `Bearer ${await token({ claims: { role: 'superuser' } })}`,
    },
    {
      name: 'no role claim',
      build: async () => `Bearer ${await token({ without: ['role'] })}`,
    },
    {
      name: 'police without agencyId',
      build: async () => `Bearer ${await token({ claims: { role: 'police' } })}`,
    },
    {
      name: 'police with an empty agencyId',
      build: async () => `Bearer ${await token({ claims: { role: 'police', agencyId: '' } })}`,
    },
    {
      name: 'bank without bankId',
      build: async () => `Bearer ${await token({ claims: { role: 'bank' } })}`,
    },
    {
      name: 'bank with a bankId that is not an id',
      build: async () => `Bearer ${await token({ claims: { role: 'bank', bankId: 'B 1/x' } })}`,
    },
    { name: 'garbage after Bearer', build: () => 'Bearer garbage' },
    { name: 'three garbage segments', build: () => 'Bearer aaa.bbb.ccc' },
    { name: 'Bearer with nothing after it', build: () => 'Bearer ' },
    { name: 'Basic credentials', build: () => 'Basic cmVndWxhdG9yOnNlY3JldA==' },
    { name: 'a valid token without the Bearer scheme', build: async () => token() },
    {
      name: 'a valid token with its payload swapped for another role',
      build: async () => {
        const [h, , s] = (await token({ claims: { role: 'police', agencyId: 'PSB-1' } })).split('.');
        const t = now();
        const payload = b64url({
          sub: 'x',
          role: 'regulator',
          iss: DEV_ISSUER,
          aud: DEV_AUDIENCE,
          exp: t + 600,
        });
        return `Bearer ${h}.${payload}.${s}`;
      },
    },
  ];

  it.each(rejected)('$name → 401 problem+json', async ({ build }) => {
    expectProblem401(await getTotals(await build()));
  });
});
