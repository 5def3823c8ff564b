import type { Caller } from '../schemas/claims.ts';
import { notFound } from './problem.ts';

/** The case scope rules live with the use cases (app/case-scope.ts); handlers see them here too. */
export { canSeeCase, caseInScope } from '../app/case-scope.ts';

export function bankInScope(caller: Caller, bankId: string): void {
  if (caller.role !== 'bank' || caller.bankId !== bankId) throw notFound(`bank ${bankId}`);
}
