// Which BGP sessions a node should have, from Kubernetes objects (Calico's confd peer generation,
// calico.md §4.3, reduced to what tortie's CRDs carry). Pure: the daemon feeds it informer caches.
//   mesh     one iBGP peer per other node with an InternalIP of the family, if nodeToNodeMesh; the
//            session is passive on our side when the peer's address sorts after ours (plain string
//            comparison, as Calico does), so only one side connects.
//   explicit BGPPeers with neither node nor nodeSelector apply to every node; `node` to that node;
//            `nodeSelector` to the nodes it selects (Kubernetes or Calico syntax, ipam/selector.ts). A
//            node-specific peer at an address a global peer already covers is dropped.
import { formatIp, parseIp } from './cidr';
import { parseSelector } from './selector';

export interface NodeInfo {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** InternalIP addresses of the Node (status.addresses). */
  readonly addresses: readonly string[];
}

export interface BgpPeerSpec {
  readonly name: string;
  readonly peerIP: string;
  readonly asNumber: number;
  readonly node?: string;
  readonly nodeSelector?: string;
}

export interface BgpConfigSpec {
  readonly asNumber: number;
  readonly nodeToNodeMesh: boolean;
  readonly listenPort: number;
}

export interface PeerPlan {
  /** Calico-style: Mesh_10_0_0_2, Global_192_0_2_1, Node_192_0_2_1 (`_port_<n>` when not 179). */
  readonly name: string;
  readonly address: string;
  readonly port: number;
  readonly asNumber: number;
  readonly passive: boolean;
  readonly source: 'mesh' | 'global' | 'node';
  /** The BGPPeer object an explicit peer comes from (its per-peer settings are looked up by it). */
  readonly peer?: string;
}

const isV6 = (a: string): boolean => a.includes(':');

/**
 * An address from a Kubernetes object in the one text form everything compares by: RFC 5952 for IPv6
 * (ipam/cidr.ts — the same text config/ip.ts gives the config file's addresses, which ipam may not
 * import), so `2001:DB8:0::02` and `2001:db8::2` are one peer, and the listener, which sees Node's
 * canonical remoteAddress, recognises it. An IPv4-mapped address (`::ffff:192.0.2.1`) is that IPv4
 * address: Calico's Go parser reads it so, and only an IPv4 session can reach it. Undefined when `text`
 * is no address.
 */
export function canonicalAddress(text: string): string | undefined {
  const ip = parseIp(text);
  if (!ip) return undefined;
  if (ip.family === 6 && ip.v6 >> 32n === 0xffffn) return formatIp({ family: 4, v4: Number(ip.v6 & 0xffffffffn) });
  return formatIp(ip);
}

/**
 * `192.0.2.1`, `192.0.2.1:1179`, `fd00::1`, `[fd00::1]:1179` → address (canonical, see canonicalAddress)
 * and port. Text that is no address is passed through: it never matches a connection.
 */
export function splitPeerIp(peerIP: string, defaultPort: number): { address: string; port: number } {
  const canon = (a: string): string => canonicalAddress(a) ?? a;
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(peerIP);
  if (v6) return { address: canon(v6[1]), port: v6[2] ? Number(v6[2]) : defaultPort };
  const v4 = /^([\d.]+):(\d+)$/.exec(peerIP);
  if (v4) return { address: canon(v4[1]), port: Number(v4[2]) };
  return { address: canon(peerIP), port: defaultPort };
}

function peerName(kind: string, address: string, port: number): string {
  return `${kind}_${address.replace(/[.:]/g, '_')}${port !== 179 ? `_port_${port}` : ''}`;
}

/** Raw Kubernetes Node → NodeInfo (InternalIP addresses only, canonical; ones that are no address dropped). */
export function nodeInfo(node: { metadata?: { name?: string; labels?: Record<string, string> }; status?: { addresses?: Array<{ type: string; address: string }> } }): NodeInfo {
  return {
    name: node.metadata?.name ?? '',
    labels: node.metadata?.labels ?? {},
    addresses: (node.status?.addresses ?? []).filter((a) => a.type === 'InternalIP').flatMap((a) => canonicalAddress(a.address) ?? []),
  };
}

export function meshPeersFrom(nodes: readonly NodeInfo[], bgpPeers: readonly BgpPeerSpec[], cfg: BgpConfigSpec, thisNode: string, family: 4 | 6 = 4): PeerPlan[] {
  const me = nodes.find((n) => n.name === thisNode);
  if (!me) return [];
  const ofFamily = (n: NodeInfo): string | undefined => n.addresses.find((a) => isV6(a) === (family === 6));
  const own = ofFamily(me);
  const out: PeerPlan[] = [];
  const globals = new Set<string>();
  for (const p of bgpPeers) {
    const { address, port } = splitPeerIp(p.peerIP, 179);
    if (isV6(address) !== (family === 6) || address === own) continue;
    let source: PeerPlan['source'];
    if (p.node === undefined && p.nodeSelector === undefined) source = 'global';
    else if (p.node !== undefined) {
      if (p.node !== thisNode) continue;
      source = 'node';
    } else {
      const sel = parseSelector(p.nodeSelector!);
      if (!sel || !sel(me.labels)) continue;
      source = 'node';
    }
    if (source === 'global') globals.add(address);
    out.push({ name: peerName(source === 'global' ? 'Global' : 'Node', address, port), address, port, asNumber: p.asNumber, passive: false, source, peer: p.name });
  }
  const explicit = out.filter((p) => p.source === 'global' || !globals.has(p.address));
  if (!cfg.nodeToNodeMesh || own === undefined) return explicit;
  const mesh: PeerPlan[] = [];
  for (const n of nodes) {
    if (n.name === thisNode) continue;
    const addr = ofFamily(n);
    if (!addr || addr === own) continue;
    mesh.push({ name: peerName('Mesh', addr, cfg.listenPort), address: addr, port: cfg.listenPort, asNumber: cfg.asNumber, passive: addr > own, source: 'mesh' });
  }
  return [...mesh.sort((a, b) => (a.address < b.address ? -1 : 1)), ...explicit];
}
