/**
 * The real local system as a black box: `node --import tsx local/serve.ts` (what `npm run serve`
 * runs) as a child in a process group of its own, on a free port, with a temporary data dir
 * (FREEZEFLOW_DATA_DIR, so a restart finds the data again).
 *
 * A crash is `SIGKILL` of the whole group (process.kill(-pgid)): DynamoDB Local's JVM is a child of
 * the server in the same group, so it dies with it, as on a machine that loses power. `restart()`
 * starts a new server on the same data dir and port. `stop()` is SIGTERM (the server stops cleanly,
 * docs/api.md "Running it locally"), then SIGKILL of whatever is left. Every start's output goes to a log
 * file under .faults/logs/ (git-ignored) for post-mortems.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../../../local/free-port.ts';
import { answersForItself } from '../../../local/port-owner.ts';

export const REPO_ROOT = resolve(import.meta.dirname, '../../..');
export const FAULTS_DIR = join(REPO_ROOT, '.faults');
export const FAULT_JWT_SECRET = 'freezeflow-fault-suite-secret';

const HEALTH_TIMEOUT_MS = 90_000;
const STOP_GRACE_MS = 8_000;
const GROUP_GONE_TIMEOUT_MS = 10_000;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Processes (pid, state, command name) whose process group is `pgid`, zombies left out. */
export function groupMembers(pgid: number): { pid: number; state: string; comm: string }[] {
  const members: { pid: number; state: string; comm: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited while we looked
    }
    // "pid (comm) state ppid pgrp …": comm may hold spaces and parentheses; split after the last ')'.
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const fields = stat.slice(close + 2).split(' ');
    const state = fields[0] ?? '';
    const pgrp = Number(fields[2]);
    if (pgrp === pgid && state !== 'Z' && state !== 'X') members.push({ pid: Number(entry), state, comm });
  }
  return members;
}

