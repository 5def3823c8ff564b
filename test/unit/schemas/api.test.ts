import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BankInboxQuery,
  DEFAULT_HOLD_HOURS,
  ExtendHoldBody,
  FreezeConfirmationBody,
  MAX_HOLD_HOURS,
  MAX_ONWARD_TRANSFERS,
  MAX_TARGETS_PER_ORDER,
  OpenCaseBody,
  PeriodQuery,
  RegisterBankBody,
  ReleaseBody,
  ReleaseConfirmationBody,
  registerBankBody,
  SubmitFreezeOrderBody,
} from '../../../functions/schemas/api.ts';
import { errorPaths, fieldErrors, parseOk } from './field-errors.ts';

const legalBasis = {
  kind: 'Stop-payment notice (Art. 144)',
  reference: 'PSB-0001-2026-123',
  issuedBy: 'Officer Li',
  issuedAt: '2026-11-20T09:00:00Z',
};
const cny = (minor: string) => ({ currency: 'CNY', minor });
const target = (i: number, bankId = 'B001') => ({
  bankId,
  accountNumber: `6222-${i}`,
  amount: cny('1000000'),
});
const order = (fields: Record<string, unknown> = {}) => ({ legalBasis, targets: [target(0)], ...fields });

describe('SubmitFreezeOrderBody', () => {
  it('accepts a minimal order and one with every optional field', () => {
    expect(parseOk(SubmitFreezeOrderBody, order())).toEqual(order());
    const full = order({
      holdHours: 72,
      targets: [
        {
          ...target(0),
          accountName: 'Zhang San',
          transferredAt: '2026-11-20T08:59:00Z',
          reference: 'TX-1',
        },
      ],
    });
    expect(parseOk(SubmitFreezeOrderBody, full)).toEqual(full);
  });

  it('takes 1 to 500 targets', () => {
    expect(MAX_TARGETS_PER_ORDER).toBe(500);
    const five00 = Array.from({ length: 500 }, (_, i) => target(i));
    expect(parseOk(SubmitFreezeOrderBody, order({ targets: five00 })).targets).toHaveLength(500);
    expect(errorPaths(SubmitFreezeOrderBody, order({ targets: [...five00, target(500)] }))).toEqual([
      'targets',
    ]);
    expect(errorPaths(SubmitFreezeOrderBody, order({ targets: [] }))).toEqual(['targets']);
    expect(errorPaths(SubmitFreezeOrderBody, { legalBasis })).toEqual(['targets']);
    expect(errorPaths(SubmitFreezeOrderBody, order({ targets: target(0) }))).toEqual(['targets']);
  });

  it('refuses the same account twice in one order at targets.N.accountNumber of the repeat', () => {
    const errors = fieldErrors(SubmitFreezeOrderBody, order({ targets: [target(0), target(1), target(0)] }));
    expect(errors).toEqual([
      { path: 'targets.2.accountNumber', message: expect.stringContaining('targets.0') },
    ]);
    expect(
      errorPaths(
        SubmitFreezeOrderBody,
        order({ targets: [target(7), target(7), target(7), target(1), target(1)] }),
      ),
    ).toEqual(['targets.1.accountNumber', 'targets.2.accountNumber', 'targets.4.accountNumber']);
  });

  it('the same account number at two banks is two accounts', () => {
    expect(
      errorPaths(SubmitFreezeOrderBody, order({ targets: [target(0, 'B001'), target(0, 'B002')] })),
    ).toEqual([]);
  });

  it('names a duplicate together with other bad fields of the same target', () => {
    const bad = { ...target(0), amount: cny('-1') };
    expect(errorPaths(SubmitFreezeOrderBody, order({ targets: [target(0), bad] }))).toEqual([
      'targets.1.accountNumber',
      'targets.1.amount.minor',
    ]);
  });

  // Regression: zod skips a superRefine once a field failed unless it runs `when` the input is an object.
  // docs/api.md Conventions: "422 validation (every bad field named; …)".
  it('names a duplicate account even when another field is missing', () => {
    const { legalBasis: _omitted, ...withoutBasis } = order({ targets: [target(0), target(0)] });
    expect(errorPaths(SubmitFreezeOrderBody, withoutBasis)).toEqual([
      'legalBasis',
      'targets.1.accountNumber',
    ]);
  });

  describe('holdHours (0.0001 ≤ h ≤ 4320, fractions allowed, default 48)', () => {
    it.each([4320, 48, 0.001, 1 / 3600, 4319.999])('accepts %d', (holdHours) => {
      expect(parseOk(SubmitFreezeOrderBody, order({ holdHours })).holdHours).toBe(holdHours);
    });
    it.each([0, -0, -1, 4320.5, 4321, 1e9])('refuses %d at holdHours', (holdHours) => {
      expect(errorPaths(SubmitFreezeOrderBody, order({ holdHours }))).toEqual(['holdHours']);
    });
    it.each(['48', null, true, [48]])('refuses non-number %j at holdHours', (holdHours) => {
      expect(errorPaths(SubmitFreezeOrderBody, order({ holdHours }))).toEqual(['holdHours']);
    });
    it('is optional (the default of 48 is applied by the handler)', () => {
      expect(MAX_HOLD_HOURS).toBe(4320);
      expect(DEFAULT_HOLD_HOURS).toBe(48);
      expect(parseOk(SubmitFreezeOrderBody, order()).holdHours).toBeUndefined();
    });
    it('property: any finite number h is accepted iff 0.0001 ≤ h ≤ 4320', () => {
      fc.assert(
        fc.property(
          fc.oneof(
            fc.double({ noNaN: true, noDefaultInfinity: true }),
            fc.double({ min: -10, max: 5000, noNaN: true }),
          ),
          (holdHours) => {
            const ok = errorPaths(SubmitFreezeOrderBody, order({ holdHours })).length === 0;
            expect(ok).toBe(holdHours >= 0.0001 && holdHours <= 4320);
          },
        ),
      );
    });
  });

  it('reports dotted paths with array indices, exactly as the API answers', () => {
    const body = order({
      targets: [
        target(0),
        { ...target(1), amount: { currency: 'XXX', minor: '5' } },
        { ...target(2), bankId: 'B/001', transferredAt: '2026-11-20 10:00' },
        { ...target(3), amount: cny('-1') },
      ],
      legalBasis: { ...legalBasis, issuedAt: '2026-11-20T09:00:00+08:00' },
    });
    expect(errorPaths(SubmitFreezeOrderBody, body)).toEqual([
      'legalBasis.issuedAt',
      'targets.1.amount.currency',
      'targets.2.bankId',
      'targets.2.transferredAt',
      'targets.3.amount.minor',
    ]);
  });

  it('reports unknown fields at path.to.unknownField', () => {
    const body = {
      ...order({
        targets: [target(0), { ...target(1), colour: 'red', amount: { ...cny('5'), exponent: 2 } }],
        legalBasis: { ...legalBasis, court: 'X' },
      }),
      priority: 'high',
    };
    expect(fieldErrors(SubmitFreezeOrderBody, body)).toEqual(
      expect.arrayContaining([
        { path: 'priority', message: 'unknown field' },
        { path: 'legalBasis.court', message: 'unknown field' },
        { path: 'targets.1.colour', message: 'unknown field' },
        { path: 'targets.1.amount.exponent', message: 'unknown field' },
      ]),
    );
    expect(errorPaths(SubmitFreezeOrderBody, body)).toEqual([
      'legalBasis.court',
      'priority',
      'targets.1.amount.exponent',
      'targets.1.colour',
    ]);
  });

  it('refuses a target amount of 0, a float or a number', () => {
    for (const amount of [cny('0'), { currency: 'CNY', minor: 1.5 }, { currency: 'CNY', minor: 100 }]) {
      expect(errorPaths(SubmitFreezeOrderBody, order({ targets: [{ ...target(0), amount }] }))).toEqual([
        'targets.0.amount.minor',
      ]);
    }
  });

  // Regression: a fractional digit string once threw instead of answering 422 (see common.test.ts).
  it('a target amount of "1.5" is a 422 at targets.0.amount.minor', () => {
    expect(
      errorPaths(SubmitFreezeOrderBody, order({ targets: [{ ...target(0), amount: cny('1.5') }] })),
    ).toEqual(['targets.0.amount.minor']);
  });

  it('property: only repeats of an earlier bank/account are refused, each at its own index', () => {
    const arb = fc.array(fc.tuple(fc.constantFrom('B001', 'B002'), fc.integer({ min: 0, max: 8 })), {
      minLength: 1,
      maxLength: 40,
    });
    fc.assert(
      fc.property(arb, (pairs) => {
        const targets = pairs.map(([bank, n]) => target(n, bank));
        const seen = new Set<string>();
        const expected: string[] = [];
        pairs.forEach(([bank, n], i) => {
          const key = `${bank}/${n}`;
          if (seen.has(key)) expected.push(`targets.${i}.accountNumber`);
          seen.add(key);
        });
        expect(errorPaths(SubmitFreezeOrderBody, order({ targets }))).toEqual(expected.sort());
      }),
    );
  });
});

