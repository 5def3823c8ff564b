import { createFreezeflowClient } from '../../packages/bank-kit/src/client.ts';

/**
 * A small pull bank, type-checked against the client generated from openapi.json
 * (test/unit/schemas/typed-client.test.ts): read the change feed, confirm, read the answer's status.
 */
export async function pullBankRound(baseUrl: string, token: string, bankId: string, since: string) {
  const api = createFreezeflowClient(baseUrl, token);
  const page = await api.GET('/banks/{bankId}/instructions', {
    params: { path: { bankId }, query: { updatedSince: since, limit: 50 } },
  });
  if (!page.data) throw new Error(`inbox answered ${page.response.status}`);
  const statuses: string[] = [];
  for (const item of page.data.items) {
    if (item.kind !== 'FREEZE' || item.status !== 'DISPATCHED') continue;
    const credit: string | undefined = item.reference;
    const r = await api.POST('/banks/{bankId}/instructions/{instructionId}/confirmations', {
      params: { path: { bankId, instructionId: item.instructionId } },
      body: {
        confirmationId: `conf-${item.instructionId}`,
        result: 'ACTIONED',
        frozen: item.amount,
        reason: credit ? `credit ${credit} stopped` : 'held',
      },
    });
    if (r.error) throw new Error(`${r.error.status} ${r.error.rule ?? ''}`);
    statuses.push(r.data.status);
  }
  const next: string | null = page.data.nextCursor;
  return { statuses, next };
}
