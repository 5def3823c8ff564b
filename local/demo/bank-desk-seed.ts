import type { ApiClient } from '../api-client.ts';

/**
 * After the scenario, work for the console's other rooms (issue 15): a bank without an integration
 * (pull mode, ORCHID) with two freeze instructions and one release waiting in its bank desk. The
 * regulator room already has the scenario's confirmations of today. Through the HTTP API only.
 */
export const DESK_BANK = 'ORCHID';

export async function seedBankDesk(
  api: ApiClient,
  agencyId: string,
): Promise<{ caseId: string; lines: string[] }> {
  const police = { role: 'police' as const, agencyId };
  const bank = { role: 'bank' as const, bankId: DESK_BANK };
  const ok = (what: string, res: { status: number; body: unknown }) => {
    if (res.status >= 300) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
  };
  ok(
    `registering ${DESK_BANK}`,
    await api.request('PUT', `/banks/${DESK_BANK}`, {
      as: { role: 'admin' },
      body: { name: 'Orchid Village Bank', mode: 'pull', slaSeconds: 86_400 },
    }),
  );
  const opened = await api.request<{ caseId: string }>('POST', '/cases', {
    as: police,
    idempotencyKey: true,
    body: {
      reference: 'PSB-0001-2026-11-0431',
      reportedLoss: { currency: 'CNY', minor: '8000000' },
      reportedAt: '2026-11-21T07:10:00Z',
      summary: 'Parcel-refund scam; the mule accounts sit at a village bank without an API integration.',
    },
  });
  ok('open case', opened);
  const caseId = opened.body.caseId;
  const account = (n: number) => `62880000000001${String(n).padStart(2, '0')}`;
  const order = await api.request<{ instructions: { instructionId: string; accountNumber: string }[] }>(
    'POST',
    `/cases/${caseId}/freeze-orders`,
    {
      as: police,
      idempotencyKey: true,
      body: {
        legalBasis: {
          kind: 'Emergency stop-payment (telecom fraud)',
          reference: 'PSB-0001-SP-2026-0431',
          issuedBy: 'Municipal PSB Anti-Fraud Centre',
          issuedAt: '2026-11-21T07:30:00Z',
        },
        targets: [
          {
            bankId: DESK_BANK,
            accountNumber: account(1),
            accountName: 'Wang Mule',
            amount: { currency: 'CNY', minor: '5000000' },
            transferredAt: '2026-11-21T07:12:00Z',
            reference: 'VICTIM-TX-0431-1',
          },
          { bankId: DESK_BANK, accountNumber: account(2), amount: { currency: 'CNY', minor: '2000000' } },
          { bankId: DESK_BANK, accountNumber: account(3), amount: { currency: 'CNY', minor: '1000000' } },
        ],
        holdHours: 48,
      },
    },
  );
  ok('freeze order', order);
  const held = order.body.instructions.find((i) => i.accountNumber === account(2))!;
  // The bank froze one account already (by hand, as on the desk); the court returns part of it.
  const end = Date.now() + 15_000;
  for (;;) {
    const res = await api.request(
      'POST',
      `/banks/${DESK_BANK}/instructions/${held.instructionId}/confirmations`,
      {
        as: bank,
        body: {
          confirmationId: `demo-${held.instructionId}`,
          result: 'ACTIONED',
          frozen: { currency: 'CNY', minor: '2000000' },
        },
      },
    );
    if (res.status < 300) break;
    if (Date.now() > end) ok('confirming on the desk', res);
    await new Promise((r) => setTimeout(r, 100));
  }
  ok(
    'release',
    await api.request('POST', `/cases/${caseId}/releases`, {
      as: police,
      idempotencyKey: true,
      body: {
        instructionId: held.instructionId,
        amount: { currency: 'CNY', minor: '500000' },
        disposition: 'RETURN_TO_VICTIM',
        authority: {
          kind: 'Court order',
          reference: 'CRT-2026-1201',
          issuedBy: 'District People’s Court',
          issuedAt: '2026-11-22T02:00:00Z',
        },
      },
    }),
  );
  return {
    caseId,
    lines: [
      `bank desk: ${api.baseUrl}/console/sign-in?next=/bank  (sign in as bank ${DESK_BANK}, pull mode: 2 freezes and 1 release wait for an answer; case ${caseId})`,
      `regulator room: ${api.baseUrl}/console/sign-in?next=/regulator  (sign in as regulator: today's totals, league table, CSV)`,
    ],
  };
}
