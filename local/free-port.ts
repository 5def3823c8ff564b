import { mkdirSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAlive } from './process-stats.ts';

/**
 * Ports for the local runtime's servers that nobody else is handed while they are in use.
 *
 * A port found free and released (bind 0, close) is free for everyone until its user binds it: a JVM
 * takes seconds to (DynamoDB Local), and a server restarted "on the same port" leaves a gap. The
 * kernel hands ports of its ephemeral range (ip_local_port_range) to every `listen(0)` and every
 * outgoing connection, and measured here it gives a freed one back within a few dozen binds. So the
 * ports come from below that range, where the kernel never picks on its own, and each one is
 * reserved by a file naming its owner's pid: other freezeflow processes skip it while the owner
 * lives, and the owner's files are removed when it exits.
 */

export const RESERVATIONS_DIR = join(tmpdir(), 'freezeflow-ports');
const LOWEST = 10_000;
const ATTEMPTS = 200;
const mine = new Set<string>();

/** The range to pick from: [LOWEST, start of the ephemeral range); undefined where /proc cannot tell. */
export function reservablePorts(): { from: number; to: number } | undefined {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/);
    const start = Number(low);
    if (!Number.isInteger(start) || start - 1 - LOWEST < 1_000) return undefined;
    return { from: LOWEST, to: start - 1 };
  } catch {
    return undefined;
  }
}

/** A port nobody listens on and no live freezeflow process has reserved, now reserved for this one. */
export async function freePort(): Promise<number> {
  const range = reservablePorts();
  if (range === undefined) return kernelPort();
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const port = range.from + Math.floor(Math.random() * (range.to - range.from + 1));
    if (await claimPort(port)) return port;
  }
  throw new Error(`no free port in ${range.from}-${range.to} after ${ATTEMPTS} tries`);
}

/** Reserves `port` for this process if no live one holds it and nothing listens on it. */
export async function claimPort(port: number): Promise<boolean> {
  if (!reserve(port)) return false;
  if (await bindable(port)) return true;
  release(port);
  return false;
}

/** Gives a reservation up before the process ends (it ends with the process anyway). */
export function release(port: number): void {
  const name = String(port);
  if (!mine.delete(name)) return;
  try {
    unlinkSync(join(RESERVATIONS_DIR, name));
  } catch {
    // already gone
  }
  if (mine.size === 0) process.off('exit', releaseAll);
}

/** Ports reserved by live processes (for tests and diagnostics). */
export function reservedPorts(): { port: number; pid: number }[] {
  let names: string[];
  try {
    names = readdirSync(RESERVATIONS_DIR);
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const pid = ownerOf(name);
    return pid !== undefined && isAlive(pid) ? [{ port: Number(name), pid }] : [];
  });
}

function reserve(port: number): boolean {
  const name = String(port);
  if (mine.has(name)) return false;
  mkdirSync(RESERVATIONS_DIR, { recursive: true });
  const file = join(RESERVATIONS_DIR, name);
  for (let tries = 0; tries < 2; tries++) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      if (mine.size === 0) {
        process.on('exit', releaseAll);
        sweepDeadOwners();
      }
      mine.add(name);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return false;
      const owner = ownerOf(name);
      // An owner that is still being written (undefined) or alive keeps it; a dead one's is taken.
      if (owner === undefined || isAlive(owner)) return false;
      try {
        unlinkSync(file);
      } catch {
        // another process took it over first: the retry's 'wx' decides
      }
    }
  }
  return false;
}

/** Removes what processes killed before their exit handler (SIGKILL) left behind. */
function sweepDeadOwners(): void {
  let names: string[];
  try {
    names = readdirSync(RESERVATIONS_DIR);
  } catch {
    return;
  }
  for (const name of names) {
    const owner = ownerOf(name);
    if (owner === undefined || isAlive(owner)) continue;
    try {
      unlinkSync(join(RESERVATIONS_DIR, name));
    } catch {
      // taken over or removed by another process meanwhile
    }
  }
}

function releaseAll(): void {
  for (const name of mine) {
    try {
      unlinkSync(join(RESERVATIONS_DIR, name));
    } catch {
      // already gone
    }
  }
  mine.clear();
}

function ownerOf(name: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(RESERVATIONS_DIR, name), 'utf8'));
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Whether nothing listens on `port` on any address (DynamoDB Local binds 0.0.0.0). */
function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '0.0.0.0', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** Where there is no ephemeral range to avoid: bind port 0, read it, release it. */
function kernelPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('could not read the bound port'))));
    });
  });
}
