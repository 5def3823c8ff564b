import { describe, expect, it } from 'vitest';
import { absoluteApiUrl } from '../../../functions/adapters/dependencies.ts';

describe('absoluteApiUrl (what every link sent to a bank starts with)', () => {
  it('accepts the absolute https:// URL of the API', () => {
    expect(absoluteApiUrl('https://abc.execute-api.cn-north-1.amazonaws.com.cn/')).toBe(
      'https://abc.execute-api.cn-north-1.amazonaws.com.cn/',
    );
    expect(absoluteApiUrl('https://api.freezeflow.example')).toBe('https://api.freezeflow.example');
  });

  it.each([undefined, '', '/banks', 'http://api.freezeflow.example', 'https://', 'api.freezeflow.example'])(
    'refuses %j: a bank would get a link it cannot follow',
    (value) => {
      expect(() => absoluteApiUrl(value)).toThrow(/FREEZEFLOW_API_URL/);
    },
  );
});
