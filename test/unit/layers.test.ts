import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../../functions');
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const handlers = readdirSync(root, { withFileTypes: true })
  .filter((d) => d.isDirectory() && readdirSync(join(root, d.name)).includes('handler.ts'))
  .map((d) => `${d.name}/handler.ts`);
const tree = (dir: string): string[] =>
  readdirSync(join(root, dir), { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? tree(join(dir, d.name)) : d.name.endsWith('.ts') ? [join(dir, d.name)] : [],
  );

describe('layers (README "Layout"): handlers → one use case → domain decides → one writer', () => {
  it('finds the handlers', () => {
    expect(handlers.length).toBeGreaterThan(20);
  });

  it.each(handlers)('%s imports no DynamoDB adapter and stays short', (h) => {
    const text = read(h);
    expect(text).not.toMatch(/from '\.\.\/adapters\/dynamo\//);
    expect(text.split('\n').length).toBeLessThanOrEqual(60);
  });

  it('the domain imports no adapter, no AWS SDK, no HTTP layer', () => {
    for (const file of tree('domain')) {
      expect(read(file), file).not.toMatch(/from '(\.\.\/adapters|\.\.\/http|@aws-sdk)/);
    }
  });

  it('only the change-set writer writes an instruction status (adapters/dynamo/commit.ts)', () => {
    // A status written: a write that names #status, or a literal status. A Query's filter on the
    // status (the bank's change feed, adapters/dynamo/instructions.ts) is a read: its lines are left out.
    const writers = [...tree('adapters'), ...tree('app')].filter((f) => {
      const lines = read(f).split('\n');
      const writing = lines.filter((line, i) => !/FilterExpression/.test(`${lines[i - 1] ?? ''}${line}`));
      return writing.some((line) => /#status|'status'\s*:\s*'/.test(line));
    });
    expect(writers).toEqual(['adapters/dynamo/commit.ts']);
  });
});
