import { randomBytes } from 'node:crypto';
import {
  formatMoney,
  fromMoneyJson,
  type MoneyJson,
  shareBasisPoints,
} from '../../functions/domain/money.ts';
import type { ApiClient } from '../api-client.ts';
import {
  type ConfirmationEvent,
  type DeliveryEvent,
  type SimulatedBanks,
  startSimulatedBanks,
} from '../simulated-banks.ts';
import type { DemoScenario } from './scenario.ts';

export interface CaseInstruction {
  instructionId: string;
  bankId: string;
  accountNumber: string;
  hop: number;
  parentInstructionId: string | null;
  status: string;
  requested: MoneyJson;
  frozen: MoneyJson;
  late: boolean;
  escalatedAt: string | null;
  overdueAt: string | null;
}

export interface TrailEdgeView {
  fromInstructionId: string;
  toInstructionId: string | null;
  toBankId: string;
  toAccount: string;
  amount: MoneyJson;
  followed: boolean;
  reasonNotFollowed?: string;
}

export interface DemoResult {
  caseId: string;
  totals: {
    reportedLoss: MoneyJson;
    frozen: MoneyJson[];
    restored?: MoneyJson[];
    instructions: Record<string, number>;
    maxHop: number;
  };
  /** Totals once the money trail settled, before the court's release. */
  totalsBeforeRelease: DemoResult['totals'];
  instructions: CaseInstruction[];
  edges: TrailEdgeView[];
  wallMs: number;
  /** Order accepted -> every layer-1 instruction delivered at its bank. */
  layer1DeliveredMs: number;
}

const mask = (account: string) => `****${account.slice(-4)}`;
const pad = (s: string, n: number) => s.padEnd(n);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs the demo scenario against a running local system, through its HTTP API only: registers the
 * simulated banks, opens the case, submits the order, prints live progress (deliveries,
 * confirmations, follow-ons, overdue, escalation), waits until every instruction has settled, then
 * prints the totals and the money trail. Returns what it saw (the e2e test checks it).
 */
