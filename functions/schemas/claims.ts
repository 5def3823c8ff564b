import { z } from 'zod';
import { Id } from './common.ts';

export const roles = ['police', 'bank', 'regulator', 'admin'] as const;
export type Role = (typeof roles)[number];

/** The caller, as the JWT authorizer (AWS) or the local verifier put its claims. */
export const CallerClaims = z.discriminatedUnion('role', [
  z.object({ sub: z.string().min(1), role: z.literal('police'), agencyId: Id }),
  z.object({ sub: z.string().min(1), role: z.literal('bank'), bankId: Id }),
  z.object({ sub: z.string().min(1), role: z.literal('regulator') }),
  z.object({ sub: z.string().min(1), role: z.literal('admin') }),
]);
export type Caller = z.infer<typeof CallerClaims>;

/** Who did it, for the audit trail: role, scope and subject. */
export function actorOf(caller: Caller): string {
  switch (caller.role) {
    case 'police':
      return `police:${caller.agencyId}:${caller.sub}`;
    case 'bank':
      return `bank:${caller.bankId}:${caller.sub}`;
    default:
      return `${caller.role}:${caller.sub}`;
  }
}

/**
 * Where a token carries our three claims. Cognito's pre-token-generation trigger writes `role`,
 * `agencyId` and `bankId` (functions/pre-token-generation/handler.ts); an external OIDC issuer may
 * name them otherwise (context freezeflow:claimRole etc., set in the functions' environment).
 */
export interface ClaimNames {
  role: string;
  agencyId: string;
  bankId: string;
}

export const DEFAULT_CLAIM_NAMES: ClaimNames = { role: 'role', agencyId: 'agencyId', bankId: 'bankId' };

export const CLAIM_NAME_ENV: Record<keyof ClaimNames, string> = {
  role: 'FREEZEFLOW_CLAIM_ROLE',
  agencyId: 'FREEZEFLOW_CLAIM_AGENCY_ID',
  bankId: 'FREEZEFLOW_CLAIM_BANK_ID',
};

export function claimNamesFromEnvironment(env: NodeJS.ProcessEnv = process.env): ClaimNames {
  return {
    role: env[CLAIM_NAME_ENV.role] || DEFAULT_CLAIM_NAMES.role,
    agencyId: env[CLAIM_NAME_ENV.agencyId] || DEFAULT_CLAIM_NAMES.agencyId,
    bankId: env[CLAIM_NAME_ENV.bankId] || DEFAULT_CLAIM_NAMES.bankId,
  };
}

/**
 * A token's claims as CallerClaims reads them: each of ours taken from its configured name, else
 * from the Cognito user attribute of that name (`custom:role`, `custom:agencyId`, `custom:bankId`,
 * as an ID token or a V1 trigger carries them). `sub` is kept; nothing else is needed.
 */
export function normalizeClaims(raw: Record<string, unknown>, names: ClaimNames = DEFAULT_CLAIM_NAMES) {
  const pick = (key: keyof ClaimNames): unknown =>
    raw[names[key]] ?? raw[`custom:${DEFAULT_CLAIM_NAMES[key]}`];
  const out: Record<string, unknown> = { sub: raw.sub, role: pick('role') };
  const agencyId = pick('agencyId');
  const bankId = pick('bankId');
  if (agencyId !== undefined) out.agencyId = agencyId;
  if (bankId !== undefined) out.bankId = bankId;
  return out;
}
