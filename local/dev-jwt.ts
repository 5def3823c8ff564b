import { jwtVerify, SignJWT } from 'jose';
import { type Caller, CallerClaims, type Role } from '../functions/schemas/claims.ts';

/**
 * Local stand-in for API Gateway's JWT authorizer (docs/api.md "Auth"): HS256 tokens signed with
 * FREEZEFLOW_JWT_SECRET, issuer `freezeflow-local`, audience `freezeflow`, exp/nbf with ≤ 60 s skew.
 * Only HS256 is accepted (`alg: none` and every other algorithm are refused by jose's allow-list).
 */
export const DEV_JWT_SECRET = 'freezeflow-local-dev-secret';
export const DEV_ISSUER = 'freezeflow-local';
export const DEV_AUDIENCE = 'freezeflow';
export const CLOCK_SKEW_SECONDS = 60;

const keyOf = (secret: string) => new TextEncoder().encode(secret);

export interface TokenRequest {
  role: Role;
  agencyId?: string;
  bankId?: string;
  sub?: string;
  expiresInSeconds?: number;
}

export async function signDevToken(request: TokenRequest, secret = DEV_JWT_SECRET): Promise<string> {
  const claims: Record<string, string> = { role: request.role };
  if (request.agencyId) claims.agencyId = request.agencyId;
  if (request.bankId) claims.bankId = request.bankId;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(request.sub ?? `${request.role}-${request.agencyId ?? request.bankId ?? 'user'}`)
    .setIssuer(DEV_ISSUER)
    .setAudience(DEV_AUDIENCE)
    .setIssuedAt()
    .setNotBefore('0s')
    .setExpirationTime(`${request.expiresInSeconds ?? 12 * 3600}s`)
    .sign(keyOf(secret));
}

export type BearerCheck =
  | { ok: true; claims: Record<string, string>; caller: Caller }
  | { ok: false; reason: string };

/** Verifies `Authorization: Bearer …` and returns the claims API Gateway would pass on (as strings). */
export async function verifyBearer(
  header: string | undefined,
  secret = DEV_JWT_SECRET,
): Promise<BearerCheck> {
  const match = /^Bearer ([A-Za-z0-9_\-.=]+)$/.exec(header?.trim() ?? '');
  if (!match) return { ok: false, reason: 'a bearer token is required' };
  try {
    const { payload } = await jwtVerify(match[1]!, keyOf(secret), {
      algorithms: ['HS256'],
      issuer: DEV_ISSUER,
      audience: DEV_AUDIENCE,
      clockTolerance: CLOCK_SKEW_SECONDS,
      requiredClaims: ['exp', 'sub'],
    });
    const claims = Object.fromEntries(
      Object.entries(payload).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
    );
    const caller = CallerClaims.safeParse(claims);
    if (!caller.success) return { ok: false, reason: 'the token lacks a usable role or scope claim' };
    return { ok: true, claims, caller: caller.data };
  } catch (error) {
    return { ok: false, reason: `invalid token: ${(error as Error).message}` };
  }
}
