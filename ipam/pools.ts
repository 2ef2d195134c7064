// IPPool defaults and validation, and pool CRUD in the datastore.
import { Cidr } from './cidr';
import type { Datastore, KeyValue } from './datastore';
import { FamilyMismatchError, InvalidPoolError, PoolOverlapError } from './errors';
import { blockPrefix, POOL_PREFIX, poolKey } from './keys';
import type { AllowedUse, IPPool } from './model';
import { decode, type Stored } from './records';
import { parseSelector } from './selector';

export type PoolInput = Partial<Omit<IPPool, 'cidr'>> & { readonly cidr: string };

const LINK_LOCAL = [Cidr.parse('169.254.0.0/16')!, Cidr.parse('fe80::/10')!];

/** One thing wrong with a pool: the field (as in the IPPool CRD's spec) and why. */
export interface PoolProblem {
  readonly field: string;
  readonly message: string;
}

/** Everything wrong with one pool on its own (overlaps need the others: see checkPools). Empty = valid. */
export function poolProblems(input: PoolInput): PoolProblem[] {
  const out: PoolProblem[] = [];
  const bad = (field: string, message: string): void => void out.push({ field, message });
  const cidr = typeof input.cidr === 'string' ? Cidr.parse(input.cidr, false) : undefined;
  if (!cidr) bad('cidr', `'${String(input.cidr)}' is not a CIDR`);
  else {
    if (Cidr.parse(input.cidr, true) === undefined) bad('cidr', `${input.cidr} has host bits set (did you mean ${cidr}?)`);
    for (const ll of LINK_LOCAL) if (ll.overlaps(cidr)) bad('cidr', `${cidr} overlaps link-local ${ll}`);
    const [lo, hi, dflt] = cidr.family === 4 ? [20, 32, 26] : [116, 128, 122];
    const blockSize = input.blockSize ?? dflt;
    if (!Number.isInteger(blockSize) || blockSize < lo || blockSize > hi) bad('blockSize', `blockSize ${blockSize} is out of range ${lo}–${hi} for IPv${cidr.family}`);
    else if (blockSize < cidr.prefix) bad('blockSize', `blockSize /${blockSize} is larger than the pool ${cidr} itself`);
    if (input.encapsulation === 'ipip' && cidr.family === 6) bad('encapsulation', 'IPIP is IPv4 only');
  }
  const encapsulation = input.encapsulation ?? 'none';
  if (!['ipip', 'vxlan', 'none'].includes(encapsulation)) bad('encapsulation', `encapsulation must be ipip, vxlan or none, not '${encapsulation}'`);
  const uses = input.allowedUses ?? ['workload', 'tunnel'];
  if (!Array.isArray(uses) || uses.length === 0 || uses.some((u) => u !== 'workload' && u !== 'tunnel'))
    bad('allowedUses', 'allowedUses must be a non-empty subset of workload, tunnel');
  const nodeSelector = input.nodeSelector ?? 'all()';
  if (typeof nodeSelector !== 'string' || !parseSelector(nodeSelector)) bad('nodeSelector', `unsupported nodeSelector '${String(nodeSelector)}'`);
  return out;
}

/** Fills defaults and validates one pool on its own (overlaps need the others: see createPool). */
export function normalizePool(input: PoolInput): IPPool {
  const [first] = poolProblems(input);
  if (first) throw new InvalidPoolError(input.name ?? input.cidr, first.message);
  const cidr = Cidr.parse(input.cidr, true)!;
  return {
    name: input.name ?? `pool-${cidr.toString().replace(/[/:.]/g, '-')}`,
    cidr: cidr.toString(),
    blockSize: input.blockSize ?? (cidr.family === 4 ? 26 : 122),
    encapsulation: input.encapsulation ?? 'none',
    crossSubnet: input.crossSubnet ?? false,
    natOutgoing: input.natOutgoing ?? cidr.family === 4,
    disabled: input.disabled ?? false,
    nodeSelector: input.nodeSelector ?? 'all()',
    allowedUses: [...(input.allowedUses ?? ['workload', 'tunnel'])] as AllowedUse[],
  };
}

export function isPool(v: unknown): v is IPPool {
  const p = v as IPPool;
  return typeof p === 'object' && p !== null && typeof p.cidr === 'string' && typeof p.name === 'string' && typeof p.blockSize === 'number';
}

/** A pool as read from the datastore or an IPPool object, before validation. */
export interface PoolCandidate {
  readonly name: string;
  readonly input: PoolInput;
  /**
   * Orders pools, smallest first: when the pool was created — the store's create revision (etcd, file,
   * memory) or the Kubernetes creationTimestamp in ms. Never the revision of the last write: a pool
   * must not lose its place by being edited. Absent = after every pool that has one.
   */
  readonly created?: number;
  /** Ties of `created` and name (same second on Kubernetes): a stable unique id (uid, datastore key). */
  readonly uid?: string;
}

export interface CheckedPool {
  readonly name: string;
  /** The pool with defaults filled, when it may be used for allocation. */
  readonly pool?: IPPool;
  readonly problems: readonly PoolProblem[];
}

/**
 * Validates pools together, in the order given back. A pool that overlaps an earlier pool (created first,
 * then by name, then uid) is not usable: blocks of two overlapping pools with different block sizes are
 * different datastore keys for the same addresses, so the allocator could hand an address out twice.
 * The earlier pool keeps its range while it exists even when it is invalid or disabled (its blocks may
 * still hold addresses: an edit that breaks it must not hand its range to another pool). createPool
 * refuses overlaps; this catches pools written past it (kubectl apply, a hand-edited datastore). Every
 * node computes the same answer from the same pools, so they agree on which pool is used.
 */
