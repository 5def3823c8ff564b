import { type Dependencies, lambdaEntry } from '../adapters/dependencies.ts';
import { readCase } from '../app/read-case.ts';
import { toMoneyJson } from '../domain/money.ts';
import { httpHandler, json } from '../http/http-handler.ts';
import { caseView, instructionView, totalsView } from '../http/views.ts';

/**
 * GET /cases/{caseId} (police own agency, regulator): the case with its orders, instructions,
 * releases (listed apart), trail edges, banks not integrated, and totals. One Query (paged).
 */
export const createGetCase = (deps: Dependencies) =>
  httpHandler('getCase', async (request) => {
    const caseId = request.pathParam('caseId');
    const view = await readCase(deps, request.who, caseId);
    const freezes = view.instructions.filter((i) => i.kind === 'FREEZE');
    const releases = view.instructions.filter((i) => i.kind === 'RELEASE');
    const notIntegrated = view.edges.filter((e) => e.reasonNotFollowed === 'BANK_NOT_INTEGRATED');
    return json(200, {
      ...caseView(view.fraudCase),
      orders: view.orders.map((o) => ({
        orderId: o.orderId,
        legalBasis: o.legalBasis,
        holdHours: o.holdHours,
        submittedAt: o.submittedAt,
        instructionIds: o.instructionIds,
      })),
      instructions: freezes.map(instructionView),
      releases: releases.map(instructionView),
      escalations: freezes
        .filter((i) => i.escalatedAt)
        .map((i) => ({ instructionId: i.instructionId, bankId: i.bankId, escalatedAt: i.escalatedAt })),
      banksNotIntegrated: notIntegrated.map((e) => ({
        bankId: e.toBankId,
        accountNumber: e.toAccount,
        amount: toMoneyJson(e.amount),
        fromInstructionId: e.fromInstructionId,
        transferredAt: e.transferredAt,
      })),
      totals: view.totals ? totalsView(view.totals) : null,
    });
  });

export const handler = lambdaEntry(createGetCase);
