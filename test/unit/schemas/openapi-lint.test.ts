import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ruleCodes } from '../../../functions/domain/rule-codes.ts';
import { buildOpenApi } from '../../../functions/schemas/openapi.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));

describe('openapi.json lint and completeness', () => {
  it('@redocly/cli lint (recommended, redocly.yaml): 0 errors, 0 warnings', () => {
    const out = execFileSync('node_modules/.bin/redocly', ['lint', 'openapi.json', '--format=json'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const report = JSON.parse(out.slice(out.indexOf('{'))) as {
      totals: { errors: number; warnings: number; ignored: number };
      problems: { ruleId: string; message: string }[];
    };
    expect(report.problems.map((p) => `${p.ruleId}: ${p.message}`)).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  }, 60_000);

  const spec = buildOpenApi() as {
    paths: Record<
      string,
      Record<string, { responses: Record<string, { content?: Record<string, { schema?: unknown }> }> }>
    >;
    webhooks: Record<string, { post: { parameters: { name: string }[]; description: string } }>;
    components: { schemas: { Problem: { properties: { rule: { enum: string[] } } } } };
  };

  it('every success answer has a schema (no `{}` a typed client would read as unknown)', () => {
    for (const [path, ops] of Object.entries(spec.paths))
      for (const [method, op] of Object.entries(ops))
        for (const [status, response] of Object.entries(op.responses)) {
          if (!status.startsWith('2')) continue;
          const schema = response.content?.['application/json']?.schema as
            | { properties?: unknown }
            | undefined;
          expect(schema?.properties, `${method} ${path} ${status}`).toBeDefined();
        }
  });

  it('Problem has `rule` listing every rule code; each push kind is a webhook with headers and the rules', () => {
    expect(spec.components.schemas.Problem.properties.rule.enum.sort()).toEqual(
      Object.keys(ruleCodes).sort(),
    );
    expect(Object.keys(spec.webhooks).sort()).toEqual(['expired', 'extend', 'freeze', 'release', 'reminder']);
    for (const hook of Object.values(spec.webhooks)) {
      expect(hook.post.parameters.map((p) => p.name)).toEqual([
        'FreezeFlow-Delivery',
        'FreezeFlow-Signature',
      ]);
      expect(hook.post.description).toMatch(/HMAC-SHA256/);
      expect(hook.post.description).toMatch(/300 s/);
      expect(hook.post.description).toMatch(/within 10 s/);
      expect(hook.post.description).toMatch(/Retry-After/);
    }
  });

  it('every StateConflict in functions/ names a rule code the OpenAPI file lists', () => {
    const files = readdirSync(`${root}functions`, { recursive: true, encoding: 'utf8' }).filter((f) =>
      f.endsWith('.ts'),
    );
    const named = new Set<string>();
    for (const file of files) {
      const text = readFileSync(`${root}functions/${file}`, 'utf8');
      for (const m of text.matchAll(/new StateConflict\([\s\S]*?'([A-Z][A-Z_]+)'\s*,?\s*\)/g))
        named.add(m[1]!);
    }
    expect(named.size).toBeGreaterThan(5);
    for (const rule of named) expect(Object.keys(ruleCodes), rule).toContain(rule);
  });
});