describe('FreezeConfirmationBody (unknown fields → 422)', () => {
  const sample = {
    confirmationId: 'bank-unique-id',
    result: 'ACTIONED',
    frozen: cny('12000000'),
    onwardTransfers: [
      {
        toBankId: 'B002',
        toAccount: '6222000011112222',
        amount: cny('8000000'),
        transferredAt: '2026-11-20T10:02:00Z',
        reference: 'TX123',
      },
    ],
    cashWithdrawn: cny('0'),
    reason: 'text',
    reportedAt: '2026-11-20T10:05:00Z',
  };

  it('accepts the docs/api.md example and minimal results', () => {
    expect(parseOk(FreezeConfirmationBody, sample)).toEqual(sample);
    expect(parseOk(FreezeConfirmationBody, { confirmationId: 'c1', result: 'ACCOUNT_NOT_FOUND' })).toEqual({
      confirmationId: 'c1',
      result: 'ACCOUNT_NOT_FOUND',
    });
    expect(
      parseOk(FreezeConfirmationBody, { confirmationId: 'c1', result: 'REJECTED', reason: 'no basis' }),
    ).toBeTruthy();
    expect(
      parseOk(FreezeConfirmationBody, { confirmationId: 'c1', result: 'ACTIONED', frozen: cny('0') }),
    ).toBeTruthy();
  });

  it('refuses unknown fields at any depth, by their own path', () => {
    expect(errorPaths(FreezeConfirmationBody, { ...sample, status: 'FROZEN' })).toEqual(['status']);
    expect(errorPaths(FreezeConfirmationBody, { ...sample, frozen: { ...cny('1'), note: 'x' } })).toEqual([
      'frozen.note',
    ]);
    expect(
      errorPaths(FreezeConfirmationBody, {
        ...sample,
        onwardTransfers: [
          sample.onwardTransfers[0],
          { ...sample.onwardTransfers[0], toAccount: 'b', memo: 'm' },
        ],
      }),
    ).toEqual(['onwardTransfers.1.memo']);
    expect(errorPaths(FreezeConfirmationBody, { ...sample, released: cny('1') })).toEqual(['released']);
  });

  it.each([
    [{ result: 'FROZEN' }, 'result'],
    [{ result: 'actioned' }, 'result'],
    [{ confirmationId: 'has space' }, 'confirmationId'],
    [{ confirmationId: '' }, 'confirmationId'],
    [{ frozen: cny('-1') }, 'frozen.minor'],
    [{ frozen: { currency: 'CNY', minor: 120000.5 } }, 'frozen.minor'],
    [{ frozen: { currency: 'ABC', minor: '1' } }, 'frozen.currency'],
    [{ cashWithdrawn: cny('1.5') }, 'cashWithdrawn.minor'],
    [{ reportedAt: '2026-11-20T18:05:00+08:00' }, 'reportedAt'],
    [{ reason: 'x'.repeat(2001) }, 'reason'],
  ])('refuses %j at %s', (patch, path) => {
    expect(errorPaths(FreezeConfirmationBody, { ...sample, ...patch })).toEqual([path]);
  });

  it('requires confirmationId and result', () => {
    expect(errorPaths(FreezeConfirmationBody, {})).toEqual(['confirmationId', 'result']);
  });

  it('onward transfers: at most 25, each a positive amount to a valid id', () => {
    expect(MAX_ONWARD_TRANSFERS).toBe(25);
    const t = (i: number) => ({ toBankId: 'B002', toAccount: `a${i}`, amount: cny('1') });
    const many = Array.from({ length: 25 }, (_, i) => t(i));
    expect(errorPaths(FreezeConfirmationBody, { ...sample, onwardTransfers: many })).toEqual([]);
    expect(errorPaths(FreezeConfirmationBody, { ...sample, onwardTransfers: [...many, t(25)] })).toEqual([
      'onwardTransfers',
    ]);
    expect(
      errorPaths(FreezeConfirmationBody, {
        ...sample,
        onwardTransfers: [t(0), { ...t(1), amount: cny('0') }, { ...t(2), toAccount: 'a b' }],
      }),
    ).toEqual(['onwardTransfers.1.amount.minor', 'onwardTransfers.2.toAccount']);
  });
});

