// `ipam check`: finds inconsistencies between blocks, handles and affinities, blocks that overlap (and,
// given a netns probe, allocations whose container is gone). Pure data out; render with renderCheck().
import { existsSync } from 'node:fs';
import { cidrRange } from '../block-ranges';
import type { Cidr } from '../cidr';
import type { Datastore, KeyValue } from '../datastore';
import { BlockCountError, CorruptRecordError } from '../errors';
import { ALL_AFFINITIES_PREFIX, blockPrefix, HANDLE_PREFIX } from '../keys';
import type { HandleRecord } from '../model';
import { decode } from '../records';
import { decodeBlock, type AffinityRecord, type StoredBlock } from '../resources';

export type ProblemKind =
  | 'corrupt-record'
  | 'block-count-mismatch'
  | 'allocation-without-handle'
  | 'handle-without-allocations'
  | 'handle-count-mismatch'
  | 'affinity-without-block'
  | 'block-without-affinity'
  | 'overlapping-blocks'
  | 'leaked-ip';

export interface Problem {
  readonly kind: ProblemKind;
  /** The datastore record the problem is about, and its revision when seen (fixes are CAS on it). */
  readonly key: string;
  readonly revision: number;
  readonly detail: string;
  readonly ip?: string;
  readonly sequence?: number;
  readonly handleId?: string;
  readonly block?: string;
  readonly node?: string;
  /** overlapping-blocks: the larger block that `block` (the smaller one, whose record `key` is) lies in. */
  readonly overlaps?: string;
  /** handle-count-mismatch: the counts actually found in blocks (what the handle should say). */
  readonly actual?: Readonly<Record<string, number>>;
}

export interface CheckReport {
  readonly version: 1;
  readonly generatedAt: string;
  readonly datastore: string;
  readonly revision: number;
  readonly blocks: number;
  readonly allocations: number;
  readonly handles: number;
  readonly affinities: number;
  readonly problems: readonly Problem[];
}

export interface CheckOptions {
  /** Report allocations of this node whose `netns` no longer exists (needs the node's filesystem). */
  readonly node?: string;
  readonly netnsExists?: (path: string) => boolean;
}

/**
 * Every pair of blocks sharing an address, as [larger, smaller]. CIDRs never partly overlap — two either
 * are disjoint or one holds the other — so after sorting by start (larger first on a tie) the blocks
 * still open at a block's start form a chain that all hold it: O(n log n + pairs). Families apart: an
 * IPv4 block's integers would otherwise "overlap" ::/96.
 */
export function overlappingBlockPairs<T extends { readonly cidr: Cidr }>(blocks: readonly T[]): [T, T][] {
  const pairs: [T, T][] = [];
  for (const family of [4, 6]) {
    const rs = blocks
      .filter((b) => b.cidr.family === family)
      .map((b) => ({ b, r: cidrRange(b.cidr) }))
      .sort((x, y) => (x.r[0] !== y.r[0] ? (x.r[0] < y.r[0] ? -1 : 1) : x.r[1] > y.r[1] ? -1 : x.r[1] < y.r[1] ? 1 : 0));
    const open: typeof rs = [];
    for (const cur of rs) {
      while (open.length && open[open.length - 1].r[1] < cur.r[0]) open.pop();
      for (const outer of open) pairs.push([outer.b, cur.b]);
      open.push(cur);
    }
  }
  return pairs;
}

const isHandle = (v: unknown): v is HandleRecord =>
  typeof v === 'object' && v !== null && typeof (v as HandleRecord).handleId === 'string' && typeof (v as HandleRecord).block === 'object';
const isAffinity = (v: unknown): v is AffinityRecord =>
  typeof v === 'object' && v !== null && typeof (v as AffinityRecord).node === 'string' && typeof (v as AffinityRecord).cidr === 'string';

