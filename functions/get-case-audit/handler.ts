import { type Dependencies, lambdaEntry } from '../adapters/dependencies.ts';
import { readCaseAudit } from '../adapters/dynamo/cases.ts';
import { verifyAuditChainAgainstHead } from '../domain/audit-chain.ts';
import { ID_PATTERN } from '../domain/ids.ts';
import { httpHandler, json } from '../http/http-handler.ts';
import { notFound } from '../http/problem.ts';
import { canSeeCase } from '../http/scope.ts';

/**
 * GET /cases/{caseId}/audit (police own agency, regulator): the case's hash chain and whether it
 * verifies (docs/api.md "Audit"). The head stored on the case item is read first and the events after it
 * (adapters/dynamo/cases.ts readCaseAudit), so a read taken during writes never reports a break: the
 * chain is judged up to that head, which must also be its last event (an event cut off the end is
 * detected). Events committed after the head was read are counted in `pending`; events that no head
 * covers are a break at the first of them.
 */
export const createGetCaseAudit = (deps: Dependencies) =>
  httpHandler('getCaseAudit', async (request) => {
    const caseId = request.pathParam('caseId');
    const read = ID_PATTERN.test(caseId) ? await readCaseAudit(deps.db, caseId) : undefined;
    if (!read || !canSeeCase(request.who, read.fraudCase)) throw notFound(`case ${caseId}`);
    const check = verifyAuditChainAgainstHead(read.events, read.head);
    let { verified, firstBadSeq } = check;
    const events = [...read.events, ...read.unchained];
    if (verified && read.unchained.length > 0) {
      verified = false;
      firstBadSeq = read.unchained[0]!.seq;
    }
    return json(200, {
      caseId,
      events,
      head: check.head,
      verified,
      ...(verified ? {} : { firstBadSeq }),
      pending: read.pending,
    });
  });

export const handler = lambdaEntry(createGetCaseAudit);
