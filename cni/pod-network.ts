// The pod's wiring, Calico style (shared/reference/calico.md §2.6): a veth whose host end `caliX`
// has MAC ee:ee:ee:ee:ee:ee and answers ARP for 169.254.1.1 by proxy ARP; the pod gets its /32
// (/128) and a default route via 169.254.1.1 (IPv6: via the host end's link-local); the host routes
// each pod address to the veth. Every step is synchronous netlink; failures name the step.
import type { Netlink } from '../dataplane';
import { CniCode, CniError } from './errors';
import { faultPoint, type AddStep } from './fault';
import type { Logger } from './log';
import type { Rollback } from './rollback';

export const HOST_VETH_MAC = 'ee:ee:ee:ee:ee:ee';
export const GATEWAY_V4 = '169.254.1.1';
/** EUI-64 link-local of ee:ee:ee:ee:ee:ee: what the host veth gets, so the pod's v6 gateway. */
export const GATEWAY_V6 = 'fe80::ecee:eeff:feee:eeee';

export interface PodAddress {
  ip: string;
  family: 4 | 6;
}

export interface PodNetworkSpec {
  hostVeth: string;
  ifname: string;
  /** container netns path */
  netns: string;
  mtu: number;
  addresses: readonly PodAddress[];
  allowIpForwarding?: boolean;
}

/** Host-side sysctls and the values CHECK expects. */
export function hostSysctls(dev: string, families: ReadonlySet<4 | 6>): { key: string[]; value: string; optional?: boolean }[] {
  const out: { key: string[]; value: string; optional?: boolean }[] = [];
  if (families.has(4)) {
    out.push({ key: ['net', 'ipv4', 'conf', dev, 'route_localnet'], value: '1' });
    out.push({ key: ['net', 'ipv4', 'neigh', dev, 'proxy_delay'], value: '0' });
    out.push({ key: ['net', 'ipv4', 'conf', dev, 'proxy_arp'], value: '1' });
    out.push({ key: ['net', 'ipv4', 'conf', dev, 'forwarding'], value: '1' });
  }
  if (families.has(6)) {
    out.push({ key: ['net', 'ipv6', 'conf', dev, 'proxy_ndp'], value: '1' });
    out.push({ key: ['net', 'ipv6', 'conf', dev, 'forwarding'], value: '1' });
  }
  // Never let a router advertisement on the pod side rewrite the host's routes (optional: no IPv6 in the kernel).
  out.push({ key: ['net', 'ipv6', 'conf', dev, 'accept_ra'], value: '0', optional: !families.has(6) });
  return out;
}

export function hostPrefixOf(a: PodAddress): string {
  return a.family === 4 ? `${a.ip}/32` : `${a.ip}/128`;
}

/** Runs one step; a test fault for the step fires after its work, so its own undo is exercised too. */
function step<T>(name: AddStep, what: string, fn: () => T): T {
  let out: T;
  try {
    out = fn();
  } catch (err) {
    if (err instanceof CniError) throw err;
    throw new CniError(CniCode.DataplaneFailure, `${what}: ${(err as Error).message}`, `step ${name}`);
  }
  faultPoint(name);
  return out;
}

export interface PodNetworkOutcome {
  containerMac: string;
  hostMac: string;
}

export function setupPodNetwork(host: Netlink, cont: Netlink, spec: PodNetworkSpec, rollback: Rollback, log: Logger): PodNetworkOutcome {
  const { hostVeth, ifname } = spec;
  const families = new Set(spec.addresses.map((a) => a.family));

  step('stale-veth', `removing stale host interface ${hostVeth}`, () => {
    // Same pod, new sandbox: the old sandbox's host end has our name. Deleting it frees the name
    // (and its routes); its addresses belong to the old sandbox's handle, released by its DEL.
    if (host.links.get(hostVeth)) {
      log.warn(`deleting stale host interface ${hostVeth}`);
      host.links.del(hostVeth);
    }
  });

  step('veth', `creating veth ${hostVeth} <-> ${ifname}`, () => {
    if (cont.links.get(ifname)) throw new CniError(CniCode.DataplaneFailure, `interface ${ifname} already exists in ${spec.netns}`, 'step veth');
    host.links.createVeth({ name: hostVeth, peerName: ifname, peerNetns: spec.netns, mtu: spec.mtu, mac: HOST_VETH_MAC });
    rollback.push(`delete veth ${hostVeth}`, () => {
      if (host.links.get(hostVeth)) host.links.del(hostVeth);
    });
    // The kernel has been seen to ignore a MAC given at creation (Calico re-sets and re-reads it).
    if (host.links.get(hostVeth)?.mac !== HOST_VETH_MAC) host.links.setMac(hostVeth, HOST_VETH_MAC);
  });

  step('host-sysctls', `host sysctls on ${hostVeth}`, () => {
    for (const s of hostSysctls(hostVeth, families)) {
      try {
        host.sysctl.write(s.key, s.value);
      } catch (err) {
        if (!s.optional) throw err;
      }
    }
  });

  step('link-up', `setting ${hostVeth} and ${ifname} up`, () => {
    if (families.has(6)) {
      // No DAD on the pod's /128 (nothing else can hold it) and IPv6 on for the interface.
      cont.sysctl.write(['net', 'ipv6', 'conf', ifname, 'accept_dad'], 0);
      cont.sysctl.write(['net', 'ipv6', 'conf', ifname, 'disable_ipv6'], 0);
    }
    host.links.setUp(hostVeth);
    cont.links.setUp(ifname);
  });

  step('container-addresses', `adding addresses to ${ifname}`, () => {
    for (const a of spec.addresses) cont.addresses.add({ dev: ifname, address: hostPrefixOf(a), nodad: a.family === 6 });
  });

  step('container-routes', `adding routes in ${spec.netns}`, () => {
    if (families.has(4)) {
      cont.routes.add({ dst: `${GATEWAY_V4}/32`, dev: ifname, scope: 'link' });
      cont.routes.add({ dst: 'default', family: 4, gateway: GATEWAY_V4, dev: ifname });
    }
    if (families.has(6)) cont.routes.add({ dst: 'default', family: 6, gateway: GATEWAY_V6, dev: ifname });
    if (spec.allowIpForwarding !== undefined) {
      cont.sysctl.write('net.ipv4.ip_forward', spec.allowIpForwarding ? 1 : 0);
      if (families.has(6)) cont.sysctl.write('net.ipv6.conf.all.forwarding', spec.allowIpForwarding ? 1 : 0);
    }
  });

  step('host-routes', `adding host routes to ${hostVeth}`, () => {
    for (const a of spec.addresses) {
      const dst = hostPrefixOf(a);
      try {
        host.routes.add({ dst, dev: hostVeth, scope: 'link' });
      } catch (err) {
        if ((err as { errno?: string }).errno !== 'EEXIST') throw err;
        // Felix (or a previous attempt) may have got there first: fine if it points at our veth.
        const other = host.routes.dump({ family: a.family }).find((r) => r.dst === dst && (r.table ?? 254) === 254);
        if (other?.dev !== hostVeth) {
          throw new CniError(CniCode.AddressConflict, `route ${dst} already exists for an interface other than '${hostVeth}'`, `existing route: dev ${other?.dev ?? '?'}`);
        }
      }
    }
  });

  const containerMac = cont.links.get(ifname)?.mac ?? '';
  const hostMac = host.links.get(hostVeth)?.mac ?? HOST_VETH_MAC;
  return { containerMac, hostMac };
}
