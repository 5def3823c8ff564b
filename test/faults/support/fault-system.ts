import { afterAll, beforeAll, expect } from 'vitest';
import { FaultApi, registerPushBank } from './api.ts';
import { FaultBank } from './fault-bank.ts';
import { FAULT_JWT_SECRET, type ServerProcess, startServer } from './server-process.ts';

export interface BankSpec {
  bankId: string;
  slaSeconds: number;
}

export const secretOf = (bankId: string) => `fault-secret-${bankId}-0123456789abcdef`;

/**
 * One fault test file's world: the real server (its own child, own data dir), a FaultBank serving
 * `banks` and each registered as a push bank with that endpoint. Everything is stopped in
 * afterAll, and the file fails if a process of the server's group is left behind.
 */
export function useFaultSystem(name: string, banks: BankSpec[]) {
  const state: { server?: ServerProcess; api?: FaultApi; bank?: FaultBank } = {};
  beforeAll(async () => {
    state.bank = await FaultBank.start(banks.map((b) => ({ bankId: b.bankId, secret: secretOf(b.bankId) })));
    state.server = await startServer(name);
    state.api = new FaultApi(state.server.url, FAULT_JWT_SECRET);
    for (const b of banks) {
      await registerPushBank(state.api, {
        bankId: b.bankId,
        endpoint: state.bank.endpoint(b.bankId),
        secret: secretOf(b.bankId),
        slaSeconds: b.slaSeconds,
      });
    }
  });
  afterAll(async () => {
    await state.bank?.stop();
    if (state.server) {
      await state.server.stop();
      expect(state.server.survivors()).toEqual([]);
    }
  });
  return {
    slaSeconds: Object.fromEntries(banks.map((b) => [b.bankId, b.slaSeconds])) as Record<string, number>,
    get server(): ServerProcess {
      if (!state.server) throw new Error('server not started');
      return state.server;
    },
    get api(): FaultApi {
      if (!state.api) throw new Error('server not started');
      return state.api;
    },
    get bank(): FaultBank {
      if (!state.bank) throw new Error('bank not started');
      return state.bank;
    },
  };
}

/** The failure message of a fault test: the findings and where the server's logs are. */
export function verdict(problems: string[], server: ServerProcess): string {
  return problems.length ? `${problems.join('\n')}\nserver log: ${server.logFile}` : '';
}
