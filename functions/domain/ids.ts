import { randomBytes } from 'node:crypto';

/**
 * Server-chosen ids. An instruction id starts with its case id (`<caseId>.<...>`), so a
 * confirmation that names only the instruction finds its case partition with one GetItem
 * (docs/design.md §3 access pattern 3) and no GSI read that could lag behind the write.
 */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export function randomToken(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const b of bytes) out += ALPHABET[b % 32];
  return out;
}

export const newCaseId = (): string => `C${randomToken(10)}`;
export const newOrderId = (caseId: string): string => `${caseId}.O${randomToken(6)}`;
/** Police order targets are numbered from 1 in the order given. */
export const orderInstructionId = (orderId: string, targetIndex: number): string =>
  `${orderId}.${targetIndex + 1}`;
/** Follow-ons are derived from the parent and the transfer's position: a redelivery finds the same id. */
export const followOnInstructionId = (parentInstructionId: string, transferIndex: number): string =>
  `${parentInstructionId}-${transferIndex + 1}`;
export const newReleaseId = (caseId: string): string => `${caseId}.R${randomToken(8)}`;

export const ID_PATTERN = /^[A-Za-z0-9._~-]{1,128}$/;

/**
 * A key that sorts instruction ids of one order numerically (`.7` before `.10`, `.2-3` before
 * `.2-12`): every numeric target or transfer position is zero-padded (targets ≤ 500, transfers ≤ 25).
 * Index sort keys use it; the ids themselves stay as they are.
 */
export const sortableInstructionId = (instructionId: string): string =>
  instructionId.replace(
    /([.-])(\d{1,5})(?=$|-)/g,
    (_m, sep: string, n: string) => `${sep}${n.padStart(5, '0')}`,
  );

export const compareInstructionIds = (a: string, b: string): number => {
  const x = sortableInstructionId(a);
  const y = sortableInstructionId(b);
  return x < y ? -1 : x > y ? 1 : 0;
};

/** The case an instruction id belongs to, or undefined when it is not one of ours. */
export function caseIdOfInstruction(instructionId: string): string | undefined {
  if (!ID_PATTERN.test(instructionId)) return undefined;
  const caseId = instructionId.split('.')[0];
  return caseId && /^C[0-9A-Z]{10}$/.test(caseId) && caseId !== instructionId ? caseId : undefined;
}
