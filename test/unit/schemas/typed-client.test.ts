import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * A typed client generated from openapi.json (openapi-typescript + openapi-fetch, as
 * packages/bank-kit ships it) type-checks a small bank and police script (test/typed-client/),
 * `r.data.status` included; and a script that takes a string field for a number does not compile,
 * so the answers are not typed `unknown`/`any`.
 */
const root = fileURLToPath(new URL('../../../', import.meta.url));
const run = promisify(execFile);
const scratch = mkdtempSync(join(tmpdir(), 'freezeflow-typed-client-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('typed client from openapi.json', () => {
  it('the committed kit types are what openapi-typescript generates from openapi.json now', async () => {
    const fresh = join(scratch, 'openapi.ts');
    await run('node_modules/.bin/openapi-typescript', ['openapi.json', '-o', fresh], { cwd: root });
    expect(readFileSync(join(root, 'packages/bank-kit/src/openapi.ts'), 'utf8')).toBe(
      readFileSync(fresh, 'utf8'),
    );
  }, 60_000);

  it('the bank and police scripts type-check; a script with a wrongly typed field does not', async () => {
    await run('node_modules/.bin/tsc', ['--noEmit', '-p', 'test/typed-client/tsconfig.json'], { cwd: root });
    const wrong = join(root, 'test/typed-client/zz-wrong-type.ts');
    writeFileSync(
      wrong,
      `import { createFreezeflowClient } from '../../packages/bank-kit/src/client.ts';
export async function f() {
  const r = await createFreezeflowClient('http://x', 't').GET('/banks/{bankId}', { params: { path: { bankId: 'B' } } });
  const name: number | undefined = r.data?.name;
  return name;
}
`,
    );
    try {
      const failed = await run(
        'node_modules/.bin/tsc',
        ['--noEmit', '-p', 'test/typed-client/tsconfig.json'],
        {
          cwd: root,
        },
      ).then(
        () => '',
        (error: { stdout: string }) => error.stdout,
      );
      expect(failed).toMatch(/zz-wrong-type\.ts/);
      expect(failed).toMatch(/Type 'string' is not assignable to type 'number'/);
    } finally {
      rmSync(wrong, { force: true });
    }
  }, 120_000);
});
