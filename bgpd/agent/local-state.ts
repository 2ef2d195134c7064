// What this node originates and blackholes, derived from IPAM records. Only a block whose affinity
// record is confirmed AND whose block record names this node counts: a pending claim may still lose
// the block to another node (Calico #6867). Addresses this node holds in blocks of other nodes (or in
// blocks without an owner) are borrowed and need their own /32 (/128).
import type { IPPool } from '../../ipam/model';
import type { AffinityRecord, StoredBlock } from '../../ipam/resources';
import { Cidr } from '../../ipam/cidr';

export interface LocalState {
  /** Block CIDRs owned by this node: originated and programmed as blackholes. */
  blocks: string[];
  /** Host prefixes (/32 or /128) of addresses this node borrowed from other blocks. */
  borrowed: string[];
}

export function localState(node: string, blocks: readonly StoredBlock[], affinities: readonly AffinityRecord[]): LocalState {
  const confirmed = new Set(affinities.filter((a) => a.node === node && a.state === 'confirmed').map((a) => a.cidr));
  const own: string[] = [];
  const borrowed: string[] = [];
  for (const { block } of blocks) {
    const cidr = block.cidr.toString();
    if (block.affinity === `host:${node}`) {
      if (confirmed.has(cidr)) own.push(cidr);
      continue;
    }
    for (const a of block.allocations()) {
      if (a.attr.owner.node !== node) continue;
      const ip = block.cidr.addressAt(a.ordinal);
      borrowed.push(`${ip}/${block.cidr.family === 4 ? 32 : 128}`);
    }
  }
  return { blocks: own.sort(), borrowed: borrowed.sort() };
}

export interface PoolUsage {
  pool: string;
  allocated: number;
  capacity: number;
  blocks: number;
}

/** Addresses in use and block capacity per pool (blocks outside every pool are left out). */
export function poolUsage(pools: readonly IPPool[], blocks: readonly StoredBlock[]): PoolUsage[] {
  const parsed = pools.map((p) => ({ pool: p, cidr: Cidr.parse(p.cidr) })).filter((p) => p.cidr !== undefined);
  const out = new Map(pools.map((p) => [p.cidr, { pool: p.cidr, allocated: 0, capacity: 0, blocks: 0 }]));
  for (const { block } of blocks) {
    const hit = parsed.find((p) => p.cidr!.containsCidr(block.cidr));
    const u = hit ? out.get(hit.pool.cidr) : undefined;
    if (!u) continue;
    u.blocks++;
    u.capacity += block.size;
    u.allocated += block.used;
  }
  return [...out.values()];
}
