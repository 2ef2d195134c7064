// Tunnel devices the encaps need, brought to the wanted state (created, fixed or recreated).
import type { Netlink } from '../index';
import { ipFamily } from '../ipaddr';
import { isNetlinkError } from '../netlink/errors';
import { IPIP_OVERHEAD, TUNL_DEV, VXLAN_DEV, VXLAN_OVERHEAD, VXLAN_PORT, VXLAN_VNI } from './desired';
import type { NodeFacts } from './types';

export function underlayMtu(nl: Netlink, node: NodeFacts): number {
  return node.mtu ?? nl.links.getOrThrow(node.underlayDev).mtu;
}

function hostPrefix(ip: string): string {
  const bare = ip.split('/')[0];
  return `${bare}/${ipFamily(bare) === 4 ? 32 : 128}`;
}

/** The device carries exactly this address of its family (others were stale tunnel addresses). */
function ensureOnlyAddress(nl: Netlink, dev: string, address: string): void {
  const family = ipFamily(address);
  const have = nl.addresses.list({ dev, family });
  for (const a of have) if (a.address !== address) nl.addresses.del({ dev, address: a.address });
  if (!have.some((a) => a.address === address)) nl.addresses.add({ dev, address });
}

/**
 * tunl0 is the ipip module's fallback device (one per netns, created when the module loads).
 * Asking for any ipip link loads the module where modprobe works; EEXIST then means tunl0 came with it.
 */
export function ensureIpip(nl: Netlink, node: NodeFacts): void {
  if (!node.ipip) return;
  if (!nl.links.get(TUNL_DEV)) {
    try {
      nl.links.createSimple(TUNL_DEV, 'ipip');
    } catch (e) {
      if (!(isNetlinkError(e) && e.errno === 'EEXIST')) {
        throw new Error(`ipip: no ${TUNL_DEV} and cannot create it (kernel without IPIP?): ${(e as Error).message}`);
      }
    }
  }
  const mtu = underlayMtu(nl, node) - IPIP_OVERHEAD;
  const link = nl.links.getOrThrow(TUNL_DEV);
  if (link.mtu !== mtu || !link.up) nl.links.set(TUNL_DEV, { mtu, up: true });
  ensureOnlyAddress(nl, TUNL_DEV, hostPrefix(node.ipip.tunnelAddress));
}

export function ensureVxlan(nl: Netlink, node: NodeFacts): void {
  if (!node.vxlan) return;
  const vx = node.vxlan;
  const vni = vx.vni ?? VXLAN_VNI;
  const port = vx.port ?? VXLAN_PORT;
  const local = node.address.split('/')[0];
  const parent = nl.links.index(node.underlayDev);
  const mtu = underlayMtu(nl, node) - VXLAN_OVERHEAD;
  const mac = vx.mac.toLowerCase();
  let link = nl.links.get(VXLAN_DEV);
  // Settings that cannot be changed in place: recreate (its FDB/ARP entries go with it; reconcile re-adds).
  const v = link?.vxlan;
  if (link && (!v || v.vni !== vni || v.port !== port || v.local !== local || v.linkIndex !== parent || v.learning)) {
    nl.links.del(VXLAN_DEV);
    link = undefined;
  }
  if (!link) {
    nl.links.createVxlan({ name: VXLAN_DEV, vni, port, local, dev: node.underlayDev, learning: false, mtu, mac });
    link = nl.links.getOrThrow(VXLAN_DEV);
  }
  if (link.mtu !== mtu || link.mac !== mac || !link.up) nl.links.set(VXLAN_DEV, { mtu, mac, up: true });
  ensureOnlyAddress(nl, VXLAN_DEV, hostPrefix(vx.tunnelAddress));
}

/** The devices whose loss or change takes our routes with it (the kernel flushes those silently). */
export function watchedDevices(node: NodeFacts): string[] {
  return [node.underlayDev, ...(node.ipip ? [TUNL_DEV] : []), ...(node.vxlan ? [VXLAN_DEV] : [])];
}
