// IPPool defaults and validation, and pool CRUD in the datastore.
import { Cidr } from './cidr';
import type { Datastore } from './datastore';
import { CorruptRecordError, FamilyMismatchError, InvalidPoolError, PoolOverlapError } from './errors';
import { blockPrefix, POOL_PREFIX, poolKey } from './keys';
import type { AllowedUse, Encapsulation, IPPool } from './model';
import { decode, type Stored } from './records';
import { parseSelector } from './selector';

export type PoolInput = Partial<Omit<IPPool, 'cidr'>> & { readonly cidr: string };

const LINK_LOCAL = [Cidr.parse('169.254.0.0/16')!, Cidr.parse('fe80::/10')!];

/** Fills defaults and validates one pool on its own (overlaps need the others: see createPool). */
export function normalizePool(input: PoolInput): IPPool {
  const label = input.name ?? input.cidr;
  const cidr = Cidr.parse(input.cidr, false);
  if (!cidr) throw new InvalidPoolError(label, `'${input.cidr}' is not a CIDR`);
  if (Cidr.parse(input.cidr, true) === undefined)
    throw new InvalidPoolError(label, `${input.cidr} has host bits set (did you mean ${cidr}?)`);
  for (const ll of LINK_LOCAL) if (ll.overlaps(cidr)) throw new InvalidPoolError(label, `${cidr} overlaps link-local ${ll}`);
  const [lo, hi, dflt] = cidr.family === 4 ? [20, 32, 26] : [116, 128, 122];
  const blockSize = input.blockSize ?? dflt;
  if (!Number.isInteger(blockSize) || blockSize < lo || blockSize > hi)
    throw new InvalidPoolError(label, `blockSize ${blockSize} is out of range ${lo}–${hi} for IPv${cidr.family}`);
  if (blockSize < cidr.prefix)
    throw new InvalidPoolError(label, `blockSize /${blockSize} is larger than the pool ${cidr} itself`);
  const encapsulation: Encapsulation = input.encapsulation ?? 'none';
  if (!['ipip', 'vxlan', 'none'].includes(encapsulation))
    throw new InvalidPoolError(label, `encapsulation must be ipip, vxlan or none, not '${encapsulation}'`);
  if (encapsulation === 'ipip' && cidr.family === 6) throw new InvalidPoolError(label, 'IPIP is IPv4 only');
  const allowedUses: AllowedUse[] = [...(input.allowedUses ?? ['workload', 'tunnel'])];
  if (allowedUses.length === 0 || allowedUses.some((u) => u !== 'workload' && u !== 'tunnel'))
    throw new InvalidPoolError(label, `allowedUses must be a non-empty subset of workload, tunnel`);
  const nodeSelector = input.nodeSelector ?? 'all()';
  if (!parseSelector(nodeSelector)) throw new InvalidPoolError(label, `unsupported nodeSelector '${nodeSelector}'`);
  return {
    name: input.name ?? `pool-${cidr.toString().replace(/[/:.]/g, '-')}`,
    cidr: cidr.toString(),
    blockSize,
    encapsulation,
    crossSubnet: input.crossSubnet ?? false,
    natOutgoing: input.natOutgoing ?? cidr.family === 4,
    disabled: input.disabled ?? false,
    nodeSelector,
    allowedUses,
  };
}

export function isPool(v: unknown): v is IPPool {
  const p = v as IPPool;
  return typeof p === 'object' && p !== null && typeof p.cidr === 'string' && typeof p.name === 'string' && typeof p.blockSize === 'number';
}

export async function listPools(ds: Datastore): Promise<Stored<IPPool>[]> {
  return (await ds.list(POOL_PREFIX)).map((kv) => {
    const rec = decode(kv, isPool, 'IPPool');
    // Re-validate: a hand-edited pool with a bad CIDR must be reported, not used.
    try {
      normalizePool(rec.value);
    } catch (err) {
      throw new CorruptRecordError(kv.key, (err as Error).message);
    }
    return rec;
  });
}

/** Creates a pool; rejects a name that exists and a CIDR that overlaps any existing pool. */
export async function createPool(ds: Datastore, input: PoolInput, family?: 4 | 6): Promise<IPPool> {
  const pool = normalizePool(input);
  const cidr = Cidr.parse(pool.cidr)!;
  if (family && cidr.family !== family) throw new FamilyMismatchError(`pool ${pool.cidr}`, family);
  for (const other of await listPools(ds)) {
    if (Cidr.parse(other.value.cidr)!.overlaps(cidr)) throw new PoolOverlapError(pool.cidr, other.value.cidr);
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
