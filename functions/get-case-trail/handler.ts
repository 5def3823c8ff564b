import { type Dependencies, lambdaEntry } from '../adapters/dependencies.ts';
import { readCase } from '../app/read-case.ts';
import { toMoneyJson } from '../domain/money.ts';
import { httpHandler, json } from '../http/http-handler.ts';

/**
 * GET /cases/{caseId}/trail (police own agency, regulator): the money trail as a graph — every
 * freeze instruction a node, every onward transfer a bank reported an edge, followed or not and why.
 */
export const createGetCaseTrail = (deps: Dependencies) =>
  httpHandler('getCaseTrail', async (request) => {
    const caseId = request.pathParam('caseId');
    const view = await readCase(deps, request.who, caseId);
    return json(200, {
      caseId,
      nodes: view.instructions
        .filter((i) => i.kind === 'FREEZE')
        .map((i) => ({
          instructionId: i.instructionId,
          bankId: i.bankId,
          accountNumber: i.accountNumber,
          hop: i.hop,
          parentInstructionId: i.parentInstructionId,
          status: i.status,
          requested: toMoneyJson(i.requested),
          frozen: toMoneyJson(i.frozen),
        })),
      edges: view.edges.map((e) => ({
        fromInstructionId: e.fromInstructionId,
        toInstructionId: e.toInstructionId,
        toBankId: e.toBankId,
        toAccount: e.toAccount,
        amount: toMoneyJson(e.amount),
        transferredAt: e.transferredAt,
        followed: e.followed,
        ...(e.reasonNotFollowed ? { reasonNotFollowed: e.reasonNotFollowed } : {}),
      })),
    });
  });

export const handler = lambdaEntry(createGetCaseTrail);
