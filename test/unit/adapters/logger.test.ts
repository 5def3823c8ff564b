import { describe, expect, it } from 'vitest';
import { maskAccount, maskAccounts, maskAttributes } from '../../../functions/adapters/logger.ts';

const ACCOUNT = '6222020200112233';
const OTHER = '6228480011223344';

describe('maskAccount', () => {
  it('keeps the last four characters at most', () => {
    expect(maskAccount(ACCOUNT)).toBe('********2233');
    expect(maskAccount('AB12-CD34')).toBe('*****CD34');
    expect(maskAccount('1234')).toBe('****');
    expect(maskAccount('')).toBe('****');
  });
});

describe('maskAccounts (free text)', () => {
  it('masks every run of six or more digits', () => {
    const text = `push to ${ACCOUNT} failed, then ${OTHER}; ref 12345 kept`;
    const masked = maskAccounts(text);
    expect(masked).not.toContain(ACCOUNT);
    expect(masked).not.toContain(OTHER);
    expect(masked).toContain('********2233');
    expect(masked).toContain('ref 12345 kept');
  });

  it('masks digit runs inside alphanumeric account numbers (IBAN-like)', () => {
    const iban = 'GB29NWBK60161331926819';
    expect(maskAccounts(`to ${iban}`)).not.toContain(iban);
  });
});

describe('maskAttributes', () => {
  it('masks account-named keys whatever their content, and digit runs everywhere else, at any depth', () => {
    const attributes = {
      accountNumber: 'ACC-7788-XY12',
      toAccount: OTHER,
      Account: 'abcdef99',
      instruction: {
        accountNumber: ACCOUNT,
        onwardTransfers: [{ toBankId: 'B002', toAccount: OTHER, amount: { currency: 'CNY', minor: '800' } }],
      },
      note: `customer ${ACCOUNT} called`,
      list: [`${OTHER}`, 'plain'],
      hop: 2,
      ok: true,
      nothing: null,
    };
    const masked = maskAttributes(attributes) as Record<string, unknown>;
    const text = JSON.stringify(masked);
    for (const secret of [ACCOUNT, OTHER, 'ACC-7788-XY12', 'abcdef99']) expect(text).not.toContain(secret);
    expect(masked).toMatchObject({
      accountNumber: '********XY12',
      toAccount: '********3344',
      Account: '****ef99',
      instruction: {
        accountNumber: '********2233',
        onwardTransfers: [
          { toBankId: 'B002', toAccount: '********3344', amount: { currency: 'CNY', minor: '800' } },
        ],
      },
      note: 'customer ********2233 called',
      list: ['********3344', 'plain'],
      hop: 2,
      ok: true,
      nothing: null,
    });
  });

  it('does not mutate its input', () => {
    const input = { accountNumber: ACCOUNT };
    maskAttributes(input);
    expect(input.accountNumber).toBe(ACCOUNT);
  });
});
