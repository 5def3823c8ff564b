import { z } from 'zod';
import { Id } from './common.ts';

export const roles = ['police', 'bank', 'regulator', 'admin'] as const;
export type Role = (typeof roles)[number];

/** The caller, as the JWT authorizer (AWS) or the local verifier put its claims. */
export const CallerClaims = z.discriminatedUnion('role', [
  z.object({ sub: z.string().min(1), role: z.literal('police'), agencyId: Id }),
  z.object({ sub: z.string().min(1), role: z.literal('bank'), bankId: Id }),
  z.object({ sub: z.string().min(1), role: z.literal('regulator') }),
  z.object({ sub: z.string().min(1), role: z.literal('admin') }),
]);
export type Caller = z.infer<typeof CallerClaims>;

/** Who did it, for the audit trail: role, scope and subject. */
export function actorOf(caller: Caller): string {
  switch (caller.role) {
    case 'police':
      return `police:${caller.agencyId}:${caller.sub}`;
    case 'bank':
      return `bank:${caller.bankId}:${caller.sub}`;
    default:
      return `${caller.role}:${caller.sub}`;
  }
}