describe('ReleaseConfirmationBody', () => {
  const release = { confirmationId: 'r1', result: 'ACTIONED', released: cny('500') };
  it('accepts {confirmationId, result: ACTIONED, released, reportedAt?, reason?}', () => {
    expect(parseOk(ReleaseConfirmationBody, release)).toEqual(release);
    expect(
      parseOk(ReleaseConfirmationBody, { ...release, reportedAt: '2026-11-21T00:00:00Z', reason: 'done' }),
    ).toBeTruthy();
  });
  it('refuses another result, a missing amount and unknown fields', () => {
    expect(errorPaths(ReleaseConfirmationBody, { ...release, result: 'REJECTED' })).toEqual(['result']);
    expect(errorPaths(ReleaseConfirmationBody, { confirmationId: 'r1', result: 'ACTIONED' })).toEqual([
      'released',
    ]);
    expect(errorPaths(ReleaseConfirmationBody, { ...release, frozen: cny('1') })).toEqual(['frozen']);
    expect(errorPaths(ReleaseConfirmationBody, { ...release, released: cny('-5') })).toEqual([
      'released.minor',
    ]);
  });
});

describe('RegisterBankBody', () => {
  const pull = { name: 'Bank One', mode: 'pull', slaSeconds: 3600 };
  const push = {
    name: 'Bank Two',
    mode: 'push',
    slaSeconds: 600,
    endpoint: 'https://bank-two.example/freezeflow',
    signingSecret: 's'.repeat(32),
  };

  it('accepts a pull connector and a push connector', () => {
    expect(parseOk(RegisterBankBody, pull)).toEqual(pull);
    expect(parseOk(RegisterBankBody, push)).toEqual(push);
  });

  it('accepts a local http://127.0.0.1 endpoint', () => {
    expect(errorPaths(RegisterBankBody, { ...push, endpoint: 'http://127.0.0.1:4010/hook' })).toEqual([]);
  });

  it('push requires an endpoint and a signing secret', () => {
    const { endpoint: _e, signingSecret: _s, ...bare } = push;
    expect(errorPaths(RegisterBankBody, bare)).toEqual(['endpoint', 'signingSecret']);
    expect(errorPaths(RegisterBankBody, { ...push, endpoint: undefined })).toEqual(['endpoint']);
    expect(errorPaths(RegisterBankBody, { ...push, signingSecret: undefined })).toEqual(['signingSecret']);
  });

  it('an update with a secret on file may leave the secret out, not the endpoint', () => {
    const update = registerBankBody({ secretOnFile: true });
    expect(errorPaths(update, { ...push, signingSecret: undefined })).toEqual([]);
    expect(errorPaths(update, { ...push, endpoint: undefined, signingSecret: undefined })).toEqual([
      'endpoint',
    ]);
    expect(errorPaths(update, { ...push, signingSecret: 's'.repeat(15) })).toEqual(['signingSecret']);
  });

  it('signingSecret is 16–256 characters', () => {
    expect(errorPaths(RegisterBankBody, { ...push, signingSecret: 's'.repeat(15) })).toEqual([
      'signingSecret',
    ]);
    expect(errorPaths(RegisterBankBody, { ...push, signingSecret: 's'.repeat(16) })).toEqual([]);
    expect(errorPaths(RegisterBankBody, { ...push, signingSecret: 's'.repeat(256) })).toEqual([]);
    expect(errorPaths(RegisterBankBody, { ...push, signingSecret: 's'.repeat(257) })).toEqual([
      'signingSecret',
    ]);
    expect(errorPaths(RegisterBankBody, { ...push, signingSecret: 1234567890123456 })).toEqual([
      'signingSecret',
    ]);
  });

  it.each([1, 60, 604_800])('slaSeconds %i is accepted', (slaSeconds) => {
    expect(errorPaths(RegisterBankBody, { ...pull, slaSeconds })).toEqual([]);
  });
  it.each([0, -1, 604_801, 1.5, '60', null])('slaSeconds %j is refused', (slaSeconds) => {
    expect(errorPaths(RegisterBankBody, { ...pull, slaSeconds })).toEqual(['slaSeconds']);
  });

  it.each(['ftp://bank.example/x', 'not a url', 'javascript:alert(1)', 'file:///etc/passwd'])(
    'refuses endpoint %j',
    (endpoint) => {
      expect(errorPaths(RegisterBankBody, { ...push, endpoint })).toEqual(['endpoint']);
    },
  );

  it('refuses an unknown mode, a blank name and unknown fields', () => {
    expect(errorPaths(RegisterBankBody, { ...pull, mode: 'webhook' })).toEqual(['mode']);
    expect(errorPaths(RegisterBankBody, { ...pull, name: '   ' })).toEqual(['name']);
    expect(errorPaths(RegisterBankBody, { ...push, signingSecrets: ['a'] })).toEqual(['signingSecrets']);
  });

  it('names push requirements together with other continuable errors', () => {
    expect(errorPaths(RegisterBankBody, { name: 'B', mode: 'push', slaSeconds: 0 })).toEqual([
      'endpoint',
      'signingSecret',
      'slaSeconds',
    ]);
  });

  // Regression: the push requirements are named even when another field failed.
  // docs/api.md Conventions: "422 validation (every bad field named; …)".
  it('names endpoint and signingSecret for push even when name is missing', () => {
    expect(errorPaths(RegisterBankBody, { mode: 'push', slaSeconds: 60 })).toEqual([
      'endpoint',
      'name',
      'signingSecret',
    ]);
  });

  it('property: slaSeconds is accepted iff it is an integer in 1–604800', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: -10, max: 700_000 }), fc.double({ noNaN: true, noDefaultInfinity: true })),
        (slaSeconds) => {
          const ok = errorPaths(RegisterBankBody, { ...pull, slaSeconds }).length === 0;
          expect(ok).toBe(Number.isInteger(slaSeconds) && slaSeconds >= 1 && slaSeconds <= 604_800);
        },
      ),
    );
  });
});

