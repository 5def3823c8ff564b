import { describe, expect, it } from 'vitest';
import { runDemo } from '../../local/demo/run-demo.ts';
import { loadScenario } from '../../local/demo/scenario.ts';
import { DEV_JWT_SECRET } from '../../local/dev-jwt.ts';
import { useLocalSystem } from '../support/local-system.ts';

const local = useLocalSystem();

describe('the demo scenario end to end (HTTP, simulated banks, workflow, stream)', () => {
  it('freezes the layered scam across banks and ends with the totals computed by hand in the fixture', async () => {
    const scenario = loadScenario();
    const lines: string[] = [];
    const result = await runDemo({
      api: local.api,
      scenario,
      jwtSecret: DEV_JWT_SECRET,
      print: (l) => lines.push(l),
    });
    await result.banks.stop();
    const { expected } = scenario;

    expect(result.totalsBeforeRelease.frozen).toEqual(expected.frozen);
    // The court's release at the end returns part of it to the victim.
    expect(result.totals.frozen).toEqual(expected.afterRelease.frozen);
    expect(result.totals.restored).toEqual(expected.afterRelease.restored);
    expect(result.totals.maxHop).toBe(expected.maxHop);
    expect(result.instructions).toHaveLength(expected.instructionCount);
    const counted = Object.fromEntries(
      Object.entries(result.totalsBeforeRelease.instructions).filter(([, n]) => n > 0),
    );
    expect(counted).toEqual(expected.instructions);

    // Every edge of the fixture, by account numbers, with its amount or reason.
    const accountOf = new Map(result.instructions.map((i) => [i.instructionId, i.accountNumber]));
    const edges = result.edges.map((e) => ({
      from: accountOf.get(e.fromInstructionId),
      to: e.toAccount,
      followed: e.followed,
      ...(e.followed
        ? { amount: result.instructions.find((i) => i.instructionId === e.toInstructionId)?.requested.minor }
        : {}),
      ...(e.reasonNotFollowed ? { reasonNotFollowed: e.reasonNotFollowed } : {}),
    }));
    expect(edges.sort((a, b) => `${a.from}${a.to}`.localeCompare(`${b.from}${b.to}`))).toEqual(
      [...expected.edges].sort((a, b) => `${a.from}${a.to}`.localeCompare(`${b.from}${b.to}`)),
    );
    const escalated = result.instructions.filter((i) => i.escalatedAt).map((i) => i.accountNumber);
    expect(escalated).toEqual(expected.escalated);

    // The progress the user sees.
    const text = lines.join('\n');
    expect(text).toMatch(/→ FREEZE/);
    expect(text).toMatch(/↳ follow-on hop 3/);
    expect(text).toMatch(/! OVERDUE/);
    expect(text).toMatch(/! ESCALATED/);
    expect(text).toMatch(/60\.00 % of the loss/);
    expect(text).toMatch(/✓ returned to the victim: CNY 100,000\.00/);
    expect(text).toMatch(/→ RELEASE +JADE/); // a release is delivered as what it is
    expect(text).toMatch(/not followed: ALREADY_TARGETED/);
    expect(result.wallMs).toBeLessThan(60_000);
  });
});
