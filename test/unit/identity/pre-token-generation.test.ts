/**
 * The Cognito pre-token-generation trigger (V2_0 / V3_0 events): what it puts into the access token
 * is what the API's CallerClaims accepts, and nothing ambiguous gets a role.
 */
import { describe, expect, it } from 'vitest';
import {
  bankScope,
  handler,
  type PreTokenGenerationEvent,
} from '../../../functions/pre-token-generation/handler.ts';
import { CallerClaims, normalizeClaims } from '../../../functions/schemas/claims.ts';

const person = (groups: string[], attributes: Record<string, string> = {}): PreTokenGenerationEvent => ({
  version: '3',
  triggerSource: 'TokenGeneration_HostedAuth',
  userName: 'u-1',
  callerContext: { clientId: 'console' },
  request: {
    userAttributes: { sub: 'u-1', email: 'a@example.org', ...attributes },
    groupConfiguration: { groupsToOverride: groups },
    scopes: ['openid', 'email'],
  },
  response: { claimsAndScopeOverrideDetails: null },
});

const machine = (scopes: string[]): PreTokenGenerationEvent => ({
  version: '3',
  triggerSource: 'TokenGeneration_ClientCredentials',
  callerContext: { clientId: 'bank-client' },
  request: { userAttributes: {}, groupConfiguration: { groupsToOverride: [] }, scopes },
  response: { claimsAndScopeOverrideDetails: null },
});

async function accessClaims(event: PreTokenGenerationEvent) {
  const out = await handler(structuredClone(event));
  return out.response.claimsAndScopeOverrideDetails?.accessTokenGeneration?.claimsToAddOrOverride;
}

/** The token the API would see: the trigger's claims plus Cognito's own `sub`. */
async function callerOf(event: PreTokenGenerationEvent, sub = 'u-1') {
  const claims = await accessClaims(event);
  return CallerClaims.safeParse(normalizeClaims({ sub, client_id: 'x', ...claims }));
}

describe('pre-token-generation: people (authorization code + PKCE through the managed login)', () => {
  it('police: role and agencyId from the group and custom:agencyId, in access and ID token', async () => {
    const event = person(['police'], { 'custom:agencyId': 'PSB-0001' });
    const out = await handler(structuredClone(event));
    const details = out.response.claimsAndScopeOverrideDetails;
    expect(details?.accessTokenGeneration?.claimsToAddOrOverride).toEqual({
      role: 'police',
      agencyId: 'PSB-0001',
    });
    expect(details?.idTokenGeneration?.claimsToAddOrOverride).toEqual({
      role: 'police',
      agencyId: 'PSB-0001',
    });
    expect((await callerOf(event)).data).toEqual({ sub: 'u-1', role: 'police', agencyId: 'PSB-0001' });
  });

  it('a bank employee: role bank and custom:bankId', async () => {
    expect((await callerOf(person(['bank'], { 'custom:bankId': 'HARBOR' }))).data).toEqual({
      sub: 'u-1',
      role: 'bank',
      bankId: 'HARBOR',
    });
  });

  it.each(['regulator', 'admin'])('%s: the role alone', async (role) => {
    expect((await callerOf(person([role]))).data).toEqual({ sub: 'u-1', role });
  });

  it('ignores groups that are not roles', async () => {
    expect((await callerOf(person(['team-east', 'regulator']))).data).toEqual({
      sub: 'u-1',
      role: 'regulator',
    });
  });

  it.each([
    ['no group', person([])],
    [
      'two role groups (never guess the stronger one)',
      person(['police', 'admin'], { 'custom:agencyId': 'P1' }),
    ],
    ['police without custom:agencyId', person(['police'])],
    ['a bank user without custom:bankId', person(['bank'], { 'custom:agencyId': 'P1' })],
  ])('%s: no role in the token, so the API refuses it', async (_, event) => {
    expect(await accessClaims(event)).toBeUndefined();
    expect((await callerOf(event)).success).toBe(false);
  });

  it('cannot be talked into a role by an attribute the user could set (only groups decide)', async () => {
    const event = person([], { 'custom:role': 'admin', 'custom:bankId': 'HARBOR' });
    expect(await accessClaims(event)).toBeUndefined();
  });
});

describe("pre-token-generation: a bank's system (client credentials, V3_0)", () => {
  it('role bank and the bankId of its one bank scope, into the access token only', async () => {
    const event = machine([bankScope('HARBOR')]);
    const out = await handler(structuredClone(event));
    expect(out.response.claimsAndScopeOverrideDetails).toEqual({
      accessTokenGeneration: { claimsToAddOrOverride: { role: 'bank', bankId: 'HARBOR' } },
    });
    expect((await callerOf(event, 'bank-client')).data).toEqual({
      sub: 'bank-client',
      role: 'bank',
      bankId: 'HARBOR',
    });
  });

  it.each([
    ['no bank scope', []],
    ['a scope of another resource server', ['other/bank.HARBOR']],
    ['two bank scopes', [bankScope('HARBOR'), bankScope('LOTUS')]],
  ])('%s: no role', async (_, scopes) => {
    expect(await accessClaims(machine(scopes))).toBeUndefined();
  });
});