export async function runDemo(options: {
  api: ApiClient;
  scenario: DemoScenario;
  jwtSecret: string;
  print?: (line: string) => void;
  timeoutMs?: number;
}): Promise<DemoResult & { banks: SimulatedBanks }> {
  const { api, scenario } = options;
  const print = options.print ?? ((line: string) => console.log(line));
  const t0 = Date.now();
  const stamp = () => `[${((Date.now() - t0) / 1000).toFixed(1).padStart(5)}s]`;
  const police = { role: 'police' as const, agencyId: scenario.agencyId };
  const regulator = { role: 'regulator' as const };

  const secrets = new Map(scenario.banks.map((b) => [b.bankId, randomBytes(24).toString('hex')]));
  const liveBanks = await startSimulatedBanks({
    jwtSecret: options.jwtSecret,
    banks: scenario.banks.map((b) => ({ ...b, signingSecret: secrets.get(b.bankId)! })),
  });
  for (const b of scenario.banks) {
    const res = await api.request('PUT', `/banks/${b.bankId}`, {
      as: { role: 'admin' },
      body: {
        name: b.name,
        mode: 'push',
        endpoint: liveBanks.endpoint(b.bankId),
        slaSeconds: b.slaSeconds,
        signingSecret: secrets.get(b.bankId),
      },
    });
    if (res.status >= 300)
      throw new Error(`registering ${b.bankId}: ${res.status} ${JSON.stringify(res.body)}`);
  }
  print(`${stamp()} ${scenario.banks.length} simulated banks registered (push connectors, signed webhooks)`);

  const opened = await api.request<{ caseId: string }>('POST', '/cases', {
    as: police,
    body: scenario.case,
    idempotencyKey: true,
  });
  if (opened.status !== 201) throw new Error(`open case: ${opened.status} ${JSON.stringify(opened.body)}`);
  const caseId = opened.body.caseId;
  print(
    `${stamp()} case ${caseId} opened: ${scenario.case.reference}, reported loss ${formatMoney(fromMoneyJson(scenario.case.reportedLoss))}`,
  );

  const accountOf = new Map<string, { bankId: string; account: string; hop: number }>();
  const layer1 = new Set<string>();
  let layer1DeliveredAt = 0;
  liveBanks.on('delivery', (d: DeliveryEvent) => {
    const m = d.message as {
      instructionId: string;
      hop?: number;
      accountNumber?: string;
      amount?: MoneyJson;
    };
    const hop = Number(m.hop ?? 0);
    if (m.accountNumber) accountOf.set(m.instructionId, { bankId: d.bankId, account: m.accountNumber, hop });
    const money = m.amount ? formatMoney(fromMoneyJson(m.amount)) : '';
    // Every push kind of docs/api.md is named as what it is (a release is not a freeze of hop 0).
    const arrow =
      d.kind === 'FREEZE'
        ? hop > 1
          ? `↳ follow-on hop ${hop}`
          : `→ FREEZE    hop ${hop}`
        : d.kind === 'REMINDER'
          ? `⟳ REMINDER  hop ${hop}`
          : `→ ${d.kind.padEnd(8)}      `;
    print(`${stamp()} ${arrow}  ${pad(d.bankId, 7)} ${mask(m.accountNumber ?? '')}  ${money}  delivered`);
    if (hop === 1 && d.kind === 'FREEZE') {
      layer1.delete(m.instructionId);
      if (layer1.size === 0 && !layer1DeliveredAt) layer1DeliveredAt = Date.now();
    }
  });
  liveBanks.on('confirmation', (c: ConfirmationEvent) => {
    const who = accountOf.get(c.instructionId);
    const sent = c.sent as {
      frozen?: MoneyJson;
      onwardTransfers?: unknown[];
      cashWithdrawn?: MoneyJson;
      result: string;
    };
    const status = (c.body as { status?: string } | null)?.status ?? `HTTP ${c.statusCode}`;
    const details = [
      sent.frozen ? `frozen ${formatMoney(fromMoneyJson(sent.frozen))}` : '',
      sent.cashWithdrawn ? `cash withdrawn ${formatMoney(fromMoneyJson(sent.cashWithdrawn))}` : '',
      sent.onwardTransfers?.length ? `moved on: ${sent.onwardTransfers.length} transfer(s)` : '',
    ].filter(Boolean);
    print(
      `${stamp()} ← confirmed  hop ${who?.hop ?? '?'}  ${pad(c.bankId, 7)} ${mask(who?.account ?? '')}  ${status}${details.length ? `  (${details.join(', ')})` : ''}`,
    );
  });

  const orderStarted = Date.now();
  const order = await api.request<{ orderId: string; instructions: { instructionId: string }[] }>(
    'POST',
    `/cases/${caseId}/freeze-orders`,
    {
      as: police,
      body: { legalBasis: scenario.legalBasis, targets: scenario.targets, holdHours: scenario.holdHours },
      idempotencyKey: true,
    },
  );
  if (order.status !== 202) throw new Error(`freeze order: ${order.status} ${JSON.stringify(order.body)}`);
  for (const i of order.body.instructions) layer1.add(i.instructionId);
  print(
    `${stamp()} freeze order ${order.body.orderId} accepted: ${scenario.targets.length} accounts at ${new Set(scenario.targets.map((t) => t.bankId)).size} banks`,
  );

  // Settled: nothing awaits a bank, every OVERDUE one has been escalated, and the trail has no open ends.
  const seen = new Map<string, string>();
  const deadline = Date.now() + (options.timeoutMs ?? 55_000);
  let instructions: CaseInstruction[] = [];
  for (;;) {
    const view = await api.request<{ instructions: CaseInstruction[] }>('GET', `/cases/${caseId}`, {
      as: regulator,
    });
    instructions = view.body.instructions;
    for (const i of instructions) {
      const key = `${i.status}|${i.escalatedAt ? 'E' : ''}`;
      if (seen.get(i.instructionId) === key) continue;
      const before = seen.get(i.instructionId);
      seen.set(i.instructionId, key);
      if (i.status === 'OVERDUE' && !before?.startsWith('OVERDUE')) {
        print(
          `${stamp()} ! OVERDUE    hop ${i.hop}  ${pad(i.bankId, 7)} ${mask(i.accountNumber)}  no answer by the deadline: reminder follows`,
        );
      }
      if (i.escalatedAt && !before?.endsWith('E')) {
        print(
          `${stamp()} ! ESCALATED  hop ${i.hop}  ${pad(i.bankId, 7)} ${mask(i.accountNumber)}  still silent after the reminder`,
        );
      }
    }
    const settled =
      instructions.length > 0 &&
      instructions.every(
        (i) => !['PENDING', 'DISPATCHED'].includes(i.status) && (i.status !== 'OVERDUE' || i.escalatedAt),
      );
    const trail = await api.request<{ edges: TrailEdgeView[] }>('GET', `/cases/${caseId}/trail`, {
      as: regulator,
    });
    const openEnds = instructions
      .filter((i) => i.status === 'FUNDS_MOVED' || i.status === 'PARTIALLY_FROZEN')
      .filter((i) => !trail.body.edges.some((e) => e.fromInstructionId === i.instructionId));
    const fundsMovedWithTransfers = openEnds.length === 0;
    if (settled && fundsMovedWithTransfers) break;
    if (Date.now() > deadline) throw new Error('demo did not settle in time');
    await sleep(150);
  }

  const beforeRelease = await api.request<DemoResult['totals']>('GET', `/cases/${caseId}/totals`, {
    as: police,
  });

  // The court returns part of the frozen funds to the victim: a release delivered to the bank.
  const held = instructions.find((i) => i.accountNumber === scenario.release.accountNumber);
  if (!held) throw new Error('the release names no instruction of the case');
  const release = await api.request<{ releaseId: string }>('POST', `/cases/${caseId}/releases`, {
    as: police,
    idempotencyKey: true,
    body: {
      instructionId: held.instructionId,
      amount: scenario.release.amount,
      disposition: scenario.release.disposition,
      authority: scenario.release.authority,
    },
  });
  if (release.status !== 202) throw new Error(`release: ${release.status} ${JSON.stringify(release.body)}`);
  print(
    `${stamp()} ↩ RELEASE    ${scenario.release.disposition}  ${held.bankId} ${mask(held.accountNumber)}  ${formatMoney(fromMoneyJson(scenario.release.amount))}  (${scenario.release.authority.reference})`,
  );
  for (;;) {
    const view = await api.request<{ releases: { instructionId: string; status: string }[] }>(
      'GET',
      `/cases/${caseId}`,
      {
        as: regulator,
      },
    );
    if (view.body.releases.find((r) => r.instructionId === release.body.releaseId)?.status === 'RELEASED')
      break;
    if (Date.now() > deadline) throw new Error('the release was not confirmed in time');
    await sleep(100);
  }
  print(
    `${stamp()} ✓ returned to the victim: ${formatMoney(fromMoneyJson(scenario.release.amount))} confirmed by ${held.bankId}`,
  );
  instructions = (
    await api.request<{ instructions: CaseInstruction[] }>('GET', `/cases/${caseId}`, { as: regulator })
  ).body.instructions;

  const totals = await api.request<DemoResult['totals']>('GET', `/cases/${caseId}/totals`, { as: police });
  const trail = await api.request<{ edges: TrailEdgeView[] }>('GET', `/cases/${caseId}/trail`, {
    as: police,
  });
  printTotals(print, totals.body, instructions, beforeRelease.body);
  printTrail(print, instructions, trail.body.edges);
  const wallMs = Date.now() - t0;
  return {
    caseId,
    totals: totals.body,
    totalsBeforeRelease: beforeRelease.body,
    instructions,
    edges: trail.body.edges,
    wallMs,
    layer1DeliveredMs: layer1DeliveredAt ? layer1DeliveredAt - orderStarted : Number.NaN,
    banks: liveBanks,
  };
}

