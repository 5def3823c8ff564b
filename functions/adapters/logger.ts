import { Logger } from '@aws-lambda-powertools/logger';
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
