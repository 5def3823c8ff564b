import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  actorOf,
  CallerClaims,
  CLAIM_NAME_ENV,
  claimNamesFromEnvironment,
  DEFAULT_CLAIM_NAMES,
  normalizeClaims,
  roles,
} from '../../../functions/schemas/claims.ts';
import { errorPaths, parseOk } from './field-errors.ts';

/** Registered JWT claims the authorizer passes along with ours: never a reason to refuse. */
const jwt = { iss: 'freezeflow-local', aud: 'freezeflow', exp: 1_900_000_000, iat: 1_800_000_000 };

describe('CallerClaims (docs/api.md Auth)', () => {
  it('roles are police, bank, regulator and admin', () => {
    expect([...roles].sort()).toEqual(['admin', 'bank', 'police', 'regulator']);
  });

  it('police with an agencyId', () => {
    expect(parseOk(CallerClaims, { ...jwt, sub: 'alice', role: 'police', agencyId: 'PSB-0001' })).toEqual({
      sub: 'alice',
      role: 'police',
      agencyId: 'PSB-0001',
    });
  });

  it('police without an agencyId is refused', () => {
    expect(errorPaths(CallerClaims, { ...jwt, sub: 'alice', role: 'police' })).toEqual(['agencyId']);
    expect(errorPaths(CallerClaims, { sub: 'alice', role: 'police', bankId: 'B001' })).toEqual(['agencyId']);
    expect(errorPaths(CallerClaims, { sub: 'alice', role: 'police', agencyId: '' })).toEqual(['agencyId']);
    expect(errorPaths(CallerClaims, { sub: 'alice', role: 'police', agencyId: 'PSB/0001' })).toEqual([
      'agencyId',
    ]);
  });

  it('bank with a bankId', () => {
    expect(parseOk(CallerClaims, { ...jwt, sub: 'ops', role: 'bank', bankId: 'B001' })).toEqual({
      sub: 'ops',
      role: 'bank',
      bankId: 'B001',
    });
  });

  it('bank without a bankId is refused', () => {
    expect(errorPaths(CallerClaims, { sub: 'ops', role: 'bank' })).toEqual(['bankId']);
    expect(errorPaths(CallerClaims, { sub: 'ops', role: 'bank', agencyId: 'PSB-0001' })).toEqual(['bankId']);
    expect(errorPaths(CallerClaims, { sub: 'ops', role: 'bank', bankId: 42 })).toEqual(['bankId']);
  });

  it.each(['regulator', 'admin'])('%s needs only sub and role', (role) => {
    expect(parseOk(CallerClaims, { ...jwt, sub: 'x', role })).toEqual({ sub: 'x', role });
  });

  it.each(['superuser', 'Police', 'POLICE', '', 'bank ', null, undefined, 1])(
    'unknown role %j is refused',
    (role) => {
      expect(CallerClaims.safeParse({ sub: 'x', role, agencyId: 'PSB-0001', bankId: 'B001' }).success).toBe(
        false,
      );
    },
  );

  it('a missing or empty sub is refused', () => {
    expect(errorPaths(CallerClaims, { role: 'regulator' })).toEqual(['sub']);
    expect(errorPaths(CallerClaims, { sub: '', role: 'admin' })).toEqual(['sub']);
  });

  it('property: only the four roles parse', () => {
    fc.assert(
      fc.property(fc.string(), (role) => {
        const ok = CallerClaims.safeParse({ sub: 's', role, agencyId: 'A1', bankId: 'B1' }).success;
        expect(ok).toBe((roles as readonly string[]).includes(role));
      }),
    );
  });
});

describe('actorOf (who did it, for the audit trail)', () => {
  it('names role, scope and subject', () => {
    expect(actorOf({ sub: 'alice', role: 'police', agencyId: 'PSB-0001' })).toBe('police:PSB-0001:alice');
    expect(actorOf({ sub: 'ops', role: 'bank', bankId: 'B001' })).toBe('bank:B001:ops');
    expect(actorOf({ sub: 'r', role: 'regulator' })).toBe('regulator:r');
    expect(actorOf({ sub: 'root', role: 'admin' })).toBe('admin:root');
  });
});

describe('normalizeClaims (claim names of the issuer; Cognito custom: attributes)', () => {
  it('reads the default names role / agencyId / bankId', () => {
    expect(
      CallerClaims.parse(normalizeClaims({ sub: 's', role: 'police', agencyId: 'P1', iss: 'x' })),
    ).toEqual({
      sub: 's',
      role: 'police',
      agencyId: 'P1',
    });
  });

  it('accepts custom:role, custom:agencyId, custom:bankId (a Cognito ID token, a V1 trigger)', () => {
    expect(
      CallerClaims.parse(normalizeClaims({ sub: 's', 'custom:role': 'bank', 'custom:bankId': 'B1' })),
    ).toEqual({
      sub: 's',
      role: 'bank',
      bankId: 'B1',
    });
  });

  it('reads the names an external issuer uses, configured per deployment', () => {
    const names = { role: 'freezeflow_role', agencyId: 'agency', bankId: 'https://freezeflow/bank' };
    const raw = { sub: 's', freezeflow_role: 'bank', 'https://freezeflow/bank': 'B2', role: 'admin' };
    expect(CallerClaims.parse(normalizeClaims(raw, names))).toEqual({ sub: 's', role: 'bank', bankId: 'B2' });
  });

  it('prefers the configured name over custom:', () => {
    expect(normalizeClaims({ sub: 's', role: 'regulator', 'custom:role': 'admin' }).role).toBe('regulator');
  });

  it('takes the names from the environment, with the defaults when unset', () => {
    expect(claimNamesFromEnvironment({})).toEqual(DEFAULT_CLAIM_NAMES);
    expect(
      claimNamesFromEnvironment({
        [CLAIM_NAME_ENV.role]: 'r',
        [CLAIM_NAME_ENV.bankId]: 'b',
      } as NodeJS.ProcessEnv),
    ).toEqual({ role: 'r', agencyId: 'agencyId', bankId: 'b' });
  });
});
