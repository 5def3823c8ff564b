/**
 * The test setup file loads local/polyfills.ts for every test, which would hide an engine that
 * forgot to load it itself. This runs the engine in a fresh Node process (as `npm start` does) to
 * show that importing local/workflow-engine.ts alone makes Task states work on Node 20.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const engineUrl = new URL('../../local/workflow-engine.ts', import.meta.url).href;

const script = `
const before = typeof Promise.withResolvers;
const { LocalWorkflowEngine } = await import(${JSON.stringify(engineUrl)});
const after = typeof Promise.withResolvers;
const calls = [];
const stub = (name, result) => async (payload) => { calls.push(name + ':' + (payload.kind ?? '')); return result; };
const engine = new LocalWorkflowEngine(new Map([
  ['dispatchInstruction', stub('dispatchInstruction', { outcome: 'DONE', awaiting: false, timeoutSeconds: 1, waitSeconds: 1 })],
  ['registerTaskToken', stub('registerTaskToken', {})],
  ['recordOverdue', stub('recordOverdue', { awaiting: false })],
  ['escalateInstruction', stub('escalateInstruction', {})],
  ['recordDispatchFailed', stub('recordDispatchFailed', {})],
  ['summarizeOrder', stub('summarizeOrder', {})],
]));
await engine.startExecution('stopPaymentInstruction', 'C0000000001.OAAAAAA.1', { caseId: 'C0000000001', instructionId: 'C0000000001.OAAAAAA.1' });
await engine.idle();
const record = [...engine.executions.values()][0];
console.log(JSON.stringify({ before, after, status: record?.status, error: record?.error, calls }));
await engine.stop();
`;

describe('the local engine on its own', () => {
  it('installs the Promise.withResolvers polyfill itself and runs Task states', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      { cwd: repoRoot, timeout: 30_000, env: { ...process.env, NODE_OPTIONS: '' } },
    );
    const lastLine = stdout.trim().split('\n').at(-1) ?? '';
    const result = JSON.parse(lastLine) as { before: string; after: string; status: string; calls: string[] };
    if (Number(process.versions.node.split('.')[0]) < 22) expect(result.before).toBe('undefined');
    expect(result.after).toBe('function');
    expect(result).toMatchObject({ status: 'SUCCEEDED', calls: ['dispatchInstruction:FREEZE'] });
  });
});
