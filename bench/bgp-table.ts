// Deterministic route tables for the BGP pass-through benchmark, and their pre-encoded UPDATEs.
// Two shapes: bgperf-style unique /32s under one attribute set (comparable with bgp.md §2.3), and a
// "realistic" table — Internet-like prefix lengths, 2–6 hop AS paths, ~5,000 attribute sets with
// communities — built from a seed so every run and every target sees the same bytes.
import { Afi, AsPathSegmentType } from '../bgpd/wire/types';
import type { CodecContext, PathAttributes, PrefixKey } from '../bgpd/wire/types';
import { encodeAttributes, packUpdates, packWithdrawals } from '../bgpd/wire';

export type TableKind = 'unique' | 'realistic';

export interface TableSpec {
  readonly kind: TableKind;
  readonly prefixes: number;
  /** Only the realistic table uses it; default 1. */
  readonly seed?: number;
}

/** Prefixes sharing one attribute set, in the order a real peer would pack them. */
export interface RouteGroup {
  readonly attrs: PathAttributes;
  readonly nlri: PrefixKey[];
}

export interface RouteTable {
  readonly spec: TableSpec;
  readonly groups: RouteGroup[];
  readonly prefixCount: number;
  readonly attrSetCount: number;
}

export interface EncodedTable {
  readonly announce: Buffer[];
  readonly withdraw: Buffer[];
  readonly announceBytes: number;
  readonly withdrawBytes: number;
}

/** "unique:100000", "realistic:1000000:7" → spec (what bgp-peer.ts receives on its command line). */
export function parseTableSpec(text: string): TableSpec {
  const [kind, n, seed] = text.split(':');
  const prefixes = Number(n);
  if ((kind !== 'unique' && kind !== 'realistic') || !Number.isInteger(prefixes) || prefixes < 1) {
    throw new Error(`bad table spec ${JSON.stringify(text)} (want unique:N or realistic:N[:seed])`);
  }
  return seed === undefined ? { kind, prefixes } : { kind, prefixes, seed: Number(seed) };
}

export function formatTableSpec(s: TableSpec): string {
  return s.seed === undefined ? `${s.kind}:${s.prefixes}` : `${s.kind}:${s.prefixes}:${s.seed}`;
}

/** mulberry32: tiny, fast, and the same sequence on every machine. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function key(addr: number, len: number): PrefixKey {
  const bytes = (len + 7) >> 3;
  let s = String.fromCharCode(len);
  for (let i = 0; i < bytes; i++) s += String.fromCharCode((addr >>> (24 - 8 * i)) & 255);
  return s;
}

/** bgperf's generator: unique /32s counting up from 100.0.0.0, all under one attribute set. */
function uniqueTable(spec: TableSpec, generatorAs: number, nextHop: string): RouteTable {
  const base = (100 << 24) >>> 0;
  if (spec.prefixes > 2 ** 24) throw new Error('unique table: at most 16M /32s fit in 100.0.0.0/8');
  const nlri = new Array<PrefixKey>(spec.prefixes);
  for (let i = 0; i < spec.prefixes; i++) nlri[i] = key((base + i) >>> 0, 32);
  const attrs: PathAttributes = { origin: 0, asPath: [{ type: AsPathSegmentType.AS_SEQUENCE, asns: [generatorAs] }], nextHop };
  return { spec, groups: [{ attrs, nlri }], prefixCount: spec.prefixes, attrSetCount: 1 };
}

/**
 * Share of each prefix length in a public IPv4 table (rounded from the shape of RouteViews tables
 * of the 2020s: /24 well over half, then /22, /23, /21, /20 ...; /8–/15 are rare).
 */
export const REALISTIC_LENGTH_SHARE: Readonly<Record<number, number>> = {
  8: 0.00002, 9: 0.00002, 10: 0.00004, 11: 0.0001, 12: 0.0003, 13: 0.0006, 14: 0.0012, 15: 0.002,
  16: 0.013, 17: 0.008, 18: 0.014, 19: 0.026, 20: 0.045, 21: 0.05, 22: 0.115, 23: 0.1, 24: 0.62468,
};