/** Every server process started by this worker, killed (group) if the worker exits before stop(). */
const live = new Set<number>();
process.on('exit', () => {
  for (const pgid of live) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

export interface ServerProcess {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** Pid of the current server (Node) process; it is also its process group id. */
  readonly pid: number;
  /** When /health last answered 200 after a (re)start (epoch ms). */
  readonly healthyAt: number;
  /** Log file of the current run. */
  readonly logFile: string;
  /** SIGKILL of the whole group (server and JVM); resolves once no process of it is left. */
  kill(): Promise<void>;
  /** Starts again on the same data dir and port; resolves at /health 200. */
  restart(): Promise<void>;
  /** SIGTERM, then SIGKILL of the group after a grace period; removes the data dir. */
  stop(): Promise<void>;
  /** What a SIGTERM left running (the server itself past the grace period, or its JVM). */
  readonly leftBehindByStop: { pid: number; state: string; comm: string }[];
  /** Processes of the current group still alive (empty after kill()/stop()). */
  survivors(): { pid: number; state: string; comm: string }[];
  /** The last characters of every log of this server, for a failure message. */
  logTail(chars?: number): string;
}

interface Run {
  child: ChildProcess;
  pgid: number;
  logFile: string;
  exited: Promise<void>;
}

/**
 * Starts `local/serve.ts` on a free port and waits for /health 200. `name` names the log files
 * (.faults/logs/<name>-<n>.log).
 */
export async function startServer(
  name: string,
  options: { env?: Record<string, string> } = {},
): Promise<ServerProcess> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), `freezeflow-faults-${name}-`));
  const logDir = join(FAULTS_DIR, 'logs');
  mkdirSync(logDir, { recursive: true });
  const logFiles: string[] = [];
  let run: Run | undefined;
  let healthyAt = 0;
  let lastPgid = 0;
  let leftBehind: { pid: number; state: string; comm: string }[] = [];

  const launch = async (): Promise<void> => {
    const logFile = join(logDir, `${name}-${logFiles.length + 1}.log`);
    logFiles.push(logFile);
    const fd = openSync(logFile, 'w');
    const child = spawn(process.execPath, ['--import', 'tsx', 'local/serve.ts'], {
      cwd: REPO_ROOT,
      // A group of its own: process.kill(-pid) reaches the JVM too, and vitest's signals do not.
      detached: true,
      stdio: ['ignore', fd, fd],
      env: {
        ...process.env,
        PORT: String(port),
        FREEZEFLOW_DATA_DIR: dataDir,
        FREEZEFLOW_JWT_SECRET: FAULT_JWT_SECRET,
        // vitest sets SILENT for in-process tests; a server's warnings belong in its log file.
        FREEZEFLOW_LOG_LEVEL: 'WARN',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        ...options.env,
      },
    });
    closeSync(fd);
    const pgid = child.pid;
    if (pgid === undefined) throw new Error(`server ${name} did not start`);
    live.add(pgid);
    lastPgid = pgid;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    run = { child, pgid, logFile, exited };
    const end = Date.now() + HEALTH_TIMEOUT_MS;
    let gone = false;
    void exited.then(() => {
      gone = true;
    });
    for (;;) {
      if (gone) throw new Error(`server ${name} exited before /health answered:\n${tail(4_000)}`);
      try {
        const response = await fetch(`http://127.0.0.1:${port}/health`, {
          signal: AbortSignal.timeout(2_000),
        });
        await response.arrayBuffer();
        // Ours, not another worker's server that took the port while this one was down (restart):
        // the answer must come from the child's own socket.
        if (response.status === 200 && (await answersForItself(pgid, port, () => !gone))) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > end) {
        await killGroup();
        throw new Error(`server ${name}: no /health 200 within ${HEALTH_TIMEOUT_MS} ms:\n${tail(4_000)}`);
      }
      await sleep(100);
    }
    healthyAt = Date.now();
  };

  const tail = (chars = 6_000): string =>
    logFiles
      .map((file) => {
        let text = '';
        try {
          text = readFileSync(file, 'utf8');
        } catch {
          text = '(no log)';
        }
        return `--- ${file}\n${text.slice(-chars)}`;
      })
      .join('\n');

  const waitGroupGone = async (pgid: number): Promise<void> => {
    const end = Date.now() + GROUP_GONE_TIMEOUT_MS;
    while (groupMembers(pgid).length > 0) {
      if (Date.now() > end) {
        throw new Error(`process group ${pgid} survived: ${JSON.stringify(groupMembers(pgid))}`);
      }
      await sleep(50);
    }
    live.delete(pgid);
  };

  const signalGroup = (pgid: number, signal: NodeJS.Signals) => {
    try {
      process.kill(-pgid, signal);
    } catch {
      // the group is gone already
    }
  };

  const killGroup = async (): Promise<void> => {
    const current = run;
    if (!current) return;
    signalGroup(current.pgid, 'SIGKILL');
    await current.exited;
    await waitGroupGone(current.pgid);
  };

  await launch();

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    dataDir,
    get pid() {
      if (!run) throw new Error('not running');
      return run.pgid;
    },
    get healthyAt() {
      return healthyAt;
    },
    get logFile() {
      return run?.logFile ?? '';
    },
    kill: killGroup,
    restart: async () => {
      await killGroup();
      await launch();
    },
    stop: async () => {
      const current = run;
      if (current) {
        // SIGTERM to the server alone: it must stop its JVM itself (docs/api.md "Running it locally").
        current.child.kill('SIGTERM');
        const timedOut = await Promise.race([
          current.exited.then(() => false),
          sleep(STOP_GRACE_MS).then(() => true),
        ]);
        if (!timedOut) {
          const end = Date.now() + 2_000;
          while (groupMembers(current.pgid).length > 0 && Date.now() < end) await sleep(50);
        }
        leftBehind = timedOut ? [{ pid: current.pgid, state: '?', comm: 'server ignored SIGTERM' }] : [];
        leftBehind.push(...groupMembers(current.pgid).filter((m) => m.pid !== current.pgid));
        // Whatever is left of the group goes now.
        signalGroup(current.pgid, 'SIGKILL');
        await current.exited;
        await waitGroupGone(current.pgid);
        run = undefined;
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
    survivors: () => (lastPgid ? groupMembers(lastPgid) : []),
    get leftBehindByStop() {
      return leftBehind;
    },
    logTail: tail,
  };
}
