// What the agent needs from the speaker and the route programmer, as narrow interfaces: the real
// Speaker (bgpd/speaker) and RouteProgrammer (dataplane/programmer) satisfy them structurally, and
// unit tests hand in fakes.
import type { BestChange } from '../rib/types';
import type { SpeakerPeer } from '../speaker/peer-map';
import type { OriginAttributes } from '../speaker/speaker';
import type { LocalBlock, RemoteRoute } from '../../dataplane/programmer/types';

export interface AgentSpeaker {
  addPeer(peer: SpeakerPeer): unknown;
  removePeer(name: string, reason?: string): Promise<boolean>;
  /** Same session, new policies (the Speaker re-runs export at once and asks the peer to re-send). Optional. */
  refreshPeer?(peer: SpeakerPeer): void;
  /** `source` keeps the agent's pod prefixes apart from the config's advertisePrefixes; `attrs` = communities. */
  originate(prefix: string, source: string, attrs?: OriginAttributes): void;
  withdraw(prefix: string, source: string): void;
  onBestChange(cb: (changes: BestChange[]) => void): void;
}

export interface AgentProgrammer {
  setRemote(route: RemoteRoute): void;
  removeRemote(prefix: string): void;
  setLocalBlock(block: LocalBlock): void;
  removeLocalBlock(prefix: string): void;
}

/** One iBGP session the agent wants, derived from the node registry. */
export interface DesiredPeer {
  /** Calico-style name, "Mesh_198_18_1_2". */
  name: string;
  address: string;
  asNumber: number;
  /** mesh: full-mesh neighbour; rr: a reflector serving us; rr-client: we reflect to it. */
  role: 'mesh' | 'rr' | 'rr-client';
}

/** Counts the agent exposes (health/metrics reads them). */
export interface AgentStats {
  nodes: number;
  localBlocks: number;
  borrowedAddresses: number;
  meshPeers: number;
  /** Remote best routes handed to the route programmer (0 without one: kernelRoutes off). */
  remoteRoutes: number;
  /** Full recomputations from the datastore (start + one per batch of watch events). */
  syncs: number;
  syncErrors: number;
  lastSyncError: string | null;
  /** IPAM usage over all pools: addresses allocated / block capacity, per pool CIDR. */
  ipam: { pool: string; allocated: number; capacity: number; blocks: number }[];
}
