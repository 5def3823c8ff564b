import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildOpenApi } from '../../../functions/schemas/openapi.ts';
import { routes } from '../../../functions/schemas/routes.ts';

describe('openapi.json (generated from the route table and the zod schemas)', () => {
  const built = buildOpenApi() as {
    paths: Record<string, Record<string, { operationId: string; responses: Record<string, unknown> }>>;
  };

  it('is committed as generated (run `npm run openapi` after changing a schema or route)', () => {
    const committed = JSON.parse(readFileSync(new URL('../../../openapi.json', import.meta.url), 'utf8'));
    expect(committed).toEqual(JSON.parse(JSON.stringify(built)));
  });

  it('has every route of routes.ts with its success status and the problems of docs/api.md', () => {
    for (const route of routes) {
      const op = built.paths[route.path]?.[route.method.toLowerCase()];
      expect(op?.operationId, `${route.method} ${route.path}`).toBe(route.id);
      if (route.roles.length)
        expect(Object.keys(op!.responses)).toEqual(expect.arrayContaining(['401', '403']));
    }
  });

  it('documents 201 and 200 on bank registration and 200 on a confirmation replay', () => {
    expect(Object.keys(built.paths['/banks/{bankId}']!.put!.responses)).toEqual(
      expect.arrayContaining(['200', '201']),
    );
    expect(
      Object.keys(built.paths['/banks/{bankId}/instructions/{instructionId}/confirmations']!.post!.responses),
    ).toEqual(expect.arrayContaining(['200', '201', '409', '503']));
  });

  it('describes money as digit strings, never numbers', () => {
    const text = JSON.stringify(built);
    expect(text).toContain('"minor":{"type":"string","pattern":"^\\\\d{1,18}$"');
  });
});