describe('OpenCaseBody', () => {
  const body = { reference: 'PSB-2026-1', reportedLoss: cny('12345000'), reportedAt: '2026-11-20T08:00:00Z' };
  it('accepts a case, summary optional', () => {
    expect(parseOk(OpenCaseBody, body)).toEqual(body);
    expect(parseOk(OpenCaseBody, { ...body, summary: 'romance scam' })).toBeTruthy();
  });
  it('refuses a zero or malformed loss, a local time and unknown fields', () => {
    expect(errorPaths(OpenCaseBody, { ...body, reportedLoss: cny('0') })).toEqual(['reportedLoss.minor']);
    expect(errorPaths(OpenCaseBody, { ...body, reportedLoss: { currency: 'CNY', minor: 123.45 } })).toEqual([
      'reportedLoss.minor',
    ]);
    expect(errorPaths(OpenCaseBody, { ...body, reportedLoss: { currency: 'XXX', minor: '1' } })).toEqual([
      'reportedLoss.currency',
    ]);
    expect(errorPaths(OpenCaseBody, { ...body, reportedAt: '2026-11-20 08:00' })).toEqual(['reportedAt']);
    expect(errorPaths(OpenCaseBody, { ...body, agencyId: 'PSB-0001' })).toEqual(['agencyId']);
  });
});

