import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { BUNDLE_SETTINGS } from '../../infra/bundle-settings.ts';
import { isAlive } from '../process-stats.ts';

/**
 * The sandboxes' code, bundled by esbuild as the CDK bundles each function for Lambda (same format,
 * target and banner: infra/bundle-settings.ts): one build of the sandbox's own module
 * (local/sandbox/worker.ts) and every handler module, code shared between them split into chunks so
 * that a handler and the worker share one instance of each module, as in one Lambda container. A
 * sandbox then starts by loading a few files of plain JavaScript instead of transpiling and resolving
 * hundreds of modules through tsx: about a third of the CPU per cold start (bench/sandbox-cost.ts).
 */
export interface SandboxBundle {
  /** The sandbox's first module. */
  workerUrl: URL;
  /** The bundled module of a handler module (by its source URL), if it is in this bundle. */
  moduleUrlOf(sourceUrl: string): string | undefined;
  /** Deletes the bundle's files (after its sandboxes ended). */
  remove(): Promise<void>;
}

const WORKER_SOURCE = fileURLToPath(new URL('./worker.ts', import.meta.url));
const DIR_PREFIX = 'freezeflow-sandboxes-';

export async function bundleSandboxes(sourceUrls: readonly string[]): Promise<SandboxBundle> {
  await removeOrphans();
  const dir = await mkdtemp(join(tmpdir(), `${DIR_PREFIX}${process.pid}-`));
  const entryNames = new Map(sourceUrls.map((url, i) => [url, `function-${i}`]));
  try {
    await build({
      entryPoints: {
        worker: WORKER_SOURCE,
        ...Object.fromEntries([...entryNames].map(([url, name]) => [name, fileURLToPath(url)])),
      },
      outdir: dir,
      bundle: true,
      splitting: true,
      platform: 'node',
      format: BUNDLE_SETTINGS.format,
      target: BUNDLE_SETTINGS.target,
      mainFields: [...BUNDLE_SETTINGS.mainFields],
      banner: { js: BUNDLE_SETTINGS.banner },
      // Not minified, unlike in AWS: a stack trace of the local runtime stays readable.
      logLevel: 'silent',
    });
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const urlOf = (name: string) => pathToFileURL(join(dir, `${name}.js`));
  return {
    workerUrl: urlOf('worker'),
    moduleUrlOf: (sourceUrl) => {
      const name = entryNames.get(sourceUrl);
      return name ? urlOf(name).href : undefined;
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Bundles left by a runtime that was killed (SIGKILL cannot clean up): their process is gone. */
async function removeOrphans(): Promise<void> {
  const names = await readdir(tmpdir()).catch(() => [] as string[]);
  await Promise.all(
    names.map(async (name) => {
      const pid = name.startsWith(DIR_PREFIX) ? Number.parseInt(name.slice(DIR_PREFIX.length), 10) : 0;
      if (!pid || pid === process.pid || isAlive(pid)) return;
      await rm(join(tmpdir(), name), { recursive: true, force: true });
    }),
  );
}
