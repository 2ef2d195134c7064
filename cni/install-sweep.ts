// Leftovers of an install-cni run that was killed mid-way (the pod deleted, the node rebooted): the lib
// swap's `tortie-lib.tmp-<pid>` / `tortie-lib.old-<pid>` and install-files' `.<name>.tmp-<pid>-<hex>`.
// Nothing else would ever remove them. Only names install-cni makes are touched, and only when the pid
// that made them is not running — or is our own: this run has created nothing yet when it sweeps, so a
// name with our pid is an earlier run's (likely in a container, where every run is pid 1 or close).
// A pid is only meaningful in the pid namespace that wrote it: an unrelated live process with the same
// number keeps a leftover until a later run; it never makes us remove a live run's files, because two
// install-cni runs never share a node's directories at once (one DaemonSet pod per node).
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

function running(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes stale temp entries in `dir` whose base name `ours` accepts: `<name>.tmp-<pid>`,
 * `<name>.old-<pid>` (directories being swapped) and `.<name>.tmp-<pid>-<hex>` (files being written).
 * Returns the paths removed.
 */
export function sweepStale(dir: string, ours: (name: string) => boolean, log: (line: string) => void): string[] {
  if (!existsSync(dir)) return [];
  const removed: string[] = [];
  for (const entry of readdirSync(dir)) {
    const m = /^(.+)\.(?:tmp|old)-(\d+)$/.exec(entry) ?? /^\.(.+)\.tmp-(\d+)-[0-9a-f]{8}$/.exec(entry);
    if (!m || !ours(m[1]) || running(Number(m[2]))) continue;
    const path = join(dir, entry);
    rmSync(path, { recursive: true, force: true });
    removed.push(path);
    log(`removed leftover ${path} (its install-cni run, pid ${m[2]}, is gone)`);
  }
  return removed;
}
