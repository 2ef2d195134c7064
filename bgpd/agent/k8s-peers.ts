// Pure part of the Kubernetes cluster source: Node / BGPPeer / BGPConfiguration objects → the peers this
// node should have. The node-to-node mesh and explicit BGPPeers come from ipam/k8s-nodes.ts
// (meshPeersFrom); once any node is a route reflector the mesh part follows the node registry's
// reflector rules instead (peer-set.ts), so both datastores agree on topology.
import { canonicalAddress, meshPeersFrom } from '../../ipam/k8s-nodes';
import type { BgpConfigSpec, BgpPeerSpec, NodeInfo as K8sNodeInfo } from '../../ipam/k8s-nodes';
import type { NodeInfo as RegistryNode } from '../../ipam/nodes';
import { desiredPeers } from './peer-set';
import type { PeerOverrides } from './peer-overrides';
import type { DesiredPeer } from './types';

/** Annotation that overrides the Node's InternalIP as its BGP address. */
export const ADDRESS_ANNOTATION = 'tortie.dev/address';
/** Annotation with the node's AS (default: the BGPConfiguration's). */
export const AS_ANNOTATION = 'tortie.dev/as-number';
/** Label or annotation making the node a route reflector of that cluster id. */
export const RR_CLUSTER_KEY = 'tortie.dev/route-reflector-cluster-id';

/** Only the fields read here, so tests and informer caches can hand in plain objects. */
export interface NodeObject {
  metadata?: { name?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  status?: { addresses?: Array<{ type: string; address: string }> };
}

export interface CrdObject {
  metadata?: { name?: string };
  spec?: Record<string, unknown>;
}

/** A desired session with what explicit BGPPeers can set beyond the mesh defaults. */
export interface ClusterPeer extends DesiredPeer {
  port: number;
  passive: boolean;
  /** Timers, GR time, password, filters of the BGPPeer this session comes from (k8s-peer-settings.ts). */
  overrides?: PeerOverrides;
}

/** A BGPPeer as clusterPeers takes it: where it peers plus its own settings (k8s-peer-settings.ts). */
export type ExplicitPeer = BgpPeerSpec & { passive?: boolean; overrides?: PeerOverrides };

export interface ClusterNode {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly address?: string;
  readonly asNumber?: number;
  readonly rrClusterId?: string;
}

const isV6 = (a: string): boolean => a.includes(':');
/** The address canonical (RFC 5952; IPv4-mapped as IPv4) when it is one of `family`: other nodes and the listener compare that text. */
const usable = (a: string, family: 4 | 6): string | undefined => {
  const c = canonicalAddress(a);
  return c !== undefined && isV6(c) === (family === 6) ? c : undefined;
};

/** Node object → what peering needs; `address` (canonical) is absent when neither annotation nor InternalIP gives one. */
export function clusterNode(obj: NodeObject, family: 4 | 6 = 4): ClusterNode {
  const ann = obj.metadata?.annotations ?? {};
  const labels = obj.metadata?.labels ?? {};
  const override = ann[ADDRESS_ANNOTATION]?.trim();
  const internal = (obj.status?.addresses ?? []).filter((a) => a.type === 'InternalIP').map((a) => usable(a.address, family));
  const address = override !== undefined && override !== '' ? usable(override, family) : internal.find((a) => a !== undefined);
  const as = annotationAs(obj).asNumber;
  const rr = labels[RR_CLUSTER_KEY] ?? ann[RR_CLUSTER_KEY];
  return {
    name: obj.metadata?.name ?? '',
    labels,
    ...(address ? { address } : {}),
    ...(as !== undefined ? { asNumber: as } : {}),
    ...(rr ? { rrClusterId: rr } : {}),
  };
}

/** The annotation's AS; `problem` when it is set but not an AS number (it is then ignored). */
export function annotationAs(node: NodeObject | undefined): { asNumber?: number; problem?: string } {
  const raw = node?.metadata?.annotations?.[AS_ANNOTATION];
  if (raw === undefined) return {};
  const text = raw.trim();
  const n = Number(text);
  if (/^[0-9]+$/.test(text) && n >= 1 && n <= 0xffffffff) return { asNumber: n };
  return { problem: `metadata.annotations["${AS_ANNOTATION}"]: expected an AS number 1–4294967295, found ${JSON.stringify(raw)}; ignored` };
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

export function bgpPeerSpec(obj: CrdObject): BgpPeerSpec | undefined {
  const s = obj.spec ?? {};
  const peerIP = str(s.peerIP);
  const asNumber = num(s.asNumber);
  if (!peerIP || asNumber === undefined) return undefined;
  const node = str(s.node);
  const nodeSelector = str(s.nodeSelector);
  return { name: obj.metadata?.name ?? '', peerIP, asNumber, ...(node ? { node } : {}), ...(nodeSelector ? { nodeSelector } : {}) };
}

// moved with the rest of the BGPConfiguration handling; re-exported for existing importers
export { bgpConfig } from './k8s-bgpconfig';

const byName = (a: { name: string }, b: { name: string }): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

export function clusterPeers(nodes: readonly ClusterNode[], bgpPeers: readonly ExplicitPeer[], cfg: BgpConfigSpec, thisNode: string, family: 4 | 6 = 4): ClusterPeer[] {
  const withAddr = nodes.filter((n) => n.address !== undefined);
  const k8sNodes: K8sNodeInfo[] = withAddr.map((n) => ({ name: n.name, labels: n.labels, addresses: [n.address!] }));
  // meshPeersFrom needs this node for selectors even when it has no address yet
  const me = nodes.find((n) => n.name === thisNode);
  if (me && me.address === undefined) k8sNodes.push({ name: me.name, labels: me.labels, addresses: [] });
  const reflectors = withAddr.some((n) => n.rrClusterId !== undefined);
  // BGPPeers in name order: of two that give this node a session with the same name (same address and
  // port), the first by name wins on every recomputation; informer order would make it flap
  const sortedPeers = [...bgpPeers].sort(byName);
  const plans = meshPeersFrom(k8sNodes, sortedPeers, reflectors ? { ...cfg, nodeToNodeMesh: false } : cfg, thisNode, family);
  const asOf = new Map(withAddr.map((n) => [n.address!, n.asNumber]));
  const explicitByName = new Map(bgpPeers.map((b) => [b.name, b]));
  const sessionNames = new Set<string>();
  const unique = plans.filter((p) => !sessionNames.has(p.name) && sessionNames.add(p.name));
  const out: ClusterPeer[] = unique.map((p) => {
    const b = p.peer !== undefined ? explicitByName.get(p.peer) : undefined;
    return {
      name: p.name,
      address: p.address,
      asNumber: p.source === 'mesh' ? (asOf.get(p.address) ?? p.asNumber) : p.asNumber,
      role: 'mesh',
      port: p.port,
      passive: p.passive || b?.passive === true,
      ...(b?.overrides ? { overrides: b.overrides } : {}),
    };
  });
  if (reflectors && family === 4) {
    const registry: RegistryNode[] = withAddr.map((n) => ({
      name: n.name,
      ipv4: n.address!,
      ...(n.asNumber !== undefined ? { asNumber: n.asNumber } : {}),
      ...(n.rrClusterId !== undefined ? { rrClusterId: n.rrClusterId } : {}),
    }));
    const explicit = new Set(out.map((p) => p.address));
    for (const d of desiredPeers(thisNode, registry, { mesh: cfg.nodeToNodeMesh, asNumber: cfg.asNumber })) {
      if (!explicit.has(d.address)) out.push({ ...d, port: cfg.listenPort, passive: false });
    }
  }
  return out.sort(byName);
}
