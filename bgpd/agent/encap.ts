// Per-pool encapsulation of a remote prefix, in the route programmer's terms. A prefix outside every
// pool (e.g. a service range learned from the ToR) is routed natively.
import { Cidr } from '../../ipam/cidr';
import type { IPPool } from '../../ipam/model';
import type { Encap } from '../../dataplane/programmer/types';

export class PoolIndex {
  private readonly pools: { cidr: Cidr; pool: IPPool }[];

  constructor(pools: readonly IPPool[]) {
    this.pools = pools.flatMap((pool) => {
      const cidr = Cidr.parse(pool.cidr);
      return cidr ? [{ cidr, pool }] : [];
    });
  }

  poolOf(prefix: string): IPPool | undefined {
    const c = Cidr.parse(prefix, false);
    if (!c) return undefined;
    return this.pools.find((p) => p.cidr.containsCidr(c))?.pool;
  }

  encapOf(prefix: string): Encap {
    const p = this.poolOf(prefix);
    if (!p || p.encapsulation === 'none') return 'none';
    return p.crossSubnet ? (p.encapsulation === 'ipip' ? 'crossSubnet-ipip' : 'crossSubnet-vxlan') : p.encapsulation;
  }
}
