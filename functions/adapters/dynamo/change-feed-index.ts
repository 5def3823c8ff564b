import { sortableInstructionId } from '../../domain/ids.ts';
import { keys } from '../keys.ts';

/**
 * The bank's change feed (docs/api.md, `updatedSince`): index `inboxByUpdate`, partition the bank,
 * sorted by the time of the instruction's last write. Every instruction write sets these, the way
 * due-index.ts keeps the due index, so a pull bank reads what changed with one Query (never a Scan).
 */
export function changeFeedAttributes(
  bankId: string,
  instructionId: string,
  updatedAt: string,
): { updatedAt: string; GSI4PK: string; GSI4SK: string } {
  return {
    updatedAt,
    GSI4PK: keys.inbox(bankId),
    GSI4SK: `${updatedAt}#${sortableInstructionId(instructionId)}`,
  };
}

/**
 * The time of a write as the feed records it: the wall clock, never behind the instruction's last
 * change (so the feed order follows the writes even if a clock steps back).
 */
export function updateTime(previous: string | undefined, now: Date = new Date()): string {
  const at = now.toISOString();
  return previous && previous > at ? previous : at;
}
