import { createFreezeflowClient } from '../../packages/bank-kit/src/client.ts';

/** A small police script against the generated client: open a case, order a freeze, read the totals. */
export async function policeRound(baseUrl: string, token: string) {
  const api = createFreezeflowClient(baseUrl, token);
  const opened = await api.POST('/cases', {
    params: { header: { 'Idempotency-Key': 'typed-client-1' } },
    body: {
      reference: 'R-1',
      reportedLoss: { currency: 'CNY', minor: '100000' },
      reportedAt: '2026-11-20T10:00:00Z',
    },
  });
  if (!opened.data) throw new Error(`open answered ${opened.response.status}`);
  const caseId: string = opened.data.caseId;
  const order = await api.POST('/cases/{caseId}/freeze-orders', {
    params: { path: { caseId }, header: { 'Idempotency-Key': 'typed-client-2' } },
    body: {
      legalBasis: { kind: 'Emergency', reference: 'L-1', issuedBy: 'PSB', issuedAt: '2026-11-20T10:00:00Z' },
      targets: [{ bankId: 'B001', accountNumber: 'A1', amount: { currency: 'CNY', minor: '100000' } }],
    },
  });
  const firstStatus: string | undefined = order.data?.instructions[0]?.status;
  const totals = await api.GET('/cases/{caseId}/totals', { params: { path: { caseId } } });
  const frozen = totals.data?.frozen.map((m) => `${m.currency} ${m.minor}`) ?? [];
  return { caseId, firstStatus, frozen };
}