export function checkPools(cands: readonly PoolCandidate[]): CheckedPool[] {
  const order = cands.map((c, i) => ({ c, i })).sort((a, b) => comparePools(a.c, b.c));
  const out: CheckedPool[] = new Array(cands.length);
  const taken: Array<{ name: string; text: string; cidr: Cidr }> = [];
  for (const { c, i } of order) {
    // host bits or not: the range the operator meant is taken
    const cidr = typeof c.input.cidr === 'string' ? Cidr.parse(c.input.cidr, false) : undefined;
    const first = cidr && taken.find((t) => t.cidr.overlaps(cidr));
    if (cidr) taken.push({ name: c.name, text: c.input.cidr, cidr });
    const problems = poolProblems(c.input);
    if (first) {
      const message = `${c.input.cidr} overlaps pool ${first.name} (${first.text}), which came first: not used for allocation`;
      problems.push({ field: 'cidr', message });
    }
    out[i] = problems.length > 0 ? { name: c.name, problems } : { name: c.name, pool: normalizePool({ ...c.input, name: c.name }), problems };
  }
  return out;
}

function comparePools(a: PoolCandidate, b: PoolCandidate): number {
  const ca = a.created ?? Infinity;
  const cb = b.created ?? Infinity;
  if (ca !== cb) return ca < cb ? -1 : 1;
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  const ua = a.uid ?? '';
  const ub = b.uid ?? '';
  return ua < ub ? -1 : ua > ub ? 1 : 0;
}

/** Every stored pool with what is wrong with it (for reports), in key order. */
export async function checkStoredPools(ds: Datastore): Promise<Array<CheckedPool & { key: string; revision: number }>> {
  return checkKvs(await ds.list(POOL_PREFIX));
}

function checkKvs(kvs: readonly KeyValue[]): Array<CheckedPool & { key: string; revision: number }> {
  const cands: PoolCandidate[] = [];
  const unreadable = new Map<number, string>();
  kvs.forEach((kv, i) => {
    try {
      const rec = decode(kv, isPool, 'IPPool');
      cands.push({ name: rec.value.name, input: rec.value, ...(kv.created !== undefined ? { created: kv.created } : {}), uid: kv.uid ?? kv.key });
    } catch (err) {
      unreadable.set(i, (err as Error).message);
      cands.push({ name: kv.key, input: { cidr: '' } });
    }
  });
  return checkPools(cands).map((c, i) => {
    const why = unreadable.get(i);
    return { ...(why ? { name: c.name, problems: [{ field: 'spec', message: why }] } : c), key: kvs[i].key, revision: kvs[i].revision };
  });
}

/**
 * The pools allocation may use, defaults filled. Invalid pools and pools overlapping an earlier one are
 * left out (k8s-ippools.ts reports them as Events/conditions), so one bad pool stops nobody's allocation.
 */
export async function listPools(ds: Datastore): Promise<Stored<IPPool>[]> {
  return checkKvs(await ds.list(POOL_PREFIX)).flatMap((c) => (c.pool ? [{ key: c.key, value: c.pool, revision: c.revision }] : []));
}

/** Creates a pool; rejects a name that exists and a CIDR that overlaps any existing pool. */
export async function createPool(ds: Datastore, input: PoolInput, family?: 4 | 6): Promise<IPPool> {
  const pool = normalizePool(input);
  const cidr = Cidr.parse(pool.cidr)!;
  if (family && cidr.family !== family) throw new FamilyMismatchError(`pool ${pool.cidr}`, family);
  // against every stored pool, usable or not: a new pool must not take the place of one being fixed
  for (const other of (await ds.list(POOL_PREFIX)).map((kv) => decode(kv, isPool, 'IPPool').value)) {
    const oc = Cidr.parse(other.cidr, false);
    if (oc?.overlaps(cidr)) throw new PoolOverlapError(pool.cidr, other.cidr);
  }
  const res = await ds.create(poolKey(pool.name), JSON.stringify(pool));
  if (!res.ok) throw new InvalidPoolError(pool.name, `a pool named ${pool.name} already exists`);
  return pool;
}

/**
 * Deletes a pool. Refused while blocks of the pool still hold addresses (they would keep being routed
 * but could never be re-allocated); empty blocks are given up by their nodes on their next assignment.
 */
export async function deletePool(ds: Datastore, name: string, opts: { force?: boolean } = {}): Promise<boolean> {
  const kv = await ds.get(poolKey(name));
  if (!kv) return false;
  const pool = decode(kv, isPool, 'IPPool').value;
  if (!opts.force) {
    const cidr = Cidr.parse(pool.cidr)!;
    let used = 0;
    let blocks = 0;
    for (const b of await ds.list(blockPrefix(cidr.family))) {
      const rec = JSON.parse(b.value) as { cidr?: string; allocations?: (number | null)[] };
      const bc = rec.cidr ? Cidr.parse(rec.cidr) : undefined;
      if (!bc || !cidr.containsCidr(bc)) continue;
      const n = (rec.allocations ?? []).filter((a) => a !== null).length;
      if (n) {
        blocks++;
        used += n;
      }
    }
    if (used) throw new InvalidPoolError(name, `cannot delete: ${used} addresses are still in use in ${blocks} blocks of ${pool.cidr}`);
  }
  return (await ds.delete(kv.key, kv.revision)).ok;
}
