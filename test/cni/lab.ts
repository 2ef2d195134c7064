// Test-only fixture for the CNI lab tests: namespaces named tcn-<pid>-<tag><n> (a "host" and pods),
// a temp dir with a file IPAM store holding a pool, and cleanup of leftovers from dead test runs.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatastore } from '../../ipam/store/open';
import { createPool } from '../../ipam/pools';
import type { PoolInput } from '../../ipam/pools';
import { removeLeftoversMatching, run as sh } from '../../dataplane/lab-fixture';

export const REPO = join(import.meta.dirname, '..', '..');
export const DIST = join(REPO, 'dist');
export const CNI_PATH = [DIST, '/usr/lib/cni'];

let counter = 0;

export { sh };
export { status, ipJson } from '../../dataplane/lab-fixture';

/** Deletes tcn-<pid>-* namespaces whose creating process is gone. */
export function removeLeftovers(): void {
  removeLeftoversMatching(/^tcn-(\d+)-/);
}

export function netnsPath(name: string): string {
  return `/var/run/netns/${name}`;
}

export function createNetns(tag: string): string {
  const name = `tcn-${process.pid}-${tag}${counter++}`;
  sh('ip', ['netns', 'add', name]);
  sh('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
  return name;
}

export function deleteNetns(name: string): void {
  spawnSync('ip', ['netns', 'del', name], { stdio: 'ignore' });
}

export interface CniLab {
  dir: string;
  store: string;
  host: string;
  namespaces: string[];
  pod(tag?: string): string;
  cleanup(): void;
}

/** A host netns (with an uplink 198.18.0.1/24 + default route, so proxy ARP has a route) and a store. */
export async function createLab(pools: PoolInput[] = [{ cidr: '10.77.0.0/16' }]): Promise<CniLab> {
  removeLeftovers();
  const dir = mkdtempSync(join(tmpdir(), 'tcn-'));
  const store = `file:${join(dir, 'store')}?nosync`;
  const ds = await openDatastore(store);
  for (const p of pools) await createPool(ds, p);
  await ds.close();
  const namespaces: string[] = [];
  const host = createNetns('host');
  namespaces.push(host);
  // No dummy driver in this kernel: a veth pair with both ends in the host stands in for the uplink.
  sh('ip', ['-n', host, 'link', 'add', 'tcnup0', 'type', 'veth', 'peer', 'name', 'tcnup1']);
  sh('ip', ['-n', host, 'link', 'set', 'tcnup1', 'up']);
  sh('ip', ['-n', host, 'link', 'set', 'tcnup0', 'up']);
  sh('ip', ['-n', host, 'addr', 'add', '198.18.0.1/24', 'dev', 'tcnup0']);
  sh('ip', ['-n', host, 'route', 'add', 'default', 'dev', 'tcnup0']);
  return {
    dir,
    store,
    host,
    namespaces,
    pod(tag = 'pod') {
      const n = createNetns(tag);
      namespaces.push(n);
      return n;
    },
    cleanup() {
      for (const n of namespaces) deleteNetns(n);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
