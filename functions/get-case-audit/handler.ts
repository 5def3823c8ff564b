import { type Dependencies, lambdaEntry } from '../adapters/dependencies.ts';
import { getCase, queryCase } from '../adapters/dynamo/cases.ts';
import { auditEventFromItem } from '../adapters/dynamo/codec.ts';
import { skPrefix } from '../adapters/keys.ts';
import type { AuditEvent } from '../domain/audit-chain.ts';
import { verifyAuditChain } from '../domain/audit-chain.ts';
import { ID_PATTERN } from '../domain/ids.ts';
import { httpHandler, json } from '../http/http-handler.ts';
import { notFound } from '../http/problem.ts';
import { canSeeCase } from '../http/scope.ts';

/**
 * GET /cases/{caseId}/audit (police own agency, regulator): the case's hash chain and whether it
 * verifies. The stored head (on the case item) must also be the last event's hash, so an event cut
 * off the end is detected too.
 */
export const createGetCaseAudit = (deps: Dependencies) =>
  httpHandler('getCaseAudit', async (request) => {
    const caseId = request.pathParam('caseId');
    const fraudCase = ID_PATTERN.test(caseId) ? await getCase(deps.db, caseId) : undefined;
    if (!fraudCase || !canSeeCase(request.who, fraudCase)) throw notFound(`case ${caseId}`);
    const [items, caseItem] = await Promise.all([
      queryCase(deps.db, caseId, skPrefix.auditEvent),
      queryCase(deps.db, caseId, '#CASE'),
    ]);
    const events: AuditEvent[] = items.map(auditEventFromItem);
    const check = verifyAuditChain(events);
    const storedHead = String(caseItem[0]?.auditHead ?? '');
    const storedSeq = Number(caseItem[0]?.auditSeq ?? 0);
    let { verified, firstBadSeq } = check;
    if (verified && (storedHead !== check.head || storedSeq !== events.length)) {
      verified = false;
      firstBadSeq = Math.min(events.length, storedSeq) + 1;
    }
    return json(200, { caseId, events, head: check.head, verified, ...(verified ? {} : { firstBadSeq }) });
  });

export const handler = lambdaEntry(createGetCaseAudit);