describe('ExtendHoldBody', () => {
  it('needs a legal basis and holdHours in (0, 4320]', () => {
    expect(parseOk(ExtendHoldBody, { legalBasis, holdHours: 24 })).toEqual({ legalBasis, holdHours: 24 });
    expect(errorPaths(ExtendHoldBody, { legalBasis })).toEqual(['holdHours']);
    expect(errorPaths(ExtendHoldBody, { legalBasis, holdHours: 0 })).toEqual(['holdHours']);
    expect(errorPaths(ExtendHoldBody, { legalBasis, holdHours: 4320.5 })).toEqual(['holdHours']);
    expect(errorPaths(ExtendHoldBody, { holdHours: 1 })).toEqual(['legalBasis']);
  });
});

describe('ReleaseBody', () => {
  const body = {
    instructionId: 'CABCDEFGHJK.O123456.1',
    amount: cny('500'),
    disposition: 'RETURN_TO_VICTIM',
    authority: legalBasis,
  };
  it('accepts both dispositions', () => {
    expect(parseOk(ReleaseBody, body)).toEqual(body);
    expect(parseOk(ReleaseBody, { ...body, disposition: 'RELEASE_TO_HOLDER' })).toBeTruthy();
  });
  it('refuses another disposition, a zero amount and unknown fields in the authority', () => {
    expect(errorPaths(ReleaseBody, { ...body, disposition: 'RETURN' })).toEqual(['disposition']);
    expect(errorPaths(ReleaseBody, { ...body, amount: cny('0') })).toEqual(['amount.minor']);
    expect(errorPaths(ReleaseBody, { ...body, authority: { ...legalBasis, seal: 'x' } })).toEqual([
      'authority.seal',
    ]);
    expect(errorPaths(ReleaseBody, { ...body, instructionId: 'a/b' })).toEqual(['instructionId']);
  });
});

