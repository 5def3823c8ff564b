import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file lives in infra/). */
export const repoRoot = fileURLToPath(new URL('..', import.meta.url));

/** The lock file NodejsFunction hashes and bundles against. */
export const lockFile = join(repoRoot, 'package-lock.json');

/** Every Lambda handler lives at functions/<folder>/handler.ts and exports `handler`. */
export function handlerEntry(folder: string): string {
  return join(repoRoot, 'functions', folder, 'handler.ts');
}
