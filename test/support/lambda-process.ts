/**
 * One bundled function in a process of its own (test/support/bundle-runner.mjs), with exactly the
 * environment it is given (nothing inherited from the test runner), as the Lambda runtime runs it.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const runner = fileURLToPath(new URL('./bundle-runner.mjs', import.meta.url));

export interface LambdaProcess {
  readonly name: string;
  /** Did the bundle export a `handler` function (the runtime's `index.handler`)? */
  readonly exportsHandler: boolean;
  invoke<T = unknown>(event: unknown): Promise<T>;
  /** Everything the function wrote (its log lines). */
  output(): string;
  stop(): Promise<void>;
}

interface Reply {
  id?: number;
  ready?: boolean;
  exportsHandler?: boolean;
  result?: unknown;
  error?: { name?: string; message?: string; stack?: string };
}

export class InvocationError extends Error {
  constructor(
    readonly function_: string,
    readonly remote: { name?: string; message?: string; stack?: string },
  ) {
    super(`${function_} failed: ${remote.name}: ${remote.message}\n${remote.stack ?? ''}`);
  }
}

export async function startLambdaProcess(
  name: string,
  bundle: string,
  env: Record<string, string>,
): Promise<LambdaProcess> {
  const child: ChildProcess = fork(runner, [bundle], {
    env,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    serialization: 'advanced',
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => {
    output += d.toString('utf8');
  });
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString('utf8');
  });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = await new Promise<Reply>((resolve, reject) => {
    child.once('message', (m) => resolve(m as Reply));
    child.once('exit', (code) => reject(new Error(`${name} exited (${code}) before loading:\n${output}`)));
  });
  if (!ready.ready) throw new InvocationError(name, ready.error ?? {});
  child.on('message', (m) => {
    const reply = m as Reply;
    const waiting = reply.id === undefined ? undefined : pending.get(reply.id);
    if (!waiting || reply.id === undefined) return;
    pending.delete(reply.id);
    if (reply.error) waiting.reject(new InvocationError(name, reply.error));
    else waiting.resolve(reply.result);
  });
  child.once('exit', (code) => {
    for (const w of pending.values()) w.reject(new Error(`${name} exited (${code}):\n${output}`));
    pending.clear();
  });
  return {
    name,
    exportsHandler: ready.exportsHandler === true,
    invoke<T>(event: unknown) {
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        child.send({ id, event });
      });
    },
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.disconnect?.();
        const timer = setTimeout(() => child.kill('SIGKILL'), 2_000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}
