// Test helper for *.lab.test.ts: "nodes" (namespaces) on bridge underlays, each with one Calico-style
// pod (a namespace behind a veth, /32 on both ends) inside the node's block 10.65.<i>.0/26.
import type { Lab, LabHost } from '../../test/lab';
import { RouteProgrammer } from './programmer';
import type { Encap, NodeFacts, ProgrammerOptions, RemoteRoute } from './types';

export interface LabNode {
  name: string;
  index: number;
  host: LabHost;
  pod: LabHost;
  /** underlay IP with length, e.g. 198.18.1.1/24 */
  cidr: string;
  ip: string;
  underlayDev: string;
  block: string;
  podIp: string;
  /** VXLAN tunnel address / ipip tunnel address (first IP of the block) */
  tunnelIp: string;
  vtepMac: string;
}

export interface SubnetSpec {
  /** bridge name (≤ 8 chars) and its /24 */
  bridge: string;
  subnet: string;
  nodes: number[];
}

/**
 * Nodes n<i> for every i in the subnets; with more than one subnet, a router "r" joins every bridge
 * (last address slot) and each node routes the other subnets through it. The router knows nothing
 * about pod addresses: pod traffic crossing it must be encapsulated.
 */
export async function buildCluster(lab: Lab, subnets: SubnetSpec[]): Promise<{ nodes: LabNode[]; router?: LabHost }> {
  const nodes: LabNode[] = [];
  const router = subnets.length > 1 ? await lab.host('r', { forwarding: true }) : undefined;
  const hosts = new Map<number, LabHost>();
  for (const s of subnets) for (const i of s.nodes) hosts.set(i, await lab.host(`n${i}`, { forwarding: true }));
  const routerIps: string[] = [];
  for (const s of subnets) {
    const members = s.nodes.map((i) => hosts.get(i) as LabHost);
    const br = await lab.bridge(s.bridge, router ? [...members, router] : members, { subnet: s.subnet });
    if (router) routerIps.push(br.addressOf(router));
    for (const i of s.nodes) {
      const host = hosts.get(i) as LabHost;
      const cidr = (br.addresses.get(host.name) ?? [])[0];
      const ip = cidr.split('/')[0];
      const pod = await lab.host(`p${i}`);
      const nodeSide = `10.65.${i}.1`;
      const podIp = `10.65.${i}.2`;
      await lab.link(host, pod, { ifA: 'cali0', ifB: 'eth0', addrA: `${nodeSide}/32`, addrB: `${podIp}/32` });
      await host.ip(['route', 'add', `${podIp}/32`, 'dev', 'cali0']);
      await pod.ip(['route', 'add', `${nodeSide}/32`, 'dev', 'eth0', 'scope', 'link']);
      await pod.ip(['route', 'add', 'default', 'via', nodeSide]);
      nodes.push({
        name: host.name, index: i, host, pod, cidr, ip, underlayDev: br.ifName, block: `10.65.${i}.0/26`, podIp,
        tunnelIp: `10.65.${i}.0`, vtepMac: `66:00:00:00:00:${i.toString(16).padStart(2, '0')}`,
      });
    }
  }
  if (router) {
    for (const [si, s] of subnets.entries()) {
      for (const other of subnets) {
        if (other === s) continue;
        for (const i of s.nodes) await (hosts.get(i) as LabHost).ip(['route', 'add', other.subnet, 'via', routerIps[si]]);
      }
    }
  }
  return { nodes: nodes.sort((a, b) => a.index - b.index), router };
}

export function nodeFacts(n: LabNode, encap: Encap | 'none'): NodeFacts {
  const facts: NodeFacts = { underlayDev: n.underlayDev, address: n.cidr };
  if (encap.includes('vxlan')) facts.vxlan = { tunnelAddress: n.tunnelIp, mac: n.vtepMac };
  if (encap.includes('ipip')) facts.ipip = { tunnelAddress: n.tunnelIp };
  return facts;
}

/** The other nodes' blocks as remote routes, as bgpd would feed them. */
export function remotesFor(self: LabNode, all: LabNode[], encap: Encap): RemoteRoute[] {
  return all.filter((n) => n !== self).map((n) => ({
    prefix: n.block, encap,
    nextHops: [{ address: n.ip, node: n.name, vtep: { ip: n.tunnelIp, mac: n.vtepMac } }],
  }));
}

/** A started programmer for node n with the full mesh input. */
export async function startProgrammer(n: LabNode, all: LabNode[], encap: Encap, extra: Partial<ProgrammerOptions> = {}): Promise<RouteProgrammer> {
  const p = new RouteProgrammer({ netns: n.host.netns, node: nodeFacts(n, encap), repairDelayMs: 20, ...extra });
  p.replaceAll({ remotes: remotesFor(n, all, encap), locals: [{ prefix: n.block }] });
  await p.start();
  await p.flushed();
  return p;
}