/** First octets never used: 0, 10, 100 (the unique table's), 127, 198 (lab links), multicast and up. */
function usableFirstOctet(o: number): boolean {
  return o >= 1 && o <= 223 && o !== 10 && o !== 100 && o !== 127 && o !== 198;
}

export const REALISTIC_ATTR_SETS = 5000;

/** The attribute sets of the realistic table: 2–6 hop AS paths starting at the generator, 0–4 communities, some MED / large communities. */
function realisticAttrSets(rand: () => number, generatorAs: number, nextHop: string, count: number): PathAttributes[] {
  const sets: PathAttributes[] = [];
  for (let i = 0; i < count; i++) {
    const hops = 2 + Math.floor(rand() * 5);
    const asns = [generatorAs];
    for (let h = 1; h < hops; h++) {
      // transit ASes from a small pool, origins from a large one (2- and 4-byte), as in real paths
      asns.push(h < hops - 1 ? 1000 + Math.floor(rand() * 200) : rand() < 0.3 ? 200000 + Math.floor(rand() * 200000) : 2000 + Math.floor(rand() * 60000));
    }
    const attrs: PathAttributes = { origin: rand() < 0.9 ? 0 : 2, asPath: [{ type: AsPathSegmentType.AS_SEQUENCE, asns }], nextHop };
    const nComm = Math.floor(rand() * 5);
    if (nComm > 0) {
      const comms = new Set<number>();
      while (comms.size < nComm) comms.add((((asns[1] & 0xffff) << 16) | Math.floor(rand() * 1000)) >>> 0);
      attrs.communities = [...comms].sort((a, b) => a - b);
    }
    if (rand() < 0.2) attrs.med = Math.floor(rand() * 1000);
    if (rand() < 0.1) attrs.largeCommunities = [{ global: generatorAs, local1: 1, local2: i }];
    sets.push(attrs);
  }
  return sets;
}

/**
 * Unique prefixes with the length mix above, sorted by address; neighbouring prefixes share an
 * attribute set in short runs (mean ~2.5, like one origin announcing adjacent blocks), runs pick
 * sets with a skew (a few transit paths carry many prefixes).
 */
function realisticTable(spec: TableSpec, generatorAs: number, nextHop: string): RouteTable {
  const rand = seededRandom(spec.seed ?? 1);
  const nSets = Math.min(REALISTIC_ATTR_SETS, Math.max(1, Math.floor(spec.prefixes / 4)));
  const sets = realisticAttrSets(rand, generatorAs, nextHop, nSets);
  const chosen: Array<{ addr: number; len: number }> = [];
  const lengths = Object.keys(REALISTIC_LENGTH_SHARE).map(Number);
  let assigned = 0;
  for (const len of lengths) {
    const want = len === 24 ? spec.prefixes - assigned : Math.round(spec.prefixes * REALISTIC_LENGTH_SHARE[len]);
    const space = 2 ** len;
    const seen = new Set<number>();
    let guard = 0;
    while (seen.size < want && guard++ < want * 20 + 1000) {
      const idx = Math.floor(rand() * space);
      const addr = len === 32 ? idx : (idx * 2 ** (32 - len)) >>> 0;
      if (!usableFirstOctet(addr >>> 24) || seen.has(addr)) continue;
      seen.add(addr);
    }
    for (const addr of seen) chosen.push({ addr, len });
    assigned += seen.size;
  }
  if (assigned !== spec.prefixes) throw new Error(`realistic table: placed ${assigned} of ${spec.prefixes} prefixes`);
  chosen.sort((a, b) => a.addr - b.addr || a.len - b.len);
  const groups: RouteGroup[] = [];
  const used = new Set<number>();
  for (let i = 0; i < chosen.length; ) {
    // skewed pick: squaring a uniform number favours low set indexes
    const set = Math.floor(rand() * rand() * nSets);
    used.add(set);
    const run = 1 + Math.floor(-Math.log(1 - rand()) * 1.5);
    const nlri: PrefixKey[] = [];
    for (const end = Math.min(chosen.length, i + run); i < end; i++) nlri.push(key(chosen[i].addr, chosen[i].len));
    groups.push({ attrs: sets[set], nlri });
  }
  return { spec, groups, prefixCount: chosen.length, attrSetCount: used.size };
}

