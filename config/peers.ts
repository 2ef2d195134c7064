// Which configured peers this node runs: one config file (e.g. the DaemonSet's ConfigMap) serves every
// node, and a peer with `node:` set belongs to that node alone (a per-rack ToR, Calico's node-specific
// BGPPeer); peers without it are global.
import type { PeerConfig, TortieConfig } from './types';

export function peersForThisNode(config: Pick<TortieConfig, 'nodeName' | 'peers'>): PeerConfig[] {
  return config.peers.filter((p) => p.node === undefined || p.node === config.nodeName);
}
