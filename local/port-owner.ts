import { readdir, readFile, readlink } from 'node:fs/promises';

/**
 * Whether process `pid` is the one listening on TCP `port` (Linux: /proc/net/tcp{,6} and the
 * process's file descriptors); undefined where /proc cannot tell. The local runtime picks a free
 * port and then starts DynamoDB Local on it: when several runtimes start at once (the fault tier),
 * another one's JVM may take that port first, and a readiness probe would be answered by the wrong
 * database. local/dynamo-local.ts asks this before it calls its JVM ready.
 */
export async function listensOn(pid: number, port: number): Promise<boolean | undefined> {
  const inodes = new Set<string>();
  let readable = false;
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = await readFile(table, 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    readable = true;
    for (const line of text.split('\n').slice(1)) {
      // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
      const fields = line.trim().split(/\s+/);
      const [local, state, inode] = [fields[1], fields[3], fields[9]];
      if (!local || state !== '0A' || !inode) continue; // 0A: LISTEN
      if (Number.parseInt(local.split(':')[1] ?? '', 16) === port) inodes.add(inode);
    }
  }
  if (!readable) return undefined;
  if (inodes.size === 0) return false;
  let fds: string[];
  try {
    fds = await readdir(`/proc/${pid}/fd`);
  } catch (error) {
    // Gone (exited and reaped, as a JVM that lost the port race is a moment later): it listens on
    // nothing. Only a /proc that will not say (permissions) leaves the answer open.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    return undefined;
  }
  for (const fd of fds) {
    const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
    const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
    if (inode && inodes.has(inode)) return true;
  }
  return false;
}

/**
 * Whether an answer on `port` may be taken for process `pid`'s: it listens there, or /proc cannot
 * tell and the process is still alive (a JVM or server that lost the port race has exited).
 */
export async function answersForItself(pid: number, port: number, alive: () => boolean): Promise<boolean> {
  const owner = await listensOn(pid, port);
  return owner === true || (owner === undefined && alive());
}
