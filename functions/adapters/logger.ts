import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { LogLevel } from '@aws-lambda-powertools/logger/types';

/**
 * Structured JSON logs (Powertools). Account numbers never reach a log line whole: every message and
 * attribute goes through `maskAccounts` first (keys named like accounts, and long digit runs).
 */
export const LOG_LEVEL_ENV = 'FREEZEFLOW_LOG_LEVEL';

const logger = new Logger({
  serviceName: 'freezeflow',
  logLevel: (process.env[LOG_LEVEL_ENV] ?? 'INFO') as LogLevel,
});

const ACCOUNT_KEYS = /^(accountNumber|toAccount|account)$/i;

export function maskAccount(value: string): string {
  return value.length <= 4 ? '****' : `${'*'.repeat(Math.min(value.length - 4, 8))}${value.slice(-4)}`;
}

export function maskAccounts(text: string): string {
  return text.replace(/\d{6,}/g, (digits) => maskAccount(digits));
}

export function maskAttributes(value: unknown, key = ''): unknown {
  if (typeof value === 'string') return ACCOUNT_KEYS.test(key) ? maskAccount(value) : maskAccounts(value);
  if (Array.isArray(value)) return value.map((v) => maskAttributes(v));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskAttributes(v, k)]));
  }
  return value;
}

type Attributes = Record<string, unknown>;

export const log = {
  info: (message: string, attributes: Attributes = {}) =>
    logger.info(maskAccounts(message), maskAttributes(attributes) as Attributes),
  warn: (message: string, attributes: Attributes = {}) =>
    logger.warn(maskAccounts(message), maskAttributes(attributes) as Attributes),
  error: (message: string, attributes: Attributes = {}) =>
    logger.error(maskAccounts(message), maskAttributes(attributes) as Attributes),
};

/** The ids every log line of an invocation carries once known (Powertools persistent keys). */
export const CORRELATION_KEYS = ['caseId', 'orderId', 'instructionId', 'bankId'] as const;

/** Adds the correlation ids found in `source` to every later line of this invocation. */
export function correlate(source: Record<string, unknown> | null | undefined): void {
  if (!source) return;
  const ids: Record<string, string> = {};
  for (const key of CORRELATION_KEYS) {
    const value = source[key];
    if (typeof value === 'string' && value.length > 0) ids[key] = maskAccounts(value);
  }
  if (Object.keys(ids).length > 0) logger.appendKeys(ids);
}

/**
 * The middy middleware that puts the Lambda context (request id, function name, cold start) on
 * every line and drops the previous invocation's correlation ids.
 */
export const loggerMiddleware = () => injectLambdaContext(logger, { resetKeys: true });
