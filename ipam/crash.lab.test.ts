// Done-when: allocating and releasing processes SIGKILLed at random points, 50 rounds. After every
// round: no address held by two live containers, the datastore readable (no corrupt record), every
// leak (allocation whose container is gone, over-counted handle, half-made claim) reported by
// `check` and reclaimed by `gc`, leaving exactly the live containers' addresses.
import { existsSync, mkdtempSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkIpam } from './cli/check';
import { gcIpam } from './cli/gc';
import type { Datastore } from './datastore';
import { Ipam } from './ipam';
import { createPool } from './pools';
import { startEtcd, type EtcdHandle } from './store/etcd-harness';
import { EtcdStore } from './store/etcd-store';
import { FileStore } from './store/file-store';
import { bundleWorker, startWorker } from './testing/run-workers';
import type { WorkerJob } from './testing/alloc-worker';

const NODES = ['crash-a', 'crash-b'];
let bundle: string;
const dirs: string[] = [];
let etcd: EtcdHandle | undefined;

beforeAll(async () => {
  bundle = await bundleWorker();
  dirs.push(dirname(bundle));
}, 60_000);
afterAll(async () => {
  await etcd?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function crashRounds(ds: Datastore, spec: string, rounds: number): Promise<{ kills: number; leaks: number }> {
  const nsdir = mkdtempSync('/tmp/tortie-ipam-crashns-');
  dirs.push(nsdir);
  // Small blocks so claims (the multi-write path) happen often and get interrupted too.
  await createPool(ds, { name: 'crash', cidr: '10.200.0.0/22', blockSize: 28 });
  const ipam = new Ipam(ds);
  const live = new Map<string, string>(); // handle → ip of containers that exist
  let kills = 0;
  let leaks = 0;
  for (let round = 0; round < rounds; round++) {
    // Containers to tear down this round: their netns goes first, then a DEL releases them.
    const victims = [...live.keys()].sort(() => Math.random() - 0.5).slice(0, 4);
    for (const h of victims) {
      unlinkSync(join(nsdir, h));
      live.delete(h);
    }
    // Half the rounds also take the host lock (as the CNI plugin does): a holder killed inside it
    // must not block anyone.
    const hostLock = round % 2 === 1;
    const jobs: WorkerJob[] = [
      ...[0, 1, 2].map((i) => ({ store: spec, node: NODES[i % 2], mode: 'alloc' as const, prefix: `r${round}w${i}`, count: 4, netnsDir: nsdir, hostLock })),
      { store: spec, node: NODES[0], mode: 'release' as const, handles: victims, hostLock },
    ];
    const ws = jobs.map((j) => startWorker(bundle, j));
    await Promise.all(ws.map((w) => w.ready));
    await new Promise((r) => setTimeout(r, Math.random() * 40));
    for (const w of ws) {
      if (Math.random() < 0.7 && w.child.exitCode === null) {
        w.child.kill('SIGKILL');
        kills++;
      }
    }
    await Promise.all(ws.map((w) => w.exited));
    for (const w of ws) for (const e of w.events) if (e.ev === 'done') live.set(e.handle, e.ip);
    for (const w of ws) expect(w.events.filter((e) => e.ev === 'error')).toEqual([]);
    // An ADD that never answered: the runtime tears the sandbox down, so its netns is gone.
    for (const f of readdirSync(nsdir)) if (!live.has(f)) unlinkSync(join(nsdir, f));

    // Never a duplicate: live containers have distinct addresses, each still held by its handle.
    const ips = [...live.values()];
    expect(new Set(ips).size).toBe(ips.length);
    const holder = new Map<string, string>();
    for (const b of await ipam.res.listBlocks(4)) for (const a of b.block.allocations()) holder.set(b.block.cidr.addressAt(a.ordinal), a.attr.handleId);
    for (const [h, ip] of live) expect(holder.get(ip), `round ${round}: ${ip} of ${h}`).toBe(h);

    // Readable, and every leaked allocation is reported by check.
    const reports = await Promise.all(NODES.map((node) => checkIpam(ds, { node })));
    for (const r of reports) expect(r.problems.filter((p) => p.kind === 'corrupt-record')).toEqual([]);
    const leaked = new Set(reports.flatMap((r) => r.problems.filter((p) => p.kind === 'leaked-ip').map((p) => p.ip)));
    const allocated = [...holder.keys()];
    expect(allocated.filter((ip) => !ips.includes(ip)).sort()).toEqual([...leaked].sort());
    leaks += leaked.size + reports[0].problems.filter((p) => p.kind !== 'leaked-ip').length;

    // gc on each node reclaims everything; afterwards only live allocations remain, all consistent.
    for (const node of NODES) await gcIpam(ds, { node, graceMs: 0 });
    const after = await checkIpam(ds);
    expect(after.problems, `round ${round}`).toEqual([]);
    expect(after.allocations).toBe(live.size);
    expect(after.handles).toBe(live.size);
  }
  for (const h of live.keys()) expect(existsSync(join(nsdir, h))).toBe(true);
  return { kills, leaks };
}

describe('SIGKILL during allocation and release', () => {
  it('file store: 50 rounds', async () => {
    const dir = mkdtempSync('/tmp/tortie-ipam-crash-');
    dirs.push(dir);
    // No fsync: a SIGKILLed process loses nothing the page cache has (fsync is for power loss), and
    // the write order under test is the same either way.
    const ds = new FileStore(dir, { durable: false });
    const { kills, leaks } = await crashRounds(ds, `file:${dir}?nosync`, 50);
    console.log(`file store: ${kills} processes killed, ${leaks} leaks found and reclaimed`);
    expect(kills).toBeGreaterThan(50);
    // The store stays writable after all those deaths (no stuck lock).
    writeFileSync(join(dir, 'probe'), '');
    expect((await ds.create('/probe', 'x')).ok).toBe(true);
  }, 300_000);

  it('etcd: 10 rounds', async () => {
    etcd = await startEtcd();
    const ds = new EtcdStore({ hosts: etcd.endpoint });
    const { kills } = await crashRounds(ds, `etcd:${etcd.endpoint}`, 10);
    console.log(`etcd: ${kills} processes killed`);
    expect(kills).toBeGreaterThan(10);
    await ds.close();
  }, 300_000);
});
