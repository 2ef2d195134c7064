// Public types of the RIB: what the session layer, the route programmer, bgpctl and the config
// loader exchange with it. The RIB never sees sockets: it takes these inputs and hands back encoded
// UPDATE buffers per peer plus a feed of best-route changes.
import type {
  Afi,
  AsPathSegment,
  CodecContext,
  LargeCommunity,
  Origin,
  PathAttributes,
  PrefixKey,
} from '../wire/types';
import type { PolicyChain } from './policy';

/** Index of a peer inside the RIB. 0 is the RIB itself (locally originated routes). */
export type PeerId = number;
export const LOCAL_PEER: PeerId = 0;

/** The subset of the codec the RIB needs (bgpd/wire/index.ts has these exact signatures). */
export interface UpdateEncoder {
  /** Canonical attribute bytes, without MP_REACH/MP_UNREACH. */
  encodeAttributes(attrs: PathAttributes, ctx: CodecContext): Buffer;
  packUpdates(args: {
    afi: Afi;
    attrBytes: Buffer;
    nextHops: string[];
    nlri: PrefixKey[];
    maxSize: number;
    ctx: CodecContext;
  }): Buffer[];
  packWithdrawals(args: { afi: Afi; prefixes: PrefixKey[]; maxSize: number; ctx: CodecContext }): Buffer[];
  encodeEndOfRib(afi: Afi): Buffer;
}

export interface RibOptions {
  localAs: number;
  /** Our BGP identifier, dotted quad. */
  routerId: string;
  /** Set on a route reflector (RFC 4456); dotted quad. Defaults to routerId when any peer is an rrClient. */
  clusterId?: string;
  /** ECMP: how many equal paths (up to and including the eBGP/iBGP step) form the multipath set. */
  maxPaths?: number;
  /** Compare MED between routes from different neighbour ASes too. */
  alwaysCompareMed?: boolean;
  /** LOCAL_PREF assumed for routes without one (eBGP-learned, local). */
  defaultLocalPref?: number;
  encoder: UpdateEncoder;
  /**
   * While more input is queued, changes are held back until this many prefixes changed, so
   * prefixes that end up sharing attributes are packed together (default 50,000). Output always
   * goes out when the queue runs empty.
   */
  coalescePrefixes?: number;
}

export type NextHopMode = 'auto' | 'self' | 'keep';

export interface RibPeerConfig {
  /** Remote address (text); the final decision tie-break and what bgpctl shows. */
  address: string;
  remoteAs: number;
  /** Local AS used on this session; defaults to RibOptions.localAs. */
  localAs?: number;
  /** We are a route reflector and this iBGP peer is one of our clients. */
  rrClient?: boolean;
  /** auto: self toward eBGP and for local routes, keep for learned routes toward iBGP. */
  nextHop?: NextHopMode;
  /** eBGP import: accept AS paths containing our own AS up to this many times (BIRD "allow local as"). */
  allowOwnAs?: number;
  /** eBGP export: also export routes learned from other peers (default: only locally originated). */
  allowTransit?: boolean;
  /** eBGP export: keep a MED learned from another peer (default: stripped). */
  sendMed?: boolean;
  /** One policy or a list applied in order (see Policy.defaultAction 'builtin'). */
  importPolicy?: PolicyChain;
  exportPolicy?: PolicyChain;
  /** Accepted-prefix limit (per AFI summed); on excess the RIB reports and stops accepting new prefixes. */
  maxPrefix?: number;
  /** Only report the limit (once); keep accepting. */
  maxPrefixWarnOnly?: boolean;
}

/** Facts negotiated when a session comes up. */
export interface PeerUpInfo {
  /** The peer's BGP identifier from its OPEN. */
  routerId: string;
  ctx: CodecContext;
  /** Families negotiated (multiprotocol capability, or IPv4 alone). */
  families: Afi[];
  /** Our own address per family on this session, used for next-hop-self. */
  localAddress: { ipv4?: string; ipv6?: string };
}

export interface NextHop {
  address: string;
  /** Where the path came from: peer address, or null for a locally originated route. */
  peer: string | null;
  /** Router id of the source peer (ORIGINATOR_ID if reflected), or ours for local routes. */
  routerId: string;
}

/** The forwarding view of a best route: the multipath set, best first. */
export interface NextHopSet {
  local: boolean;
  nextHops: NextHop[];
}

export interface BestChange {
  afi: Afi;
  prefix: PrefixKey;
  best: NextHopSet | null;
}

/** One path of a prefix, for bgpctl. */
export interface PathView {
  peer: PeerId;
  peerAddress: string | null;
  best: boolean;
  multipath: boolean;
  stale: boolean;
  /** Received but rejected by import policy or a loop check. */
  filtered: boolean;
  nextHop?: string;
  asPath: AsPathSegment[];
  origin?: Origin;
  localPref?: number;
  med?: number;
  communities: number[];
  largeCommunities: LargeCommunity[];
  attrs: PathAttributes;
}

export interface RouteView {
  prefix: PrefixKey;
  paths: PathView[];
}

export interface PeerRibStats {
  received: number;
  accepted: number;
  advertised: number;
  maxPrefixExceeded: boolean;
}
