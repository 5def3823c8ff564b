import type { Role } from './claims.ts';

/**
 * The HTTP routes of docs/api.md: one table that the CDK stack (API Gateway routes -> functions), the
 * local server (request router) and the access-control tests all read.
 * `roles` empty = public. `scope` says which path id the caller must own (else 404).
 */
export interface RouteDefinition {
  id: string;
  method: 'GET' | 'POST' | 'PUT';
  path: string;
  /** Folder under functions/ that holds the handler. */
  handler: string;
  roles: readonly Role[];
  scope: 'none' | 'case' | 'bank';
}

export const routes = [
  { id: 'health', method: 'GET', path: '/health', handler: 'health', roles: [], scope: 'none' },
  {
    id: 'registerBank',
    method: 'PUT',
    path: '/banks/{bankId}',
    handler: 'register-bank',
    roles: ['admin'],
    scope: 'none',
  },
  { id: 'openCase', method: 'POST', path: '/cases', handler: 'open-case', roles: ['police'], scope: 'none' },
  {
    id: 'submitFreezeOrder',
    method: 'POST',
    path: '/cases/{caseId}/freeze-orders',
    handler: 'submit-freeze-order',
    roles: ['police'],
    scope: 'case',
  },
  {
    id: 'getCase',
    method: 'GET',
    path: '/cases/{caseId}',
    handler: 'get-case',
    roles: ['police', 'regulator'],
    scope: 'case',
  },
  {
    id: 'getCaseTotals',
    method: 'GET',
    path: '/cases/{caseId}/totals',
    handler: 'get-case-totals',
    roles: ['police', 'regulator'],
    scope: 'case',
  },
  {
    id: 'getCaseTrail',
    method: 'GET',
    path: '/cases/{caseId}/trail',
    handler: 'get-case-trail',
    roles: ['police', 'regulator'],
    scope: 'case',
  },
  {
    id: 'getCaseAudit',
    method: 'GET',
    path: '/cases/{caseId}/audit',
    handler: 'get-case-audit',
    roles: ['police', 'regulator'],
    scope: 'case',
  },
  {
    id: 'extendHold',
    method: 'POST',
    path: '/cases/{caseId}/instructions/{instructionId}/extend',
    handler: 'extend-hold',
    roles: ['police'],
    scope: 'case',
  },
  {
    id: 'redeliverInstruction',
    method: 'POST',
    path: '/cases/{caseId}/instructions/{instructionId}/redeliver',
    handler: 'redeliver-instruction',
    roles: ['police', 'admin'],
    scope: 'case',
  },
  {
    id: 'orderRelease',
    method: 'POST',
    path: '/cases/{caseId}/releases',
    handler: 'order-release',
    roles: ['police'],
    scope: 'case',
  },
  {
    id: 'getBank',
    method: 'GET',
    path: '/banks/{bankId}',
    handler: 'get-bank',
    roles: ['admin', 'bank'],
    scope: 'bank',
  },
  {
    id: 'bankTestDelivery',
    method: 'POST',
    path: '/banks/{bankId}/test-deliveries',
    handler: 'bank-test-delivery',
    roles: ['admin', 'bank'],
    scope: 'bank',
  },
  {
    id: 'getTestDelivery',
    method: 'GET',
    path: '/banks/{bankId}/test-deliveries/{deliveryId}',
    handler: 'get-test-delivery',
    roles: ['admin', 'bank'],
    scope: 'bank',
  },
  {
    id: 'bankTestConfirmation',
    method: 'POST',
    path: '/banks/{bankId}/test-deliveries/{deliveryId}/confirmations',
    handler: 'bank-test-confirmation',
    roles: ['bank'],
    scope: 'bank',
  },
  {
    id: 'bankInbox',
    method: 'GET',
    path: '/banks/{bankId}/instructions',
    handler: 'bank-inbox',
    roles: ['bank'],
    scope: 'bank',
  },
  {
    id: 'recordConfirmation',
    method: 'POST',
    path: '/banks/{bankId}/instructions/{instructionId}/confirmations',
    handler: 'record-confirmation',
    roles: ['bank'],
    scope: 'bank',
  },
  {
    id: 'regulatorTotals',
    method: 'GET',
    path: '/totals',
    handler: 'regulator-totals',
    roles: ['regulator'],
    scope: 'none',
  },
  {
    id: 'bankPerformance',
    method: 'GET',
    path: '/banks/performance',
    handler: 'bank-performance',
    roles: ['regulator'],
    scope: 'none',
  },
] as const satisfies readonly RouteDefinition[];

export type RouteId = (typeof routes)[number]['id'];

export function routeById(id: RouteId): RouteDefinition {
  const route = routes.find((r) => r.id === id);
  if (!route) throw new Error(`no route ${id}`);
  return route;
}
