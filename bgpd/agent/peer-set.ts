// The iBGP sessions a node should have, from the node registry (Calico's rules): with no route
// reflector in the registry every node meshes with every other node of the mesh; once reflectors
// exist, ordinary nodes talk only to reflectors, and a reflector serves every ordinary node as a
// client and meshes with reflectors of other clusters (same cluster id: no session, like Calico).
import type { NodeInfo } from '../../ipam/nodes';
import { meshPeerName } from '../speaker/peer-map';
import type { DesiredPeer } from './types';

export interface PeerSetOptions {
  /** `nodeToNodeMesh` from the config: off means no automatic sessions unless reflectors exist. */
  mesh: boolean;
  /** Our AS, used for nodes that registered none. */
  asNumber: number;
}

export function desiredPeers(selfName: string, nodes: readonly NodeInfo[], opts: PeerSetOptions): DesiredPeer[] {
  const self = nodes.find((n) => n.name === selfName);
  const others = nodes.filter((n) => n.name !== selfName && n.ipv4 !== undefined && n.ipv4 !== self?.ipv4);
  const reflectors = nodes.filter((n) => n.rrClusterId !== undefined);
  const out: DesiredPeer[] = [];
  const add = (n: NodeInfo, role: DesiredPeer['role']): void => {
    out.push({ name: meshPeerName(n.ipv4!), address: n.ipv4!, asNumber: n.asNumber ?? opts.asNumber, role });
  };
  if (reflectors.length === 0) {
    if (opts.mesh) for (const n of others) add(n, 'mesh');
  } else if (self?.rrClusterId !== undefined) {
    for (const n of others) {
      if (n.rrClusterId === undefined) add(n, 'rr-client');
      else if (n.rrClusterId !== self.rrClusterId) add(n, 'mesh');
    }
  } else {
    for (const n of others) if (n.rrClusterId !== undefined) add(n, 'rr');
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
