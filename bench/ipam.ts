// IPAM allocation throughput per datastore: one process allocating sequentially, and 8 processes
// allocating at once (real child processes, like parallel CNI ADDs), with and without the host lock
// (Calico's ipam.lock). Anchor: the store's own raw CAS rate (create of a fresh key), which bounds
// what an allocation (≥2 CAS writes + ~5 reads) can reach.
// Run: npx tsx bench/ipam.ts [--quick]     (needs the Debian etcd-server for the etcd rows)
import { mkdtempSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Datastore } from '../ipam/datastore';
import { Ipam } from '../ipam/ipam';
import { createPool } from '../ipam/pools';
import { startEtcd } from '../ipam/store/etcd-harness';
import { EtcdStore } from '../ipam/store/etcd-store';
import { FileStore } from '../ipam/store/file-store';
import { bundleWorker, runWorkers } from '../ipam/testing/run-workers';

const quick = process.argv.includes('--quick');
const SEQ = quick ? 200 : 1000;
const PAR = quick ? 50 : 200;

interface Target {
  readonly label: string;
  readonly spec: string;
  open(): Promise<Datastore>;
  reset(): Promise<void>;
}

const rows: string[][] = [];
const rate = (n: number, ms: number): string => String(Math.round((n * 1000) / ms));

async function measure(t: Target, bundle: string): Promise<void> {
  await t.reset();
  let ds = await t.open();
  let t0 = performance.now();
  for (let i = 0; i < SEQ; i++) await ds.create(`/bench/raw/${i}`, 'x');
  const raw = rate(SEQ, performance.now() - t0);
  await createPool(ds, { name: 'bench', cidr: '10.64.0.0/16', blockSize: 26 });
  const ipam = new Ipam(ds);
  t0 = performance.now();
  for (let i = 0; i < SEQ; i++) await ipam.autoAssign({ handleId: `seq-${i}`, node: 'bench-0', family: 4 });
  const seq = rate(SEQ, performance.now() - t0);
  t0 = performance.now();
  for (let i = 0; i < SEQ; i++) await ipam.releaseByHandle(`seq-${i}`);
  const rel = rate(SEQ, performance.now() - t0);
  // The CNI plugin's way on the file store: each call one exclusive() transaction (staged writes,
  // fsyncs batched per transaction). Fresh handles, same store.
  let seqTx = 'n/a';
  let relTx = 'n/a';
  if (ds instanceof FileStore) {
    const fs = ds;
    const txIpam = new Ipam(fs, { hostLock: { with: (fn) => fs.exclusive(fn) } });
    t0 = performance.now();
    for (let i = 0; i < SEQ; i++) await txIpam.autoAssign({ handleId: `tx-${i}`, node: 'bench-0', family: 4 });
    seqTx = rate(SEQ, performance.now() - t0);
    t0 = performance.now();
    for (let i = 0; i < SEQ; i++) await txIpam.releaseByHandle(`tx-${i}`);
    relTx = rate(SEQ, performance.now() - t0);
  }
  await ds.close();
  const par: string[] = [];
  for (const hostLock of [false, true]) {
    for (const nodes of [1, 4]) {
      await t.reset();
      ds = await t.open();
      await createPool(ds, { name: 'bench', cidr: '10.64.0.0/16', blockSize: 26 });
      await ds.close();
      const jobs = Array.from({ length: 8 }, (_, i) => ({ store: t.spec, node: `bench-${i % nodes}`, mode: 'alloc' as const, prefix: `p${i}`, count: PAR, hostLock }));
      const s = performance.now();
      const ws = await runWorkers(bundle, jobs);
      const ms = performance.now() - s;
      const done = ws.reduce((n, w) => n + w.events.filter((e) => e.ev === 'done').length, 0);
      if (done !== 8 * PAR) throw new Error(`${t.label}: only ${done} of ${8 * PAR} allocations succeeded`);
      // Process start-up (~60 ms each) is inside `ms`; the workers' own clocks exclude it.
      const inner = Math.max(...ws.map((w) => w.events.flatMap((e) => (e.ev === 'exit' ? [e.ms] : []))[0] ?? ms));
      par.push(rate(8 * PAR, inner));
    }
  }
  rows.push([t.label, raw, seq, rel, seqTx, relTx, ...par]);
}

async function main(): Promise<void> {
  const bundle = await bundleWorker();
  const dirs: string[] = [dirname(bundle)];
  const fileTarget = (durable: boolean): Target => {
    let dir = '';
    return {
      label: durable ? 'file (fsync)' : 'file (no fsync)',
      get spec() {
        return `file:${dir}${durable ? '' : '?nosync'}`;
      },
      open: async () => new FileStore(dir, { durable }),
      reset: async () => {
        if (dir) rmSync(dir, { recursive: true, force: true });
        dir = mkdtempSync('/tmp/tortie-ipam-bench-');
        dirs.push(dir);
      },
    };
  };
  const targets: Target[] = [fileTarget(true), fileTarget(false)];
  const etcd = await startEtcd().catch((err: Error) => {
    console.error(`etcd rows skipped: ${err.message}`);
    return undefined;
  });
  if (etcd) {
    targets.push({
      label: 'etcd (no fsync)',
      spec: `etcd:${etcd.endpoint}`,
      open: async () => new EtcdStore({ hosts: etcd.endpoint }),
      reset: async () => {
        const ds = new EtcdStore({ hosts: etcd.endpoint });
        await ds.client.delete().prefix('/').exec();
        await ds.close();
      },
    });
  }
  try {
    for (const t of targets) await measure(t, bundle);
  } finally {
    await etcd?.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
  const header = ['datastore', 'raw create/s', 'seq alloc/s', 'seq release/s', 'seq alloc/s tx', 'seq release/s tx', '8p 1node/s', '8p 4node/s', '8p 1node lock/s', '8p 4node lock/s'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  console.log(`IPAM throughput (${SEQ} sequential, 8 processes × ${PAR}; pool /16, blocks /26; load avg ${(await import('node:os')).loadavg()[0].toFixed(1)})`);
  for (const r of [header, ...rows]) console.log(r.map((c, i) => (i ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  '));
}

void main();
