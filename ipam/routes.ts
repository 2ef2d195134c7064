// What the routing side (bgpd) may advertise, derived from IPAM state. Only confirmed affinities
// count: a pending one may still lose its block to another node, and advertising it sends traffic to
// the wrong node (Calico #6867).
import type { Datastore } from './datastore';
import { Resources } from './resources';

export interface RoutableBlock {
  readonly cidr: string;
  readonly node: string;
}

/** An address allocated to a node other than its block's owner: needs its own /32 (/128) route. */
export interface BorrowedAddress {
  readonly ip: string;
  readonly node: string;
  readonly block: string;
  readonly blockNode: string | null;
}

export async function routableBlocks(ds: Datastore, node?: string): Promise<RoutableBlock[]> {
  const res = new Resources(ds);
  const blocks = new Map((await res.listBlocks()).map((b) => [b.block.cidr.toString(), b.block]));
  return (await res.listAffinities(node))
    .filter((a) => a.value.state === 'confirmed' && blocks.get(a.value.cidr)?.affinity === `host:${a.value.node}`)
    .map((a) => ({ cidr: a.value.cidr, node: a.value.node }));
}

export async function borrowedAddresses(ds: Datastore): Promise<BorrowedAddress[]> {
  const out: BorrowedAddress[] = [];
  for (const { block } of await new Resources(ds).listBlocks()) {
    const blockNode = block.affinity?.startsWith('host:') ? block.affinity.slice(5) : null;
    for (const a of block.allocations()) {
      const n = a.attr.owner.node;
      if (n && n !== blockNode) out.push({ ip: block.cidr.addressAt(a.ordinal), node: n, block: block.cidr.toString(), blockNode });
    }
  }
  return out;
}
