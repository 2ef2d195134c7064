// RIB benchmark: N IPv4 /24s from one eBGP peer -> import -> decision -> Adj-RIB-Out of one iBGP
// peer, encoded with the real codec. Reports time and bytes per route (heapUsed + external delta
// after gc, inputs and sent buffers released). Run:
//   node --expose-gc --import tsx bench/rib.ts [--quick]
// Anchor (from /work/shared/reference/bgp.md §2.3, measured on this machine): BIRD 2.0.12 ~94 B/route,
// FRR 8.4 ~674 B/route, 1M routes, one peer in and one out.
import { Afi, AsPathSegmentType } from '../bgpd/wire/types';
import type { PathAttributes, PrefixKey, UpdateMessage } from '../bgpd/wire/types';
import { Rib } from '../bgpd/rib/rib';
import { wireEncoder } from '../bgpd/rib/wire-encoder';

const quick = process.argv.includes('--quick');
const N = quick ? 100_000 : 1_000_000;
const PER_UPDATE = 1000; // /24 NLRI are 4 bytes: ~1000 fit in a 4096-byte UPDATE
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) console.warn('warning: run with node --expose-gc for meaningful memory numbers');

function mem(): number {
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

function key(i: number): PrefixKey {
  // 10.0.0.0/24 upward; skips nothing, 1M /24s span 10.0.0.0 - 25.65.63.0
  const a = 10 + (i >> 16);
  return String.fromCharCode(24, a, (i >> 8) & 255, i & 255);
}

function attrsFor(set: number): PathAttributes {
  return {
    origin: 0,
    asPath: [{ type: AsPathSegmentType.AS_SEQUENCE, asns: [65100, 64000 + (set % 1000), 3000 + Math.floor(set / 1000)] }],
    nextHop: '198.18.1.2',
    med: set,
  };
}

interface Result { name: string; routes: number; seconds: number; bytesPerRoute: number; updatesOut: number; attrSets: number }

async function scenario(name: string, attrSets: number, perUpdate = PER_UPDATE): Promise<Result> {
  const before = mem();
  const rib = new Rib({ localAs: 65000, routerId: '192.0.2.1', encoder: wireEncoder });
  const src = rib.addPeer({ address: '198.18.1.2', remoteAs: 65100 });
  const dst = rib.addPeer({ address: '198.18.0.2', remoteAs: 65000 });
  rib.peerUp(src, { routerId: '10.1.0.2', ctx: { as4: true, extendedMessage: false, ibgp: false }, families: [Afi.IPv4], localAddress: { ipv4: '198.18.1.1' } });
  rib.peerUp(dst, { routerId: '10.0.0.2', ctx: { as4: true, extendedMessage: false, ibgp: true }, families: [Afi.IPv4], localAddress: { ipv4: '198.18.0.1' } });
  let updatesOut = 0;
  let bytesOut = 0;
  const t0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  const setAttrs = Array.from({ length: attrSets }, (_, s) => attrsFor(s));
  for (let i = 0; i < N; ) {
    // feed like a session would: a window of UPDATEs, then let the RIB work in bounded batches
    for (let w = 0; w < 50 * Math.ceil(PER_UPDATE / perUpdate) && i < N; w++) {
      const nlri: PrefixKey[] = [];
      // with many sets, each UPDATE carries the prefixes of one set (as a real peer packs them)
      const per = Math.min(perUpdate, Math.ceil(N / attrSets));
      const end = Math.min(N, i + per);
      const set = attrSets === 1 ? 0 : Math.floor(i / per) % attrSets;
      for (; i < end; i++) nlri.push(key(i));
      const msg: UpdateMessage = { type: 2, withdrawn: [], attrs: setAttrs[set], nlri } as UpdateMessage;
      rib.update(src, msg);
    }
    while (rib.processBatch(20_000)) {
      for (const bufs of rib.takeOutput().values()) { updatesOut += bufs.length; for (const b of bufs) bytesOut += b.length; }
      await new Promise<void>((r) => setImmediate(r));
    }
    for (const bufs of rib.takeOutput().values()) { updatesOut += bufs.length; for (const b of bufs) bytesOut += b.length; }
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const after = mem();
  const st = rib.peerStats(dst);
  if (st.advertised !== N || rib.peerStats(src).accepted !== N) throw new Error(`bench: expected ${N} routes, got ${JSON.stringify(st)}`);
  const r = { name, routes: N, seconds, bytesPerRoute: (after - before) / N, updatesOut, attrSets: rib.attrs.size };
  console.log(`${name}: ${N} routes in ${seconds.toFixed(2)} s wall, ${cpuSeconds.toFixed(2)} s CPU `
    + `(${Math.round(N / cpuSeconds).toLocaleString('en')} routes/CPU-s), `
    + `${r.bytesPerRoute.toFixed(1)} B/route (heap+external delta), ${updatesOut} UPDATEs out (${(bytesOut / 1e6).toFixed(1)} MB), `
    + `${r.attrSets} attr sets interned, slots ${(rib.slots.bytes / 1e6).toFixed(1)} MB`);
  if (rib.loc(Afi.IPv4).table.size !== N) throw new Error('bench: table size');
  // withdraw everything (in UPDATE-sized lists) and check the memory comes back
  const w0 = process.hrtime.bigint();
  const wc0 = process.cpuUsage();
  for (let i = 0; i < N; ) {
    for (let w = 0; w < 50 && i < N; w++) {
      const withdrawn: PrefixKey[] = [];
      for (const end = Math.min(N, i + PER_UPDATE); i < end; i++) withdrawn.push(key(i));
      rib.update(src, { type: 2, withdrawn, attrs: {}, nlri: [] } as UpdateMessage);
    }
    while (rib.processBatch(20_000)) { rib.takeOutput(); await new Promise<void>((res) => setImmediate(res)); }
    rib.takeOutput();
  }
  const wSeconds = Number(process.hrtime.bigint() - w0) / 1e9;
  const wc = process.cpuUsage(wc0);
  const left = rib.stats();
  const afterWithdraw = mem();
  console.log(`  withdraw all: ${wSeconds.toFixed(2)} s wall, ${((wc.user + wc.system) / 1e6).toFixed(2)} s CPU; left: `
    + `${left.paths} paths, ${left.attrSets} attr sets; memory still held ${((afterWithdraw - before) / 1e6).toFixed(1)} MB `
    + `(route slot arrays keep their capacity: ${(rib.slots.bytes / 1e6).toFixed(1)} MB)`);
  return r;
}

const results: Result[] = [];
results.push(await scenario('one attribute set', 1));
mem();
results.push(await scenario('~5000 attribute sets', 5000));
mem();
results.push(await scenario('~5000 attribute sets, 2 prefixes per UPDATE (table-like)', 5000, 2));
// Best-path competition: several eBGP peers send the same prefixes (route-server / multi-homed shape).
async function overlap(peers: number, prefixes: number): Promise<void> {
  const before = mem();
  const rib = new Rib({ localAs: 65000, routerId: '192.0.2.1', encoder: wireEncoder, maxPaths: 4 });
  const dst = rib.addPeer({ address: '198.18.0.2', remoteAs: 65000 });
  rib.peerUp(dst, { routerId: '10.0.0.2', ctx: { as4: true, extendedMessage: false, ibgp: true }, families: [Afi.IPv4], localAddress: { ipv4: '198.18.0.1' } });
  const cpu0 = process.cpuUsage();
  for (let p = 0; p < peers; p++) {
    const id = rib.addPeer({ address: `198.18.1.${p + 2}`, remoteAs: 65100 + p });
    rib.peerUp(id, { routerId: `10.1.0.${p + 2}`, ctx: { as4: true, extendedMessage: false, ibgp: false }, families: [Afi.IPv4], localAddress: { ipv4: '198.18.1.1' } });
    // path lengths 1..3 so some peers tie (multipath) and some lose
    const attrs: PathAttributes = { origin: 0, asPath: [{ type: AsPathSegmentType.AS_SEQUENCE, asns: [65100 + p, 1, 2].slice(0, 1 + (p % 3)) }], nextHop: `198.18.1.${p + 2}` };
    for (let i = 0; i < prefixes; ) {
      const nlri: PrefixKey[] = [];
      for (const end = Math.min(prefixes, i + PER_UPDATE); i < end; i++) nlri.push(key(i));
      rib.update(id, { type: 2, withdrawn: [], attrs, nlri } as UpdateMessage);
      if (i % 20_000 === 0) while (rib.processBatch(20_000)) rib.takeOutput();
    }
    while (rib.processBatch(20_000)) rib.takeOutput();
    rib.takeOutput();
  }
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const paths = rib.stats().paths;
  console.log(`overlap: ${peers} peers x ${prefixes} same prefixes (${paths} paths, maxPaths 4): ${cpuSeconds.toFixed(2)} s CPU `
    + `(${Math.round(paths / cpuSeconds).toLocaleString('en')} paths/CPU-s), ${((mem() - before) / paths).toFixed(1)} B/path`);
}
await overlap(10, quick ? 10_000 : 100_000);

// Route reflector fan-out: one client sends, many clients receive the same encoded UPDATEs.
async function rrFanout(clients: number, routes: number): Promise<void> {
  const rib = new Rib({ localAs: 65000, routerId: '192.0.2.1', clusterId: '192.0.2.1', encoder: wireEncoder });
  const ctx = { as4: true, extendedMessage: false, ibgp: true };
  const ids = Array.from({ length: clients + 1 }, (_, n) => {
    const id = rib.addPeer({ address: `198.18.${n >> 8}.${n & 255}`, remoteAs: 65000, rrClient: true });
    rib.peerUp(id, { routerId: `10.0.${n >> 8}.${n & 255}`, ctx, families: [Afi.IPv4], localAddress: { ipv4: '198.18.255.1' } });
    return id;
  });
  while (rib.processBatch()) rib.takeOutput();
  rib.takeOutput();
  const t0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  let messages = 0;
  const distinct = new Set<Buffer>();
  for (let i = 0; i < routes; ) {
    const nlri: PrefixKey[] = [];
    for (const end = Math.min(routes, i + PER_UPDATE); i < end; i++) nlri.push(key(i));
    rib.update(ids[0], { type: 2, withdrawn: [], attrs: { origin: 0, asPath: [], nextHop: '198.18.0.0', localPref: 100 }, nlri } as UpdateMessage);
    while (rib.processBatch(20_000)) for (const b of rib.takeOutput().values()) { messages += b.length; for (const x of b) distinct.add(x); }
    for (const b of rib.takeOutput().values()) { messages += b.length; for (const x of b) distinct.add(x); }
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  console.log(`RR fan-out: ${routes} routes from 1 client to ${clients + 1} clients (sender included, FRR-style) in `
    + `${seconds.toFixed(2)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s CPU; ${messages} UPDATEs handed out, `
    + `${distinct.size} distinct buffers (encoded once per update group: ${rib.groups.size} group)`);
}
await rrFanout(quick ? 50 : 200, quick ? 20_000 : 100_000);

console.log('anchor (bgp.md §2.3, this machine): BIRD 2.0.12 ~94 B/route, FRR 8.4 ~674 B/route; goal < 300 B/route');
for (const r of results) console.log(`  ${r.name}: ${(r.bytesPerRoute / 94).toFixed(2)}x BIRD memory, ${r.bytesPerRoute < 300 ? 'within' : 'OVER'} goal`);
