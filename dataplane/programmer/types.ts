// The programmer's input model: what bgpd (or a test) tells it, with no reference to bgpd's own types.
import type { NetlinkError } from '../netlink/errors';

/** How traffic to a remote block travels (Calico's pool modes). */
export type Encap = 'ipip' | 'vxlan' | 'none' | 'crossSubnet-ipip' | 'crossSubnet-vxlan';

export interface Vtep {
  /** the remote node's VXLAN tunnel address (the route's gateway on vxlan.tortie) */
  ip: string;
  /** the remote vxlan device's MAC */
  mac: string;
}

export interface RemoteNextHop {
  /** the remote node's underlay IP (BGP next hop) */
  address: string;
  /** node name, for snapshots only */
  node?: string;
  /** required for vxlan encaps */
  vtep?: Vtep;
}

/** A block owned by another node, with its best paths (several = ECMP). */
export interface RemoteRoute {
  prefix: string;
  nextHops: RemoteNextHop[];
  encap: Encap;
}

/** A block this node owns: programmed as a blackhole (its pods' /32s are more specific). */
export interface LocalBlock {
  prefix: string;
}

export interface NodeFacts {
  /** the device holding the node IP (vxlan parent, direct next hops) */
  underlayDev: string;
  /** node IP with its subnet, e.g. "198.18.1.2/24": the subnet decides crossSubnet */
  address: string;
  /** underlay MTU; default: the device's current MTU */
  mtu?: number;
  /** set to use ipip encaps: tunl0 gets this address (/32, from this node's block) */
  ipip?: { tunnelAddress: string };
  /** set to use vxlan encaps */
  vxlan?: { tunnelAddress: string; mac: string; vni?: number; port?: number };
}

export interface ProgrammerOptions {
  /** netns name or path; default the caller's */
  netns?: string;
  node: NodeFacts;
  /** rtm_protocol of our routes; default RTPROT_TORTIE (201) */
  protocol?: number;
  /** routing table; default main (254) */
  table?: number;
  /** delay between an external delete and our re-add; default 50 ms */
  repairDelayMs?: number;
  /** full reconcile period (catches what no event reports); default 60 s, 0 = off */
  resyncIntervalMs?: number;
  /** retry period for ops that failed; default 1 s */
  retryMs?: number;
  /** ops per event-loop slice (one kernel batch, ~10-50 ms at 1024 on this box); default 1024 */
  sliceSize?: number;
  /** monitor poll period; default 20 ms */
  monitorIntervalMs?: number;
  /** called for every failed kernel op (after counting it) */
  onError?: (err: NetlinkError) => void;
}

export type RouteState = 'installed' | 'pending' | 'failed' | 'stale';

export interface RouteSnapshot {
  prefix: string;
  kind: 'remote' | 'local' | 'stale';
  encap?: Encap;
  /** the kernel route as `ip route` would describe it */
  kernel: string;
  state: RouteState;
  error?: string;
}

export interface ProgrammerCounters {
  routeAdds: number;
  routeReplaces: number;
  routeDels: number;
  neighSets: number;
  neighDels: number;
  fdbSets: number;
  fdbDels: number;
  /** routes found in the kernel at reconcile that already matched (no op) */
  adopted: number;
  /** re-adds after something else deleted our route */
  repairs: number;
  /** full reconciles (start, overflow, link events, period) */
  resyncs: number;
  staleRemoved: number;
  /** failed ops by errno name */
  errors: Record<string, number>;
}

export interface ProgrammerSnapshot {
  node: NodeFacts;
  protocol: number;
  table: number;
  stale: boolean;
  routes: RouteSnapshot[];
  vteps: { ip: string; mac: string; nodeIp: string }[];
  counters: ProgrammerCounters;
  /** inputs that could not be turned into a route (e.g. vxlan next hop without a VTEP) */
  problems: string[];
}
