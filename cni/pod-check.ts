// CHECK: re-reads the pod's wiring from the kernel and lists everything that differs from what ADD
// made (an empty list means healthy). Reads only; never repairs.
import { netnsIdOf, normalizePrefix, type Netlink } from '../dataplane';
import { GATEWAY_V4, GATEWAY_V6, HOST_VETH_MAC, hostPrefixOf, hostSysctls, type PodAddress } from './pod-network';

export interface PodCheckSpec {
  hostVeth: string;
  ifname: string;
  netns: string;
  addresses: readonly PodAddress[];
  /** from prevResult, when it says */
  containerMac?: string;
  mtu?: number;
}

export function checkPodNetwork(host: Netlink, cont: Netlink, spec: PodCheckSpec): string[] {
  const problems: string[] = [];
  const { hostVeth, ifname } = spec;
  const families = new Set(spec.addresses.map((a) => a.family));

  const c = cont.links.get(ifname);
  const h = host.links.get(hostVeth);
  if (!c) problems.push(`container interface ${ifname} is missing in ${spec.netns}`);
  if (!h) problems.push(`host interface ${hostVeth} is missing`);
  if (c) {
    if (c.kind !== 'veth') problems.push(`${ifname} is a ${c.kind ?? 'non-veth'} device, not a veth`);
    if (!c.up) problems.push(`${ifname} is down`);
    if (spec.containerMac && c.mac?.toLowerCase() !== spec.containerMac.toLowerCase()) problems.push(`${ifname} MAC is ${c.mac}, expected ${spec.containerMac}`);
    if (spec.mtu && c.mtu !== spec.mtu) problems.push(`${ifname} MTU is ${c.mtu}, expected ${spec.mtu}`);
  }
  if (h) {
    if (h.kind !== 'veth') problems.push(`${hostVeth} is a ${h.kind ?? 'non-veth'} device, not a veth`);
    if (!h.up) problems.push(`${hostVeth} is down`);
    if (h.mac !== HOST_VETH_MAC) problems.push(`${hostVeth} MAC is ${h.mac}, expected ${HOST_VETH_MAC}`);
    // ADD sets the MTU on both ends; a smaller host end drops or fragments what the host sends in.
    if (spec.mtu && h.mtu !== spec.mtu) problems.push(`${hostVeth} MTU is ${h.mtu}, expected ${spec.mtu}`);
  }
  // A veth's IFLA_LINK is its peer's ifindex (in the peer's netns): both must point at each other.
  if (c && h && (h.parentIndex !== c.index || c.parentIndex !== h.index)) {
    problems.push(`${hostVeth} and ${ifname} are not a veth pair (peer indexes ${h.parentIndex}/${c.parentIndex}, indexes ${h.index}/${c.index})`);
  } else if (c && h) {
    // Indexes alone cannot tell pods apart (every fresh pod netns numbers its eth0 2): the host end's
    // peer must also live in this pod's netns, i.e. its link-netnsid is that netns' id on the host.
    const want = netnsIdOf(host, spec.netns);
    if (h.linkNetnsId === undefined) problems.push(`${hostVeth}'s peer is not in ${spec.netns} (it is in the host netns)`);
    else if (h.linkNetnsId !== want) problems.push(`${hostVeth}'s peer is not in ${spec.netns} (link-netnsid ${h.linkNetnsId}, that netns is ${want} here)`);
  }

  if (h) {
    for (const s of hostSysctls(hostVeth, families)) {
      let v: string | undefined;
      try {
        v = host.sysctl.read(s.key);
      } catch {
        if (!s.optional) problems.push(`sysctl ${s.key.join('.')} cannot be read`);
        continue;
      }
      if (v !== s.value) problems.push(`sysctl ${s.key.join('.')} is ${v}, expected ${s.value}`);
    }
  }

  if (c) {
    const have = new Set(cont.addresses.list({ dev: ifname }).map((a) => a.address));
    for (const a of spec.addresses) {
      const want = normalizePrefix(hostPrefixOf(a));
      if (!have.has(want)) problems.push(`address ${want} is missing on ${ifname}`);
    }
    const routes = cont.routes.dump({ dev: ifname });
    const has = (dst: string, gw?: string): boolean => routes.some((r) => r.dst === dst && (r.table ?? 254) === 254 && r.gateway === gw);
    if (families.has(4)) {
      if (!routes.some((r) => r.dst === `${GATEWAY_V4}/32` && !r.gateway && r.scope === 'link')) problems.push(`route ${GATEWAY_V4} dev ${ifname} scope link is missing in the container`);
      if (!has('0.0.0.0/0', GATEWAY_V4)) problems.push(`route default via ${GATEWAY_V4} dev ${ifname} is missing in the container`);
    }
    if (families.has(6) && !has('::/0', GATEWAY_V6)) problems.push(`route default via ${GATEWAY_V6} dev ${ifname} is missing in the container`);
  }

  if (h) {
    const routes = host.routes.dump({ dev: hostVeth });
    for (const a of spec.addresses) {
      const dst = normalizePrefix(hostPrefixOf(a));
      if (!routes.some((r) => r.dst === dst && (r.table ?? 254) === 254 && !r.gateway)) problems.push(`host route ${dst} dev ${hostVeth} is missing`);
    }
  }
  return problems;
}
