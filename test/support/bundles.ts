/**
 * Every function bundled as the CDK bundles it for AWS (infra/constructs/functions.ts `bundlingOptions`,
 * which NodejsFunction turns into esbuild flags), by calling esbuild directly: one build, one
 * self-contained `<folder>/index.mjs` per function, minified like the deployed asset. A real
 * `cdk synth` runs esbuild once per function in a child process (~1 s each on these two cores); this
 * gives the same output in one pass. `toEsbuildOptions` refuses any bundling option it does not
 * translate, so a new setting in functions.ts cannot silently make these bundles differ from AWS's.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import { type BuildOptions, build } from 'esbuild';
import { bundlingOptions } from '../../infra/constructs/functions.ts';
import { functionFolders } from '../../infra/function-catalog.ts';
import { handlerEntry, repoRoot } from '../../infra/paths.ts';

/** The bundling options functions.ts may use, and how each becomes an esbuild option. */
const translated: Record<string, (value: never, out: BuildOptions) => void> = {
  format: (v: nodejs.OutputFormat, out) => {
    out.format = v === 'esm' ? 'esm' : 'cjs';
  },
  target: (v: string, out) => {
    out.target = v;
  },
  minify: (v: boolean, out) => {
    out.minify = v;
  },
  sourceMap: (v: boolean, out) => {
    out.sourcemap = v;
  },
  sourcesContent: (v: boolean, out) => {
    out.sourcesContent = v;
  },
  mainFields: (v: string[], out) => {
    out.mainFields = v;
  },
  banner: (v: string, out) => {
    out.banner = { js: v };
  },
  externalModules: (v: string[], out) => {
    out.external = v;
  },
};

/** esbuild options equivalent to a NodejsFunction's `bundling` (platform node, as NodejsFunction sets). */
export function toEsbuildOptions(options: nodejs.BundlingOptions): BuildOptions {
  const out: BuildOptions = { bundle: true, platform: 'node' };
  for (const [key, value] of Object.entries(options)) {
    const apply = translated[key];
    if (!apply) throw new Error(`test/support/bundles.ts does not translate bundling option ${key}`);
    apply(value as never, out);
  }
  return out;
}

export interface Bundles {
  dir: string;
  /** Absolute path of a function's bundle (`index.mjs`, the Lambda handler `index.handler`). */
  path(folder: string): string;
  /** The minified text of a function's bundle. */
  text(folder: string): string;
  remove(): void;
}

/**
 * Bundles every function of the catalog (or the given folders of functions/, such as the Cognito
 * trigger pre-token-generation, infra/constructs/identity.ts) into a fresh temporary directory, with
 * the CDK's options (or others, for a test that shows what an option is for).
 */
export async function bundleFunctions(
  folders: readonly string[] = functionFolders,
  bundling: nodejs.BundlingOptions = bundlingOptions,
): Promise<Bundles> {
  const dir = mkdtempSync(join(tmpdir(), 'freezeflow-bundles-'));
  const options = toEsbuildOptions(bundling);
  await build({
    ...options,
    entryPoints: Object.fromEntries(folders.map((f) => [`${f}/index`, handlerEntry(f)])),
    outdir: dir,
    outExtension: { '.js': options.format === 'esm' ? '.mjs' : '.js' },
    absWorkingDir: repoRoot,
    logLevel: 'error',
  });
  const path = (folder: string) => join(dir, folder, options.format === 'esm' ? 'index.mjs' : 'index.js');
  const cache = new Map<string, string>();
  return {
    dir,
    path,
    text: (folder) => {
      let text = cache.get(folder);
      if (text === undefined) {
        text = readFileSync(path(folder), 'utf8');
        cache.set(folder, text);
      }
      return text;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * The bundles of a real `cdk synth` (issue 12 §5 (a): "load every asset's handler from cdk.out"): each
 * function of the synthesized template found by its description (`freezeflow <folder> …`), its
 * handler the `index.mjs` of its asset directory. `.ci/run` runs the smoke test again on them after its
 * synth (FREEZEFLOW_SMOKE_CDK_OUT); `environments` gives each function's Environment.Variables as
 * synthesized, for the test to hold them equal to the ones it uses.
 */
export function assetBundles(
  cdkOut: string,
  folders: readonly string[],
): Bundles & { environments: Map<string, unknown> } {
  const templateFile = readdirSync(cdkOut).find((f) => f.endsWith('.template.json'));
  if (!templateFile) throw new Error(`${cdkOut} holds no synthesized template`);
  const template = JSON.parse(readFileSync(join(cdkOut, templateFile), 'utf8')) as {
    Resources: Record<
      string,
      { Type: string; Properties: Record<string, unknown>; Metadata?: Record<string, unknown> }
    >;
  };
  const paths = new Map<string, string>();
  const environments = new Map<string, unknown>();
  for (const folder of folders) {
    const fn = Object.values(template.Resources).find(
      (r) =>
        r.Type === 'AWS::Lambda::Function' &&
        String(r.Properties.Description ?? '').startsWith(`freezeflow ${folder} `),
    );
    const asset = fn?.Metadata?.['aws:asset:path'];
    if (!fn || typeof asset !== 'string') throw new Error(`${templateFile}: no bundled asset for ${folder}`);
    paths.set(folder, join(cdkOut, asset, 'index.mjs'));
    environments.set(folder, (fn.Properties.Environment as { Variables?: unknown } | undefined)?.Variables);
  }
  const path = (folder: string) => {
    const found = paths.get(folder);
    if (!found) throw new Error(`no asset for ${folder}`);
    return found;
  };
  return {
    dir: cdkOut,
    path,
    text: (folder) => readFileSync(path(folder), 'utf8'),
    // The synth's output is the CI's, not the test's: left in place.
    remove: () => undefined,
    environments,
  };
}