describe('BankInboxQuery', () => {
  it('limit defaults to 50, is coerced from the query string and is at most 100', () => {
    expect(parseOk(BankInboxQuery, {})).toEqual({ limit: 50 });
    expect(parseOk(BankInboxQuery, { limit: '100' })).toEqual({ limit: 100 });
    expect(errorPaths(BankInboxQuery, { limit: '101' })).toEqual(['limit']);
    expect(errorPaths(BankInboxQuery, { limit: '0' })).toEqual(['limit']);
    expect(errorPaths(BankInboxQuery, { limit: '2.5' })).toEqual(['limit']);
    expect(errorPaths(BankInboxQuery, { limit: 'ten' })).toEqual(['limit']);
  });
  it('status is one of the instruction statuses', () => {
    expect(parseOk(BankInboxQuery, { status: 'DISPATCHED' })).toEqual({ status: 'DISPATCHED', limit: 50 });
    expect(errorPaths(BankInboxQuery, { status: 'dispatched' })).toEqual(['status']);
  });
});

describe('PeriodQuery', () => {
  it('from/to are optional days, both inclusive, from ≤ to', () => {
    expect(parseOk(PeriodQuery, {})).toEqual({});
    expect(parseOk(PeriodQuery, { from: '2026-11-20', to: '2026-11-20' })).toBeTruthy();
    expect(errorPaths(PeriodQuery, { from: '2026-11-21', to: '2026-11-20' })).toEqual(['from']);
    expect(errorPaths(PeriodQuery, { from: '2026-11-20T00:00:00Z' })).toEqual(['from']);
  });
  it('currency, when given, is a known ISO 4217 code', () => {
    expect(parseOk(PeriodQuery, { currency: 'JPY' })).toEqual({ currency: 'JPY' });
    expect(errorPaths(PeriodQuery, { currency: 'XXX' })).toEqual(['currency']);
  });
});
