// This node's tunnel endpoint for VXLAN/IPIP pools: an address from the node's own block (Calico's
// tunnel address, allocated under a per-node handle so a restart finds the same one) and, for VXLAN,
// a stable MAC derived from the node name (locally administered, unicast).
import { fnv1a32 } from '../../ipam/hash';
import type { Ipam } from '../../ipam/ipam';

export function vtepMac(node: string): string {
  const h = fnv1a32(node);
  const bytes = [0x66, (h >>> 24) & 0xff, (h >>> 16) & 0xff, (h >>> 8) & 0xff, h & 0xff, 0x01];
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

export const tunnelHandle = (node: string): string => `tunnel-addr-${node}`;

/** The node's tunnel address: the one already held under its handle, or a new one. */
export async function tunnelAddress(ipam: Ipam, node: string, kind: 'vxlan' | 'ipip'): Promise<string> {
  const handle = tunnelHandle(node);
  for (const { block } of await ipam.res.listBlocks(4)) {
    for (const a of block.allocations()) if (a.attr.handleId === handle) return block.cidr.addressAt(a.ordinal);
  }
  const [a] = await ipam.autoAssign({ handleId: handle, node, family: 4, use: 'tunnel', owner: { node, type: kind } });
  if (!a) throw new Error(`no address for the ${kind} tunnel of ${node}`);
  return a.ip;
}
