import { vi } from 'vitest';
import type { Dependencies } from '../../functions/adapters/dependencies.ts';
import type { Db } from '../../functions/adapters/dynamo/db.ts';
import { keys } from '../../functions/adapters/keys.ts';
import { MemorySecretStore } from '../../functions/adapters/secret-store.ts';
import type { WorkflowClient } from '../../functions/adapters/workflow-client.ts';
import { sequenceAudit } from '../../functions/app/sequence-audit.ts';
import { createOpenCase } from '../../functions/open-case/handler.ts';
import { createRegisterBank } from '../../functions/register-bank/handler.ts';
import { createSubmitFreezeOrder } from '../../functions/submit-freeze-order/handler.ts';
import { admin, apiEvent, call, police } from './http-events.ts';

export type StubWorkflow = { [K in keyof WorkflowClient]: ReturnType<typeof vi.fn> & WorkflowClient[K] };

export function stubWorkflow(): StubWorkflow {
  return {
    startExecution: vi.fn(async () => undefined),
    sendTaskSuccess: vi.fn(async () => undefined),
    sendTaskFailure: vi.fn(async () => undefined),
  } as StubWorkflow;
}

export function testDependencies(
  db: Db,
  overrides: Partial<Dependencies> = {},
): Dependencies & { workflow: StubWorkflow } {
  return {
    db,
    workflow: stubWorkflow(),
    connector: { push: vi.fn(async () => undefined) },
    secrets: new MemorySecretStore(),
    now: () => new Date(),
    allowLoopbackHttp: true,
    hopLimit: 6,
    apiBaseUrl: 'http://127.0.0.1:9',
    events: { publish: vi.fn(async () => undefined) },
    ...overrides,
  } as Dependencies & { workflow: StubWorkflow };
}

export const legalBasis = {
  kind: 'Emergency stop-payment',
  reference: 'SP-1',
  issuedBy: 'PSB-1 Anti-Fraud Centre',
  issuedAt: '2026-11-20T09:55:00Z',
};

export const cny = (minor: bigint | number | string) => ({ currency: 'CNY', minor: String(minor) });

export async function registerPullBank(deps: Dependencies, bankId: string, slaSeconds = 60): Promise<void> {
  const answer = await call(
    createRegisterBank(deps),
    apiEvent('registerBank', {
      claims: admin(),
      path: { bankId },
      body: { name: bankId, mode: 'pull', slaSeconds },
    }),
  );
  if (answer.status >= 300) throw new Error(`register ${bankId}: ${JSON.stringify(answer.body)}`);
}

/**
 * Chains the audit entries a case's changes committed (what the stream's sequencer does in the
 * running system, functions/app/sequence-audit.ts): tests that drive handlers directly call it
 * before they read the chain.
 */
export async function chainAudit(deps: Dependencies, caseId: string): Promise<number> {
  return sequenceAudit(deps, keys.casePartition(caseId));
}

export async function openTestCase(
  deps: Dependencies,
  agencyId = 'PSB-1',
  loss = 100_000_000n,
): Promise<string> {
  const answer = await call<{ caseId: string }>(
    createOpenCase(deps),
    apiEvent('openCase', {
      claims: police(agencyId),
      headers: { 'idempotency-key': `open-${Math.random()}` },
      body: { reference: 'R-1', reportedLoss: cny(loss), reportedAt: '2026-11-20T09:40:00Z' },
    }),
  );
  if (answer.status !== 201) throw new Error(`open case: ${JSON.stringify(answer.body)}`);
  return answer.body.caseId;
}

export interface SubmittedOrder {
  orderId: string;
  instructions: {
    instructionId: string;
    bankId: string;
    accountNumber: string;
    amount: { currency: string; minor: string };
  }[];
}

export async function submitOrder(
  deps: Dependencies,
  caseId: string,
  targets: { bankId: string; accountNumber: string; minor: bigint | number }[],
  options: { agencyId?: string; key?: string; holdHours?: number } = {},
) {
  return call<SubmittedOrder>(
    createSubmitFreezeOrder(deps),
    apiEvent('submitFreezeOrder', {
      claims: police(options.agencyId ?? 'PSB-1'),
      path: { caseId },
      headers: { 'idempotency-key': options.key ?? `order-${Math.random()}` },
      body: {
        legalBasis,
        targets: targets.map((t) => ({
          bankId: t.bankId,
          accountNumber: t.accountNumber,
          amount: cny(t.minor),
        })),
        ...(options.holdHours ? { holdHours: options.holdHours } : {}),
      },
    }),
  );
}
