import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AuditEvent,
  canonicalJson,
  GENESIS_HASH,
  nextAuditEvent,
  sealAuditEvent,
  sha256Hex,
  verifyAuditChain,
} from '../../../functions/domain/audit-chain.ts';

type Change = Parameters<typeof nextAuditEvent>[1];

function buildChain(changes: readonly Change[]): AuditEvent[] {
  const events: AuditEvent[] = [];
  let head = { seq: 0, hash: GENESIS_HASH };
  for (const change of changes) {
    const event = nextAuditEvent(head, change);
    events.push(event);
    head = event;
  }
  return events;
}

const change: fc.Arbitrary<Change> = fc.record({
  at: fc
    .date({
      min: new Date('2020-01-01T00:00:00Z'),
      max: new Date('2030-01-01T00:00:00Z'),
      noInvalidDate: true,
    })
    .map((d) => d.toISOString()),
  actor: fc.oneof(fc.constantFrom('police:PSB-0001:alice', 'bank:B001:ops', 'system'), fc.string()),
  action: fc.oneof(
    fc.constantFrom('CASE_OPENED', 'ORDER_SUBMITTED', 'DISPATCHED', 'CONFIRMED', 'EXPIRED'),
    fc.string(),
  ),
  subject: fc.string({ unit: 'binary', maxLength: 40 }),
});
const chain = fc.array(change, { minLength: 1, maxLength: 20 }).map(buildChain);
const hex64 = fc.stringMatching(/^[0-9a-f]{64}$/);

const sampleChanges: Change[] = [
  {
    at: '2026-11-20T10:00:00.000Z',
    actor: 'police:PSB-0001:alice',
    action: 'CASE_OPENED',
    subject: 'CABCDEFGHJK',
  },
  {
    at: '2026-11-20T10:01:00.000Z',
    actor: 'police:PSB-0001:alice',
    action: 'ORDER_SUBMITTED',
    subject: 'CABCDEFGHJK.O123456',
  },
  {
    at: '2026-11-20T10:02:00.000Z',
    actor: 'bank:B001:ops',
    action: 'CONFIRMED',
    subject: 'CABCDEFGHJK.O123456.1',
  },
];