export async function checkIpam(ds: Datastore, opts: CheckOptions = {}): Promise<CheckReport> {
  const problems: Problem[] = [];
  const revision = await ds.revision();
  const corrupt = (kv: KeyValue, err: unknown): void => {
    if (!(err instanceof CorruptRecordError)) throw err;
    const kind = err instanceof BlockCountError ? 'block-count-mismatch' : 'corrupt-record';
    problems.push({ kind, key: kv.key, revision: kv.revision, detail: err.message });
  };

  const blocks: StoredBlock[] = [];
  // Blocks we cannot read: handles and affinities pointing at them can't be judged, so they aren't.
  const unreadable = new Set<string>();
  for (const kv of [...(await ds.list(blockPrefix(4))), ...(await ds.list(blockPrefix(6)))]) {
    try {
      blocks.push(decodeBlock(kv));
    } catch (err) {
      corrupt(kv, err);
      const part = kv.key.slice(kv.key.lastIndexOf('/') + 1);
      const dash = part.lastIndexOf('-');
      unreadable.add(`${part.slice(0, dash)}/${part.slice(dash + 1)}`);
    }
  }
  const handles = new Map<string, { key: string; revision: number; value: HandleRecord }>();
  for (const kv of await ds.list(HANDLE_PREFIX)) {
    try {
      const h = decode(kv, isHandle, 'IPAMHandle');
      handles.set(h.value.handleId, h);
    } catch (err) {
      corrupt(kv, err);
    }
  }
  const affinities: { key: string; revision: number; value: AffinityRecord }[] = [];
  for (const kv of await ds.list(ALL_AFFINITIES_PREFIX)) {
    try {
      affinities.push(decode(kv, isAffinity, 'BlockAffinity'));
    } catch (err) {
      corrupt(kv, err);
    }
  }

  // Actual per-handle, per-block counts from the blocks themselves.
  const actual = new Map<string, Record<string, number>>();
  let allocations = 0;
  const probe = opts.netnsExists ?? existsSync;
  for (const sb of blocks) {
    const cidr = sb.block.cidr.toString();
    for (const a of sb.block.allocations()) {
      allocations++;
      const ip = sb.block.cidr.addressAt(a.ordinal);
      const h = a.attr.handleId;
      const counts = actual.get(h) ?? {};
      counts[cidr] = (counts[cidr] ?? 0) + 1;
      actual.set(h, counts);
      if (!handles.has(h))
        problems.push({ kind: 'allocation-without-handle', key: sb.key, revision: sb.revision, ip, sequence: a.sequence, handleId: h, block: cidr, detail: `${ip} in block ${cidr} is held by handle ${h}, which does not exist` });
      const o = a.attr.owner;
      if (opts.node && o.node === opts.node && o.netns && !probe(o.netns))
        problems.push({ kind: 'leaked-ip', key: sb.key, revision: sb.revision, ip, sequence: a.sequence, handleId: h, block: cidr, node: o.node, detail: `${ip} (handle ${h}) belongs to netns ${o.netns}, which no longer exists` });
    }
  }
  for (const [id, h] of handles) {
    const act = actual.get(id) ?? {};
    const recorded = h.value.block;
    if (Object.keys(recorded).some((c) => unreadable.has(c))) continue;
    const total = Object.values(act).reduce((s, n) => s + n, 0);
    if (total === 0) {
      problems.push({ kind: 'handle-without-allocations', key: h.key, revision: h.revision, handleId: id, actual: {}, detail: `handle ${id} records ${JSON.stringify(recorded)} but holds no address` });
      continue;
    }
    const cidrs = new Set([...Object.keys(recorded), ...Object.keys(act)]);
    const diff = [...cidrs].filter((c) => (recorded[c] ?? 0) !== (act[c] ?? 0));
    if (diff.length)
      problems.push({ kind: 'handle-count-mismatch', key: h.key, revision: h.revision, handleId: id, actual: act, detail: `handle ${id}: ${diff.map((c) => `block ${c} recorded ${recorded[c] ?? 0}, actual ${act[c] ?? 0}`).join('; ')}` });
  }
  const byCidr = new Map(blocks.map((b) => [b.block.cidr.toString(), b]));
  const affKeys = new Set<string>();
  for (const a of affinities) {
    affKeys.add(`${a.value.node} ${a.value.cidr}`);
    if (unreadable.has(a.value.cidr)) continue;
    const b = byCidr.get(a.value.cidr);
    if (!b || b.block.affinity !== `host:${a.value.node}` || a.value.state === 'pendingDeletion')
      problems.push({ kind: 'affinity-without-block', key: a.key, revision: a.revision, node: a.value.node, block: a.value.cidr, detail: `${a.value.state} affinity of ${a.value.node} for ${a.value.cidr} ${!b ? 'has no block' : b.block.affinity !== `host:${a.value.node}` ? `but the block belongs to ${b.block.affinity ?? 'nobody'}` : 'was never finished'}` });
  }
  for (const b of blocks) {
    const node = b.block.affinity?.startsWith('host:') ? b.block.affinity.slice(5) : undefined;
    if (node && !affKeys.has(`${node} ${b.block.cidr}`))
      problems.push({ kind: 'block-without-affinity', key: b.key, revision: b.revision, node, block: b.block.cidr.toString(), detail: `block ${b.block.cidr} is affine to ${node}, which has no affinity record for it` });
  }
  // The allocator never writes these, but older versions or hand edits may have: an address inside both
  // can be handed out once from each. Reported only; which block should go is an operator's call.
  const owner = (b: StoredBlock): string => `${b.block.affinity ?? 'no affinity'}, ${b.block.used} allocated`;
  for (const [outer, inner] of overlappingBlockPairs(blocks.map((b) => ({ cidr: b.block.cidr, b })))) {
    const [i, o] = [inner.b, outer.b];
    problems.push({ kind: 'overlapping-blocks', key: i.key, revision: i.revision, block: i.block.cidr.toString(), overlaps: o.block.cidr.toString(), detail: `block ${i.block.cidr} (${owner(i)}) lies inside block ${o.block.cidr} (${owner(o)}): its addresses can be assigned from both` });
  }
  return {
    version: 1,
    generatedAt: new Date().toISOString(),
    datastore: ds.kind,
    revision,
    blocks: blocks.length,
    allocations,
    handles: handles.size,
    affinities: affinities.length,
    problems,
  };
}

export function renderCheck(r: CheckReport): string {
  const lines = [
    'Checking IPAM for inconsistencies...',
    `Found ${r.blocks} IPAM blocks recording ${r.allocations} allocations.`,
    `Found ${r.handles} IPAM handles and ${r.affinities} block affinities.`,
  ];
  const byKind = new Map<string, Problem[]>();
  for (const p of r.problems) byKind.set(p.kind, [...(byKind.get(p.kind) ?? []), p]);
  for (const [kind, ps] of byKind) {
    lines.push(`${kind}: ${ps.length}`);
    for (const p of ps.slice(0, 50)) lines.push(`  ${p.detail}`);
    if (ps.length > 50) lines.push(`  ... and ${ps.length - 50} more`);
  }
  lines.push(`Check complete; found ${r.problems.length} problems.`);
  return lines.join('\n') + '\n';
}
