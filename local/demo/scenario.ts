import { readFileSync } from 'node:fs';
import type { MoneyJson } from '../../functions/domain/money.ts';
import type { AccountScript } from '../simulated-banks.ts';

/** The demo fixture (local/demo/layered-scam.json): banks with scripted answers, the order, expected totals. */
export interface DemoScenario {
  title: string;
  agencyId: string;
  case: { reference: string; reportedLoss: MoneyJson; reportedAt: string; summary?: string };
  legalBasis: { kind: string; reference: string; issuedBy: string; issuedAt: string };
  holdHours: number;
  banks: { bankId: string; name: string; slaSeconds: number; accounts: Record<string, AccountScript> }[];
  targets: {
    bankId: string;
    accountNumber: string;
    accountName?: string;
    amount: MoneyJson;
    transferredAt?: string;
  }[];
  /** A court orders part of the frozen funds back to the victim at the end. */
  release: {
    accountNumber: string;
    amount: MoneyJson;
    disposition: 'RETURN_TO_VICTIM' | 'RELEASE_TO_HOLDER';
    authority: { kind: string; reference: string; issuedBy: string; issuedAt: string };
  };
  expected: {
    frozen: MoneyJson[];
    instructionCount: number;
    maxHop: number;
    instructions: Record<string, number>;
    edges: { from: string; to: string; followed: boolean; amount?: string; reasonNotFollowed?: string }[];
    escalated: string[];
    afterRelease: { frozen: MoneyJson[]; restored: MoneyJson[] };
  };
}

export const DEFAULT_SCENARIO = new URL('./layered-scam.json', import.meta.url);

export function loadScenario(path: URL | string = DEFAULT_SCENARIO): DemoScenario {
  return JSON.parse(readFileSync(path, 'utf8')) as DemoScenario;
}