function printTotals(
  print: (l: string) => void,
  totals: DemoResult['totals'],
  instructions: CaseInstruction[],
  beforeRelease: DemoResult['totals'],
): void {
  const loss = fromMoneyJson(totals.reportedLoss);
  const inLoss = (list: MoneyJson[] | undefined) =>
    fromMoneyJson(list?.find((m) => m.currency === loss.currency) ?? { currency: loss.currency, minor: '0' });
  const percent = (part: { currency: string; minor: bigint }) => {
    const bp = shareBasisPoints(part, loss);
    return `${bp / 100n}.${(bp % 100n).toString().padStart(2, '0')} %`;
  };
  const intercepted = inLoss(beforeRelease.frozen);
  print('');
  print('Totals');
  print(`  reported loss        ${formatMoney(loss)}`);
  print(`  intercepted          ${formatMoney(intercepted)}   ${percent(intercepted)} of the loss`);
  print(`  frozen (held now)    ${formatMoney(inLoss(totals.frozen))}`);
  print(
    `  restored to victim   ${formatMoney(inLoss(totals.restored))}   ${percent(inLoss(totals.restored))} of the loss`,
  );
  const counts = Object.entries(totals.instructions)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${s} ${n}`)
    .join(' · ');
  print(`  instructions         ${instructions.length} (deepest layer: hop ${totals.maxHop})  ${counts}`);
  print('');
  print(`  ${pad('bank', 8)} ${pad('instructions', 13)} ${pad('frozen', 22)} statuses`);
  const byBank = new Map<string, CaseInstruction[]>();
  for (const i of instructions) byBank.set(i.bankId, [...(byBank.get(i.bankId) ?? []), i]);
  for (const [bankId, list] of [...byBank.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const sum = list.reduce((acc, i) => acc + BigInt(i.frozen.minor), 0n);
    const currency = list[0]?.frozen.currency ?? loss.currency;
    print(
      `  ${pad(bankId, 8)} ${pad(String(list.length), 13)} ${pad(formatMoney({ currency, minor: sum }), 22)} ${list.map((i) => i.status).join(', ')}`,
    );
  }
}

function printTrail(
  print: (l: string) => void,
  instructions: CaseInstruction[],
  edges: TrailEdgeView[],
): void {
  print('');
  print('Money trail');
  const byId = new Map(instructions.map((i) => [i.instructionId, i]));
  const line = (i: CaseInstruction) =>
    `${i.bankId} ${mask(i.accountNumber)}  hop ${i.hop}  ${i.status}${i.late ? ' (late)' : ''}${i.escalatedAt ? ' (escalated)' : ''}  requested ${formatMoney(fromMoneyJson(i.requested))}, frozen ${formatMoney(fromMoneyJson(i.frozen))}`;
  const walk = (i: CaseInstruction, prefix: string) => {
    const out = edges.filter((e) => e.fromInstructionId === i.instructionId);
    out.forEach((e, n) => {
      const last = n === out.length - 1;
      const branch = `${prefix}${last ? '└─ ' : '├─ '}`;
      const child = e.toInstructionId ? byId.get(e.toInstructionId) : undefined;
      if (child) {
        print(`${branch}${line(child)}`);
        walk(child, `${prefix}${last ? '   ' : '│  '}`);
      } else {
        print(
          `${branch}✗ ${e.toBankId} ${mask(e.toAccount)}  ${formatMoney(fromMoneyJson(e.amount))}  not followed: ${e.reasonNotFollowed}`,
        );
      }
    });
  };
  for (const root of instructions.filter((i) => i.hop === 1)) {
    print(`  ${line(root)}`);
    walk(root, '  ');
  }
}
