// The ADD result per attachment (network, container, ifname), so an ADD repeated for the same
// container answers with what the first one did instead of allocating again (libcni keeps a similar
// cache under /var/lib/cni). Written atomically (temp + rename); DEL removes it.
import { mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NetConf } from './netconf';
import type { CniResult } from './result';

export const DEFAULT_DATA_DIR = '/var/lib/tortie/cni';

export interface CachedAttachment {
  hostVeth: string;
  netns: string;
  result: CniResult;
}

export function cachePath(conf: NetConf, containerId: string, ifname: string): string {
  return join(conf.data_dir ?? DEFAULT_DATA_DIR, 'results', `${conf.name}-${containerId}-${ifname}.json`);
}

export function readCache(path: string): CachedAttachment | undefined {
  try {
    const v = JSON.parse(readFileSync(path, 'utf8')) as CachedAttachment;
    return typeof v.hostVeth === 'string' && typeof v.result === 'object' ? v : undefined;
  } catch {
    return undefined;
  }
}

export function writeCache(path: string, entry: CachedAttachment): void {
  mkdirSync(join(path, '..'), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(entry));
  renameSync(tmp, path);
}

export function removeCache(path: string): void {
  // unlink, not rmSync: rmSync loads its recursive-removal module (~0.5 ms) even for one file.
  try {
    unlinkSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