export function buildTable(spec: TableSpec, generatorAs: number, nextHop: string): RouteTable {
  return spec.kind === 'unique' ? uniqueTable(spec, generatorAs, nextHop) : realisticTable(spec, generatorAs, nextHop);
}

/** The generator session never negotiates extended messages: 4096-byte UPDATEs, as every target accepts. */
export const GENERATOR_CTX: CodecContext = { as4: true, extendedMessage: false, ibgp: false };

/** Every UPDATE to announce the table and every UPDATE to withdraw it again, encoded once. */
export function encodeTable(table: RouteTable, ctx: CodecContext = GENERATOR_CTX): EncodedTable {
  const announce: Buffer[] = [];
  const cache = new Map<PathAttributes, Buffer>();
  const all: PrefixKey[] = [];
  for (const g of table.groups) {
    let attrBytes = cache.get(g.attrs);
    if (!attrBytes) {
      attrBytes = encodeAttributes(g.attrs, ctx);
      cache.set(g.attrs, attrBytes);
    }
    for (const m of packUpdates({ afi: Afi.IPv4, attrBytes, nlri: g.nlri, maxSize: 4096, ctx })) announce.push(m);
    for (const k of g.nlri) all.push(k);
  }
  const withdraw = packWithdrawals({ afi: Afi.IPv4, prefixes: all, maxSize: 4096, ctx });
  const sum = (bs: Buffer[]): number => bs.reduce((n, b) => n + b.length, 0);
  return { announce, withdraw, announceBytes: sum(announce), withdrawBytes: sum(withdraw) };
}

/** Concatenates messages into chunks of about `size` bytes so the socket sees few, large writes. */
export function chunk(messages: readonly Buffer[], size = 256 * 1024): Buffer[] {
  const out: Buffer[] = [];
  let cur: Buffer[] = [];
  let bytes = 0;
  for (const m of messages) {
    cur.push(m);
    bytes += m.length;
    if (bytes >= size) {
      out.push(Buffer.concat(cur, bytes));
      cur = [];
      bytes = 0;
    }
  }
  if (cur.length > 0) out.push(Buffer.concat(cur, bytes));
  return out;
}

/** Dotted quad `base` plus `n` (for numbering peers on one segment). */
export function addIPv4(base: string, n: number): string {
  const v = (base.split('.').reduce((a, o) => a * 256 + Number(o), 0) + n) >>> 0;
  return [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join('.');
}

export const CLUSTER_CTX: CodecContext = { as4: true, extendedMessage: false, ibgp: true };

/**
 * Cluster shapes (Calico node mesh, route reflector): peer i of an iBGP cluster originates `perPeer`
 * /26 pod blocks from 10.64.0.0/10, next hop itself, LOCAL_PREF 100 — what a node advertises.
 */
export function clusterPeerUpdates(peer: number, perPeer: number, nextHop: string): Buffer[] {
  const nlri: PrefixKey[] = [];
  for (let j = 0; j < perPeer; j++) nlri.push(key(((10 << 24) | (64 << 16)) + (peer * perPeer + j) * 64, 26));
  const attrs: PathAttributes = { origin: 0, asPath: [], nextHop, localPref: 100 };
  return packUpdates({ afi: Afi.IPv4, attrBytes: encodeAttributes(attrs, CLUSTER_CTX), nlri, maxSize: 4096, ctx: CLUSTER_CTX });
}
