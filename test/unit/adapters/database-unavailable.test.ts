import { ConditionalCheckFailedException, InternalServerError } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { isDatabaseUnavailable } from '../../../functions/adapters/dynamo/db.ts';

/** The one classifier behind every 503 for a database that does not answer (functions/http/problem.ts). */
describe('isDatabaseUnavailable', () => {
  const withCode = (code: string) => Object.assign(new Error(code), { code });
  const named = (name: string) => Object.assign(new Error(name), { name });

  it.each(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH'])(
    '%s (no answer) is unavailable',
    (code) => {
      expect(isDatabaseUnavailable(withCode(code))).toBe(true);
    },
  );

  it.each(['TimeoutError', 'RequestTimeout', 'ServiceUnavailable', 'ResourceNotFoundException'])(
    '%s is unavailable',
    (name) => {
      expect(isDatabaseUnavailable(named(name))).toBe(true);
    },
  );

  it('a DynamoDB server fault (5xx) is unavailable', () => {
    const error = new InternalServerError({ message: 'boom', $metadata: { httpStatusCode: 500 } });
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it('looks through cause and AggregateError (a refused dual-stack connection)', () => {
    const refused = new AggregateError(
      [withCode('ECONNREFUSED'), withCode('ECONNREFUSED')],
      'connect failed',
    );
    expect(isDatabaseUnavailable(new Error('fetch failed', { cause: refused }))).toBe(true);
  });

  it('a failed condition, a bug or a non-error is not', () => {
    const conditional = new ConditionalCheckFailedException({
      message: 'no',
      $metadata: { httpStatusCode: 400 },
    });
    expect(isDatabaseUnavailable(conditional)).toBe(false);
    expect(isDatabaseUnavailable(new TypeError('x is undefined'))).toBe(false);
    expect(isDatabaseUnavailable('ECONNREFUSED')).toBe(false);
    expect(isDatabaseUnavailable(null)).toBe(false);
  });

  it('stops at a cause cycle', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    Object.assign(a, { cause: b });
    expect(isDatabaseUnavailable(a)).toBe(false);
  });
});
