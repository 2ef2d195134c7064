// Done-when: 8 real processes × 200 allocations at once, on the file store and on etcd, for one node
// and for 4 nodes: every address distinct, every handle accounted for, `check` clean; then release
// everything in parallel: `check` clean and no block left except empty ones held by affinities.
import { dirname } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkIpam } from './cli/check';
import type { Datastore } from './datastore';
import { Ipam } from './ipam';
import { createPool } from './pools';
import { startEtcd, type EtcdHandle } from './store/etcd-harness';
import { EtcdStore } from './store/etcd-store';
import { FileStore } from './store/file-store';
import { bundleWorker, runWorkers } from './testing/run-workers';

const PROCS = 8;
const PER_PROC = 200;
let bundle: string;
let etcd: EtcdHandle | undefined;
const dirs: string[] = [];

beforeAll(async () => {
  bundle = await bundleWorker();
  dirs.push(dirname(bundle));
  etcd = await startEtcd();
}, 60_000);
afterAll(async () => {
  await etcd?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

interface StoreUnderTest {
  readonly spec: string;
  readonly ds: Datastore;
}

async function fileStore(): Promise<StoreUnderTest> {
  const dir = mkdtempSync('/tmp/tortie-ipam-conc-');
  dirs.push(dir);
  // No fsync: this test is about concurrency; crash safety has its own test (fsync only matters for
  // power loss, not for killed processes).
  return { spec: `file:${dir}?nosync`, ds: new FileStore(dir, { durable: false }) };
}

let etcdRuns = 0;
async function etcdStore(): Promise<StoreUnderTest> {
  // A fresh etcd keyspace per run: wipe what the previous run left.
  const ds = new EtcdStore({ hosts: etcd!.endpoint });
  if (etcdRuns++ > 0) await ds.client.delete().prefix('/tortie/').exec();
  return { spec: `etcd:${etcd!.endpoint}`, ds };
}

async function allocateAndRelease(open: () => Promise<StoreUnderTest>, nodes: number): Promise<void> {
  const { spec, ds } = await open();
  await createPool(ds, { name: 'conc', cidr: '10.128.0.0/20', blockSize: 25 });
  const jobs = Array.from({ length: PROCS }, (_, i) => ({ store: spec, node: `node-${i % nodes}`, mode: 'alloc' as const, prefix: `p${i}`, count: PER_PROC }));
  const t0 = Date.now();
  const ws = await runWorkers(bundle, jobs);
  const allocMs = Date.now() - t0;
  expect(ws.map((w) => w.child.exitCode)).toEqual(jobs.map(() => 0));
  const errors = ws.flatMap((w) => w.events.filter((e) => e.ev === 'error'));
  expect(errors).toEqual([]);
  const done = ws.flatMap((w) => w.events.flatMap((e) => (e.ev === 'done' ? [e] : [])));
  expect(done).toHaveLength(PROCS * PER_PROC);
  expect(new Set(done.map((d) => d.ip)).size).toBe(PROCS * PER_PROC);

  const ipam = new Ipam(ds);
  // Every handle holds exactly the address its worker was told about, in a block the worker's node
  // owns or borrowed legitimately.
  const handles = await ipam.res.listHandles();
  expect(handles).toHaveLength(PROCS * PER_PROC);
  const blocks = await ipam.res.listBlocks(4);
  const holder = new Map<string, string>();
  for (const b of blocks) for (const a of b.block.allocations()) holder.set(b.block.cidr.addressAt(a.ordinal), a.attr.handleId);
  for (const d of done) expect(holder.get(d.ip)).toBe(d.handle);
  const report = await checkIpam(ds);
  expect(report.problems).toEqual([]);
  expect(report.allocations).toBe(PROCS * PER_PROC);
  // Each node only claimed the blocks it needed (plus at most one per racing process).
  for (let n = 0; n < nodes; n++) {
    const affs = await ipam.res.listAffinities(`node-${n}`, 4);
    expect(affs.every((a) => a.value.state === 'confirmed')).toBe(true);
    expect(affs.length).toBeLessThanOrEqual(Math.ceil((PROCS * PER_PROC) / nodes / 128) + PROCS);
  }

  const t1 = Date.now();
  const rel = await runWorkers(
    bundle,
    jobs.map((j) => ({ store: spec, node: j.node, mode: 'release' as const, handles: Array.from({ length: PER_PROC }, (_, k) => `${j.prefix}-${k}`) })),
  );
  const releaseMs = Date.now() - t1;
  expect(rel.flatMap((w) => w.events.filter((e) => e.ev === 'error'))).toEqual([]);
  expect(rel.flatMap((w) => w.events.flatMap((e) => (e.ev === 'released' ? [e.n] : []))).reduce((s, n) => s + n, 0)).toBe(PROCS * PER_PROC);
  const after = await checkIpam(ds);
  expect(after.problems).toEqual([]);
  expect(after.allocations).toBe(0);
  expect(after.handles).toBe(0);
  const left = await ipam.res.listBlocks(4);
  const affs = await ipam.res.listAffinities();
  expect(left.length).toBe(affs.length);
  expect(left.every((b) => b.block.empty && b.block.affinity !== null)).toBe(true);
  for (let n = 0; n < nodes; n++) await ipam.releaseEmptyAffinities(`node-${n}`);
  expect(await ipam.res.listBlocks(4)).toEqual([]);
  console.log(`${ds.kind} ${nodes} node(s): ${PROCS}×${PER_PROC} allocations in ${allocMs} ms (${Math.round((PROCS * PER_PROC * 1000) / allocMs)}/s), released in ${releaseMs} ms`);
  await ds.close();
}

describe('IPv6, 8 processes × 50 allocations', () => {
  it('file store, 2 nodes: distinct addresses, check clean', async () => {
    const { spec, ds } = await fileStore();
    await createPool(ds, { name: 'v6', cidr: 'fd00:128::/116' });
    const ws = await runWorkers(
      bundle,
      Array.from({ length: PROCS }, (_, i) => ({ store: spec, node: `node-${i % 2}`, mode: 'alloc' as const, prefix: `v6p${i}`, count: 50, family: 6 as const })),
    );
    const done = ws.flatMap((w) => w.events.flatMap((e) => (e.ev === 'done' ? [e.ip] : [])));
    expect(done).toHaveLength(PROCS * 50);
    expect(new Set(done).size).toBe(PROCS * 50);
    expect(done.every((ip) => ip.startsWith('fd00:128::'))).toBe(true);
    const r = await checkIpam(ds);
    expect(r.problems).toEqual([]);
    expect(r.allocations).toBe(PROCS * 50);
    expect((await new Ipam(ds).res.listBlocks(6)).every((b) => b.block.cidr.prefix === 122)).toBe(true);
  }, 120_000);
});

describe('8 processes × 200 allocations', () => {
  it('file store, one node', () => allocateAndRelease(fileStore, 1), 300_000);
  it('file store, 4 nodes', () => allocateAndRelease(fileStore, 4), 300_000);
  it('etcd, one node', () => allocateAndRelease(etcdStore, 1), 300_000);
  it('etcd, 4 nodes', () => allocateAndRelease(etcdStore, 4), 300_000);
});
