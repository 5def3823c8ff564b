import { type Role, roles } from '../schemas/claims.ts';

/** The user pool's resource server (infra/constructs/identity.ts): scopes `freezeflow/bank.<bankId>`. */
export const RESOURCE_SERVER_ID = 'freezeflow';
export const BANK_SCOPE_PREFIX = 'bank.';
export const bankScope = (bankId: string): string => `${RESOURCE_SERVER_ID}/${BANK_SCOPE_PREFIX}${bankId}`;

/**
 * The part of Cognito's V2_0 / V3_0 pre-token-generation event this trigger reads. V3_0 also runs for
 * client-credentials grants (`TokenGeneration_ClientCredentials`: a bank's system, no user).
 */
export interface PreTokenGenerationEvent {
  version: string;
  triggerSource: string;
  userName?: string;
  callerContext?: { clientId?: string };
  request: {
    userAttributes?: Record<string, string>;
    groupConfiguration?: { groupsToOverride?: string[] };
    scopes?: string[];
  };
  response: {
    claimsAndScopeOverrideDetails?: {
      idTokenGeneration?: { claimsToAddOrOverride?: Record<string, string> };
      accessTokenGeneration?: { claimsToAddOrOverride?: Record<string, string> };
    } | null;
  };
}

export type TokenClaims = { role: Role; agencyId?: string; bankId?: string };

/**
 * The claims the API reads (functions/schemas/claims.ts), decided from what Cognito knows:
 * - a bank's system (client credentials): its one `freezeflow/bank.<bankId>` scope, which only that
 *   bank's app client may request;
 * - a person: exactly one of the groups police / bank / regulator / admin, plus the `custom:agencyId`
 *   (police) or `custom:bankId` (bank) attribute an administrator set.
 * Anything else (no group, two role groups, police without an agency) gets no role: the API answers 401.
 */
export function claimsFor(event: PreTokenGenerationEvent): { claims?: TokenClaims; why?: string } {
  if (event.triggerSource === 'TokenGeneration_ClientCredentials') {
    const prefix = `${RESOURCE_SERVER_ID}/${BANK_SCOPE_PREFIX}`;
    const banks = [...new Set((event.request.scopes ?? []).filter((s) => s.startsWith(prefix)))].map((s) =>
      s.slice(prefix.length),
    );
    if (banks.length !== 1 || !banks[0])
      return { why: `client credentials with ${banks.length} bank scopes` };
    return { claims: { role: 'bank', bankId: banks[0] } };
  }
  const groups = (event.request.groupConfiguration?.groupsToOverride ?? []).filter((g): g is Role =>
    (roles as readonly string[]).includes(g),
  );
  if (groups.length !== 1) return { why: `${groups.length} role groups` };
  const role = groups[0] as Role;
  const attributes = event.request.userAttributes ?? {};
  if (role === 'police') {
    const agencyId = attributes['custom:agencyId'];
    return agencyId ? { claims: { role, agencyId } } : { why: 'police without custom:agencyId' };
  }
  if (role === 'bank') {
    const bankId = attributes['custom:bankId'];
    return bankId ? { claims: { role, bankId } } : { why: 'bank user without custom:bankId' };
  }
  return { claims: { role } };
}
