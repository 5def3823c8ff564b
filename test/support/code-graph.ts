/**
 * What a handler's code does, read from the code itself: its first-party import graph as esbuild
 * bundles it, the environment variables those files read (test/infra/environment.test.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { handlerEntry, repoRoot } from '../../infra/paths.ts';

/** First-party files (functions/**) in the import graph of a handler, as esbuild bundles it. */
export async function importGraph(folder: string): Promise<string[]> {
  const result = await build({
    entryPoints: [handlerEntry(folder)],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    logLevel: 'silent',
    absWorkingDir: repoRoot,
  });
  return Object.keys(result.metafile.inputs).filter((f) => f.startsWith('functions/'));
}

/** `export const NAME = 'VALUE'` and `export const NAME ... = { k: 'VALUE', ... }` of the given files. */
export function constants(files: string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const file of files) {
    const text = readFileSync(join(repoRoot, file), 'utf8');
    for (const m of text.matchAll(/export const ([A-Z][A-Z0-9_]*)(?:\s*:[^=]+)?\s*=\s*'([^']+)'/g)) {
      out.set(m[1]!, [m[2]!]);
    }
    for (const m of text.matchAll(/export const ([A-Z][A-Z0-9_]*)(?:\s*:[^=]+)?\s*=\s*\{([^}]*)\}/g)) {
      out.set(
        m[1]!,
        [...m[2]!.matchAll(/:\s*'([A-Z][A-Z0-9_]*)'/g)].map((v) => v[1]!),
      );
    }
  }
  return out;
}

export interface EnvRead {
  name: string;
  file: string;
}

/** Every environment variable the files read; unresolvable reads are returned apart. */
export function environmentReads(files: string[], known: Map<string, string[]>) {
  const reads: EnvRead[] = [];
  const unresolved: string[] = [];
  for (const file of files) {
    const text = readFileSync(join(repoRoot, file), 'utf8');
    for (const m of text.matchAll(/\b(?:process\.env|env)\.([A-Za-z_][A-Za-z0-9_]*)/g)) {
      reads.push({ name: m[1]!, file });
    }
    for (const m of text.matchAll(/\b(?:process\.env|env)\[([^[\]]+(?:\[[^\]]*\])?)\]/g)) {
      const expr = m[1]!.trim();
      const literal = /^'([^']+)'$/.exec(expr)?.[1];
      const constant = /^([A-Z][A-Z0-9_]*)(?:\[.*\]|\.[A-Za-z]+)?$/.exec(expr)?.[1];
      const names = literal ? [literal] : constant ? known.get(constant) : undefined;
      if (names?.length) for (const name of names) reads.push({ name, file });
      else unresolved.push(`${file}: env[${expr}]`);
    }
  }
  return { reads, unresolved };
}