describe('building a chain', () => {
  it('starts at seq 1 with 64 zeros as prevHash and links each event to the one before', () => {
    const events = buildChain(sampleChanges);
    expect(GENESIS_HASH).toBe('0'.repeat(64));
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(events[0]?.prevHash).toBe('0'.repeat(64));
    expect(events[1]?.prevHash).toBe(events[0]?.hash);
    expect(events[2]?.prevHash).toBe(events[1]?.hash);
    for (const e of events) expect(e.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('hash = lowercase hex SHA-256 of the canonical JSON of the event without hash (independent check)', () => {
    const [first] = buildChain(sampleChanges);
    const text =
      '{"action":"CASE_OPENED","actor":"police:PSB-0001:alice","at":"2026-11-20T10:00:00.000Z",' +
      `"prevHash":"${'0'.repeat(64)}","seq":1,"subject":"CABCDEFGHJK"}`;
    expect(first?.hash).toBe(createHash('sha256').update(text, 'utf8').digest('hex'));
  });

  it('sealAuditEvent does not depend on the key order it is given', () => {
    const a = sealAuditEvent({
      seq: 1,
      at: 't',
      actor: 'a',
      action: 'x',
      subject: 's',
      prevHash: GENESIS_HASH,
    });
    const b = sealAuditEvent({
      subject: 's',
      prevHash: GENESIS_HASH,
      action: 'x',
      actor: 'a',
      at: 't',
      seq: 1,
    });
    expect(a.hash).toBe(b.hash);
  });

  it('sha256Hex hashes UTF-8', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('冻结')).toBe(createHash('sha256').update(Buffer.from('冻结', 'utf8')).digest('hex'));
  });
});

describe('verifyAuditChain', () => {
  it('an empty chain verifies with the genesis head', () => {
    expect(verifyAuditChain([])).toEqual({ verified: true, head: GENESIS_HASH });
  });

  it('a chain built with nextAuditEvent verifies, head = last hash', () => {
    const events = buildChain(sampleChanges);
    expect(verifyAuditChain(events)).toEqual({ verified: true, head: events[2]?.hash });
  });

  it('a chain that does not start at seq 1 fails at 1', () => {
    const events = buildChain(sampleChanges).slice(1);
    expect(verifyAuditChain(events)).toMatchObject({ verified: false, firstBadSeq: 1 });
  });

  it('an event whose subject is changed fails at its seq', () => {
    const events = buildChain(sampleChanges);
    events[1] = { ...(events[1] as AuditEvent), subject: 'CZZZZZZZZZZ' };
    expect(verifyAuditChain(events)).toMatchObject({ verified: false, firstBadSeq: 2 });
  });

  it('an extra field slipped into an event breaks its hash', () => {
    const events = buildChain(sampleChanges);
    events[2] = { ...(events[2] as AuditEvent), note: 'x' } as AuditEvent;
    expect(verifyAuditChain(events)).toMatchObject({ verified: false, firstBadSeq: 3 });
  });

  it('deleting the middle event fails at the seq of the gap', () => {
    const events = buildChain(sampleChanges);
    events.splice(1, 1);
    expect(verifyAuditChain(events)).toMatchObject({ verified: false, firstBadSeq: 2 });
  });

  it('re-sealing a changed event still fails at the next link (the chain, not the event, is the evidence)', () => {
    const events = buildChain(sampleChanges);
    const { hash: _old, ...unsealed } = events[1] as AuditEvent;
    const forged = sealAuditEvent({ ...unsealed, subject: 'forged' });
    expect(verifyAuditChain([events[0] as AuditEvent, forged])).toMatchObject({ verified: true });
    events[1] = forged;
    expect(verifyAuditChain(events)).toMatchObject({ verified: false, firstBadSeq: 3 });
  });

  it('truncating the tail still verifies: only comparing `head` with a stored head shows it', () => {
    const events = buildChain(sampleChanges);
    const full = verifyAuditChain(events);
    const truncated = verifyAuditChain(events.slice(0, 2));
    expect(truncated.verified).toBe(true);
    expect(truncated.head).not.toBe(full.head);
  });

  it('property: any chain built with nextAuditEvent verifies', () => {
    fc.assert(
      fc.property(chain, (events) => {
        expect(verifyAuditChain(events)).toEqual({ verified: true, head: events.at(-1)?.hash });
      }),
    );
  });

  const fields = ['seq', 'at', 'actor', 'action', 'subject', 'prevHash', 'hash'] as const;
  it('property: changing any field of any event fails at that event’s seq', () => {
    const arb = chain.chain((events) =>
      fc.record({
        events: fc.constant(events),
        index: fc.nat({ max: events.length - 1 }),
        field: fc.constantFrom(...fields),
        text: fc.string({ unit: 'binary', maxLength: 20 }),
        hex: hex64,
        seq: fc.integer({ min: -5, max: 1000 }),
      }),
    );
    fc.assert(
      fc.property(arb, ({ events, index, field, text, hex, seq }) => {
        const original = events[index] as AuditEvent;
        const value = field === 'seq' ? seq : field === 'hash' || field === 'prevHash' ? hex : text;
        fc.pre(original[field] !== value);
        const tampered = events.map((e, i) => (i === index ? { ...e, [field]: value } : e));
        expect(verifyAuditChain(tampered)).toMatchObject({ verified: false, firstBadSeq: index + 1 });
      }),
      { numRuns: 500 },
    );
  });

  it('property: deleting any event but the last fails at the seq where it was', () => {
    const arb = fc
      .array(change, { minLength: 2, maxLength: 20 })
      .map(buildChain)
      .chain((events) =>
        fc.record({ events: fc.constant(events), index: fc.nat({ max: events.length - 2 }) }),
      );
    fc.assert(
      fc.property(arb, ({ events, index }) => {
        const without = events.filter((_, i) => i !== index);
        expect(verifyAuditChain(without)).toMatchObject({ verified: false, firstBadSeq: index + 1 });
      }),
    );
  });

  it('property: swapping two events fails at the first position touched', () => {
    const arb = fc
      .array(change, { minLength: 2, maxLength: 20 })
      .map(buildChain)
      .chain((events) =>
        fc.uniqueArray(fc.nat({ max: events.length - 1 }), { minLength: 2, maxLength: 2 }).map(([i, j]) => ({
          events,
          i: Math.min(i as number, j as number),
          j: Math.max(i as number, j as number),
        })),
      );
    fc.assert(
      fc.property(arb, ({ events, i, j }) => {
        const swapped = [...events];
        swapped[i] = events[j] as AuditEvent;
        swapped[j] = events[i] as AuditEvent;
        expect(verifyAuditChain(swapped)).toMatchObject({ verified: false, firstBadSeq: i + 1 });
      }),
    );
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every depth, no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }, 3], c: null } })).toBe(
      '{"a":{"c":null,"d":[{"y":2,"z":1},3]},"b":1}',
    );
  });

  it('sorts integer-like keys as strings (not in JS property order)', () => {
    expect(canonicalJson({ a: 3, 9: 2, 10: 1 })).toBe('{"10":1,"9":2,"a":3}');
    expect(keysSortedInText('{"10":1,"9":2,"a":3}')).toBe(true);
    expect(keysSortedInText('{"9":2,"10":1}')).toBe(false);
    expect(keysSortedInText('{"a":{"b":1,"a":2}}')).toBe(false);
    expect(() => keysSortedInText('{"a": 1}')).toThrow();
  });

  it('sorts by UTF-16 code units (upper case before lower case)', () => {
    expect(canonicalJson({ b: 1, B: 2, é: 3, _: 4 })).toBe('{"B":2,"_":4,"b":1,"é":3}');
  });

  it('leaves out undefined members like JSON.stringify and escapes strings like JSON', () => {
    expect(canonicalJson({ a: undefined, b: 'x"y\n' })).toBe('{"b":"x\\"y\\n"}');
    expect(canonicalJson([1, 'two', true, null])).toBe('[1,"two",true,null]');
    expect(canonicalJson('s')).toBe('"s"');
  });

  /** Rebuilds every object of `value` with its keys in reverse order. */
  function reverseKeys(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(reverseKeys);
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value)
          .reverse()
          .map(([k, v]) => [k, reverseKeys(v)]),
      );
    }
    return value;
  }
  /**
   * Reads JSON text keeping each object's keys in the order written (JSON.parse would reorder
   * integer-like keys), and answers whether every object at every depth lists its keys in
   * UTF-16 code-unit order with no whitespace anywhere.
   */
  function keysSortedInText(text: string): boolean {
    let i = 0;
    let sorted = true;
    const readString = (): string => {
      const start = i;
      i += 1;
      while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      i += 1;
      return JSON.parse(text.slice(start, i)) as string;
    };
    const readValue = (): void => {
      const c = text[i];
      if (c === '{') {
        i += 1;
        let previous: string | undefined;
        while (text[i] !== '}') {
          if (text[i] === ',') i += 1;
          const key = readString();
          if (previous !== undefined && !(previous < key)) sorted = false;
          previous = key;
          if (text[i] !== ':') throw new Error(`expected : at ${i}`);
          i += 1;
          readValue();
        }
        i += 1;
      } else if (c === '[') {
        i += 1;
        while (text[i] !== ']') {
          if (text[i] === ',') i += 1;
          readValue();
        }
        i += 1;
      } else if (c === '"') {
        readString();
      } else {
        const m = /^(?:-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i));
        if (!m) throw new Error(`unexpected ${JSON.stringify(c)} at ${i}`);
        i += m[0].length;
      }
    };
    readValue();
    return sorted && i === text.length;
  }

  it('property: parses back to the same value, ignores key order, sorts keys at every depth', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = canonicalJson(value);
        expect(JSON.parse(text)).toStrictEqual(JSON.parse(JSON.stringify(value)));
        expect(canonicalJson(reverseKeys(value))).toBe(text);
        expect(canonicalJson(JSON.parse(text))).toBe(text);
        expect(keysSortedInText(text)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
