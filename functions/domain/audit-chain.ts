import { createHash } from 'node:crypto';

/** One link of a case's (or the system's) tamper-evident chain (docs/api.md "Audit"). */
export interface AuditEvent {
  seq: number;
  at: string;
  actor: string;
  action: string;
  subject: string;
  prevHash: string;
  hash: string;
}

export type UnsealedAuditEvent = Omit<AuditEvent, 'hash'>;

export const GENESIS_HASH = '0'.repeat(64);

/** Canonical JSON: object keys sorted at every depth, no whitespace. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export function sealAuditEvent(event: UnsealedAuditEvent): AuditEvent {
  return { ...event, hash: sha256Hex(canonicalJson(event)) };
}

/** The next link after `head` (seq 0 / genesis hash for an empty chain). */
export function nextAuditEvent(
  head: { seq: number; hash: string },
  change: { at: string; actor: string; action: string; subject: string },
): AuditEvent {
  return sealAuditEvent({ seq: head.seq + 1, prevHash: head.hash, ...change });
}

/** Links `entries`, in the order given, after `head`: the events a sequencer appends. */
export function chainAfter(
  head: { seq: number; hash: string },
  entries: readonly { at: string; actor: string; action: string; subject: string }[],
): AuditEvent[] {
  const events: AuditEvent[] = [];
  let link = head;
  for (const { at, actor, action, subject } of entries) {
    const event = nextAuditEvent(link, { at, actor, action, subject });
    events.push(event);
    link = event;
  }
  return events;
}

export interface ChainVerification {
  verified: boolean;
  head: string;
  firstBadSeq?: number;
}

/** Walks the chain from seq 1: each hash must match its content and link to the one before. */
export function verifyAuditChain(events: readonly AuditEvent[]): ChainVerification {
  let prev = GENESIS_HASH;
  let expectedSeq = 1;
  for (const event of events) {
    const { hash, ...rest } = event;
    if (event.seq !== expectedSeq || event.prevHash !== prev || sha256Hex(canonicalJson(rest)) !== hash) {
      return { verified: false, head: events.at(-1)?.hash ?? GENESIS_HASH, firstBadSeq: expectedSeq };
    }
    prev = hash;
    expectedSeq += 1;
  }
  return { verified: true, head: prev };
}

/**
 * Verifies `events` (seq 1..n, as read) against the head stored with the chain: every link must
 * hold, and the head must name the last event (seq and hash), so an event cut off the end is caught.
 * The events must be those read AFTER the head (see adapters/dynamo/cases.ts readCaseAudit): then a
 * head can never be ahead of the events for an untampered chain.
 */
export function verifyAuditChainAgainstHead(
  events: readonly AuditEvent[],
  head: { seq: number; hash: string },
): ChainVerification {
  const check = verifyAuditChain(events);
  if (!check.verified) return check;
  if (head.hash !== check.head || head.seq !== events.length) {
    return { verified: false, head: check.head, firstBadSeq: Math.min(events.length, head.seq) + 1 };
  }
  return check;
}
