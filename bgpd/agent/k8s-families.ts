// The Kubernetes source's sessions per address family: the IPv4 mesh and, on a node with an IPv6
// address, an IPv6 mesh beside it — one session per family and neighbour, each carrying only its own
// family (as meshPeer() sets up from the address), so an IPv6 outage never takes IPv4 routes down.
// Pure; k8s-source.ts calls it after each recomputation.
import type { NodeInfo as RegistryNode } from '../../ipam/nodes';
import { ADDRESS_ANNOTATION, clusterNode, clusterPeers } from './k8s-peers';
import type { ClusterNode, ClusterPeer, NodeObject } from './k8s-peers';
import { desiredPeers } from './peer-set';
import type { NodeBgpConfig } from './k8s-bgpconfig';

/** Annotation with the node's IPv6 BGP address (the IPv4 one is `tortie.dev/address`). */
export const ADDRESS_V6_ANNOTATION = 'tortie.dev/address-v6';

/**
 * The Node object as clusterNode() should read it for `family`: for IPv6 the address-v6 annotation
 * stands in for the address annotation, and an IPv4 address override does not hide the IPv6 InternalIP.
 */
export function nodeForFamily(obj: NodeObject, family: 4 | 6): NodeObject {
  if (family === 4) return obj;
  const ann = { ...(obj.metadata?.annotations ?? {}) };
  const v6 = ann[ADDRESS_V6_ANNOTATION]?.trim();
  if (v6) ann[ADDRESS_ANNOTATION] = v6;
  else if (ann[ADDRESS_ANNOTATION] !== undefined && !ann[ADDRESS_ANNOTATION].includes(':')) delete ann[ADDRESS_ANNOTATION];
  return { ...obj, metadata: { ...obj.metadata, annotations: ann } };
}

/** Sessions of every family after the first (whose nodes the caller already read, with their problems). */
export function otherFamilyPeers(nodeObjs: readonly NodeObject[], bgpPeers: Parameters<typeof clusterPeers>[1], cfg: NodeBgpConfig, thisNode: string, families: readonly (4 | 6)[]): ClusterPeer[] {
  return families.slice(1).flatMap((f) => {
    const nodes = nodeObjs.map((n) => clusterNode(nodeForFamily(n, f), f));
    const peers = clusterPeers(nodes, bgpPeers, cfg, thisNode, f);
    return f === 6 ? [...peers, ...reflectorPeersV6(nodes, peers, cfg, thisNode)] : peers;
  });
}

/**
 * Route-reflector sessions over IPv6 (clusterPeers builds them for IPv4 only): the same rules as the
 * IPv4 topology (peer-set.ts), applied to the nodes' IPv6 addresses. Sessions an explicit BGPPeer
 * already gives keep the BGPPeer's settings.
 */
export function reflectorPeersV6(nodes: readonly ClusterNode[], have: readonly ClusterPeer[], cfg: NodeBgpConfig, thisNode: string): ClusterPeer[] {
  const withAddr = nodes.filter((n) => n.address !== undefined);
  if (!withAddr.some((n) => n.rrClusterId !== undefined)) return [];
  // desiredPeers reads a node's address from `ipv4`; its rules do not depend on the family
  const registry: RegistryNode[] = withAddr.map((n) => ({
    name: n.name,
    ipv4: n.address!,
    ...(n.asNumber !== undefined ? { asNumber: n.asNumber } : {}),
    ...(n.rrClusterId !== undefined ? { rrClusterId: n.rrClusterId } : {}),
  }));
  const explicit = new Set(have.map((p) => p.address));
  return desiredPeers(thisNode, registry, { mesh: cfg.nodeToNodeMesh, asNumber: cfg.asNumber })
    .filter((d) => !explicit.has(d.address))
    .map((d) => ({ ...d, port: cfg.listenPort, passive: false }));
}

/** Mesh neighbour address → the port that node listens on (a node.<name> BGPConfiguration may move it). */
export function meshPorts(nodeObjs: readonly NodeObject[], families: readonly (4 | 6)[], listenPortOf: (node: string) => number): Map<string, number> {
  const out = new Map<string, number>();
  for (const f of families) {
    for (const obj of nodeObjs) {
      const n = clusterNode(nodeForFamily(obj, f), f);
      if (n.address !== undefined) out.set(n.address, listenPortOf(n.name));
    }
  }
  return out;
}

const meshName = (address: string, port: number): string => `Mesh_${address.replace(/[.:]/g, '_')}${port !== 179 ? `_port_${port}` : ''}`;

/**
 * The final list: sorted by name, mesh sessions on the neighbour's listen port and with the mesh restart time, and without sessions the
 * config file's `peers:` already runs (same name or address) — the daemon added those before the agent
 * started and a second session to one address would collide; `dropped` names them for a warning.
 */
export function finishPeers(
  peers: readonly ClusterPeer[],
  cfg: NodeBgpConfig,
  configPeers: readonly { name: string; address: string }[],
  ports: ReadonlyMap<string, number> = new Map(),
): { peers: ClusterPeer[]; dropped: ClusterPeer[] } {
  const names = new Set(configPeers.map((p) => p.name));
  const addresses = new Set(configPeers.map((p) => p.address.toLowerCase()));
  const dropped: ClusterPeer[] = [];
  const out: ClusterPeer[] = [];
  for (const given of peers) {
    const mesh = given.name.startsWith('Mesh_');
    // clusterPeers dials every mesh neighbour on this node's own listen port; use the neighbour's
    const port = mesh ? ports.get(given.address) : undefined;
    const p = port !== undefined && port !== given.port ? { ...given, port, name: meshName(given.address, port) } : given;
    if (names.has(p.name) || addresses.has(p.address.toLowerCase())) {
      dropped.push(p);
      continue;
    }
    // BGPConfiguration nodeMeshMaxRestartTime: the graceful-restart time the mesh sessions offer
    out.push(mesh && cfg.nodeMeshMaxRestartTime !== undefined ? { ...p, overrides: { ...p.overrides, restartTime: cfg.nodeMeshMaxRestartTime } } : p);
  }
  return { peers: out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)), dropped };
}
