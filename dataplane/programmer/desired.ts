// Pure translation of the input model into kernel routes (no I/O): what the programmer wants to see.
import { ipFamily } from '../ipaddr';
import type { NextHop, Route } from '../routes';
import { canonicalPrefix, subnetMatcher } from './subnet';
import type { Encap, LocalBlock, NodeFacts, RemoteNextHop, RemoteRoute } from './types';

export const TUNL_DEV = 'tunl0';
export const VXLAN_DEV = 'vxlan.tortie';
export const VXLAN_VNI = 4096;
export const VXLAN_PORT = 4789;
export const IPIP_OVERHEAD = 20;
export const VXLAN_OVERHEAD = 50;

/** A remote VTEP a vxlan route needs: ARP (ip → mac) and FDB (mac → node IP) on vxlan.tortie. */
export interface DesiredVtep {
  ip: string;
  mac: string;
  nodeIp: string;
}

export interface DesiredRoute {
  /** canonical prefix: one route per prefix in our table */
  key: string;
  route: Route;
  /** compares equal for a desired route and the same route read back from the kernel */
  sig: string;
  kind: 'remote' | 'local';
  encap?: Encap;
  vteps: DesiredVtep[];
}

export type BuildResult = { ok: true; desired: DesiredRoute } | { ok: false; problem: string };

interface Hop {
  gateway: string;
  dev?: string;
  onlink?: boolean;
  vtep?: DesiredVtep;
}

/**
 * One next hop's kernel form. Direct (no tunnel) when the encap is none, or crossSubnet and the next
 * hop shares the node's subnet — the same choice Calico's BIRD filter makes with krt_tunnel.
 */
const matchers = new WeakMap<NodeFacts, { cidr: string; match: (ip: string) => boolean }>();

function onNodeSubnet(ip: string, node: NodeFacts): boolean {
  let m = matchers.get(node);
  if (!m || m.cidr !== node.address) {
    m = { cidr: node.address, match: subnetMatcher(node.address) };
    matchers.set(node, m);
  }
  return m.match(ip);
}

function hopFor(nh: RemoteNextHop, encap: Encap, node: NodeFacts): Hop | string {
  const local = onNodeSubnet(nh.address, node);
  if (encap === 'none' || (local && encap.startsWith('crossSubnet-'))) {
    // Off-subnet with no encap: leave the device to the kernel (it rejects unreachable gateways).
    return local ? { gateway: nh.address, dev: node.underlayDev } : { gateway: nh.address };
  }
  if (encap === 'ipip' || encap === 'crossSubnet-ipip') {
    if (!node.ipip) return `encap ${encap} but this node has no ipip settings`;
    return { gateway: nh.address, dev: TUNL_DEV, onlink: true };
  }
  if (!node.vxlan) return `encap ${encap} but this node has no vxlan settings`;
  if (!nh.vtep) return `next hop ${nh.address}: encap ${encap} needs its VTEP (ip, mac)`;
  return {
    gateway: nh.vtep.ip, dev: VXLAN_DEV, onlink: true,
    vtep: { ip: nh.vtep.ip, mac: nh.vtep.mac.toLowerCase(), nodeIp: nh.address },
  };
}

function isV4(ip: string): boolean {
  try {
    return ipFamily(ip) === 4;
  } catch {
    return false;
  }
}

function hopText(h: { gateway?: string; dev?: string; onlink?: boolean; weight?: number }): string {
  return `${h.gateway ?? ''}@${h.dev ?? ''}${h.onlink ? ' onlink' : ''}${(h.weight ?? 1) !== 1 ? ` w${h.weight}` : ''}`;
}

/** Type and next hops only: metric, scope and flags the kernel adds (linkdown) do not make a route differ. */
/** A next hop's kernel hop for a route of `family`, or why it has none (module level: no closure per route). */
function hopOrProblem(nh: RemoteNextHop, family: 4 | 6, encap: Encap, node: NodeFacts): Hop | string {
  try {
    return (nh.address.includes(':') ? 6 : 4) !== family || (family === 4 && !isV4(nh.address))
      ? `next hop ${nh.address} is not IPv${family}` : hopFor(nh, encap, node);
  } catch (e) {
    return `next hop ${nh.address}: ${(e as Error).message}`;
  }
}

export function routeSignature(r: Route): string {
  const type = r.type ?? 'unicast';
  if (type !== 'unicast') return type;
  const hops = r.nexthops && r.nexthops.length > 0 ? r.nexthops : [{ gateway: r.gateway, dev: r.dev, onlink: r.onlink }];
  return hops.map(hopText).sort().join(',');
}

export function remoteRoute(input: RemoteRoute, node: NodeFacts, protocol: number, table: number): BuildResult {
  let key: string;
  try {
    key = canonicalPrefix(input.prefix);
  } catch (e) {
    return { ok: false, problem: `${input.prefix}: ${(e as Error).message}` };
  }
  const family = key.includes(':') ? 6 : 4;
  // the common case (one best path) without the ECMP bookkeeping: fewer objects per route
  if (input.nextHops.length === 1) {
    const h = hopOrProblem(input.nextHops[0], family, input.encap, node);
    if (typeof h === 'string') return { ok: false, problem: `${key}: ${h}` };
    const route: Route = { dst: key, family, table, protocol, gateway: h.gateway };
    if (h.dev) route.dev = h.dev;
    if (h.onlink) route.onlink = true;
    return { ok: true, desired: { key, route, sig: hopText(h), kind: 'remote', encap: input.encap, vteps: h.vtep ? [h.vtep] : [] } };
  }
  const hops = new Map<string, Hop>();
  const problems: string[] = [];
  for (const nh of input.nextHops) {
    const h = hopOrProblem(nh, family, input.encap, node);
    if (typeof h === 'string') problems.push(h);
    else hops.set(hopText(h), h);
  }
  // A route with some usable paths is still programmed (ECMP over those); none at all is a problem.
  if (hops.size === 0) {
    return { ok: false, problem: `${key}: ${problems.length > 0 ? problems.join('; ') : 'no next hops'}` };
  }
  const sorted = [...hops.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, h]) => h);
  const route: Route = { dst: key, family, table, protocol };
  if (sorted.length === 1) {
    const h = sorted[0];
    route.gateway = h.gateway;
    if (h.dev) route.dev = h.dev;
    if (h.onlink) route.onlink = true;
  } else {
    route.nexthops = sorted.map((h): NextHop => ({ gateway: h.gateway, dev: h.dev, onlink: h.onlink, weight: 1 }));
  }
  const vteps = sorted.flatMap((h) => (h.vtep ? [h.vtep] : []));
  return { ok: true, desired: { key, route, sig: routeSignature(route), kind: 'remote', encap: input.encap, vteps } };
}

export function localBlockRoute(block: LocalBlock, protocol: number, table: number): BuildResult {
  let key: string;
  try {
    key = canonicalPrefix(block.prefix);
  } catch (e) {
    return { ok: false, problem: `${block.prefix}: ${(e as Error).message}` };
  }
  const route: Route = { dst: key, family: ipFamily(key), table, protocol, type: 'blackhole' };
  return { ok: true, desired: { key, route, sig: routeSignature(route), kind: 'local', vteps: [] } };
}
