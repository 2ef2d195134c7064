// Child process for the concurrency and crash tests (and bench): allocates or releases on its own
// datastore connection, the way parallel CNI invocations would. Input: one JSON argument
// (WorkerJob). Output: one JSON line per event, written synchronously so a line on the pipe always
// means the operation before it completed.
import { writeFileSync, unlinkSync, writeSync } from 'node:fs';
import { Ipam } from '../ipam';
import { openDatastore } from '../store/open';
import { FileStore } from '../store/file-store';
import { HostLock } from '../store/host-lock';
import { fnv1a32 } from '../hash';

export interface WorkerJob {
  readonly store: string;
  readonly node: string;
  readonly mode: 'alloc' | 'release';
  /** alloc: handles `${prefix}-${i}` for i < count. */
  readonly prefix?: string;
  readonly count?: number;
  /** release: these handles. */
  readonly handles?: readonly string[];
  /** Fake netns files live here (one per handle), standing in for the container's network namespace. */
  readonly netnsDir?: string;
  readonly family?: 4 | 6;
  /** Serialize IPAM calls host-wide (Calico's ipam.lock; file store: exclusive() transactions) instead of relying on CAS alone. */
  readonly hostLock?: boolean;
}

export type WorkerEvent =
  | { ev: 'ready' }
  | { ev: 'done'; handle: string; ip: string; sequence: number }
  | { ev: 'released'; handle: string; n: number }
  | { ev: 'error'; handle: string; message: string }
  | { ev: 'exit'; ms: number };

const say = (e: WorkerEvent): void => {
  writeSync(1, JSON.stringify(e) + '\n');
};

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2]) as WorkerJob;
  const ds = await openDatastore(job.store);
  // With the host lock, do what the CNI plugin does (cni/ipam-store.ts): on the file store each call
  // is one exclusive() transaction on the store's own lock; elsewhere a separate HostLock.
  const hostLock = !job.hostLock
    ? undefined
    : ds instanceof FileStore
      ? { with: <T>(fn: () => T | Promise<T>) => ds.exclusive(fn) }
      : new HostLock(`tortie-ipam-host:${fnv1a32(job.store)}`);
  const ipam = new Ipam(ds, hostLock ? { hostLock } : {});
  say({ ev: 'ready' });
  const t0 = Date.now();
  if (job.mode === 'alloc') {
    for (let i = 0; i < (job.count ?? 0); i++) {
      const handle = `${job.prefix}-${i}`;
      const netns = job.netnsDir ? `${job.netnsDir}/${handle}` : undefined;
      if (netns) writeFileSync(netns, '');
      try {
        const [a] = await ipam.autoAssign({ handleId: handle, node: job.node, family: job.family ?? 4, owner: { netns, containerId: handle } });
        say({ ev: 'done', handle, ip: a.ip, sequence: a.sequence });
      } catch (err) {
        say({ ev: 'error', handle, message: (err as Error).message });
      }
    }
  } else {
    for (const handle of job.handles ?? []) {
      // CNI DEL runs after the container is gone: its netns disappears first.
      if (job.netnsDir) {
        try {
          unlinkSync(`${job.netnsDir}/${handle}`);
        } catch {
          // already gone
        }
      }
      try {
        say({ ev: 'released', handle, n: await ipam.releaseByHandle(handle) });
      } catch (err) {
        say({ ev: 'error', handle, message: (err as Error).message });
      }
    }
  }
  say({ ev: 'exit', ms: Date.now() - t0 });
  await ds.close();
  process.exit(0);
}

void main();
