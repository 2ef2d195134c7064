import type { LabHost } from '../lab-host';
import type { LabProcess } from '../lab-process';

export type AddressFamily = 'ipv4' | 'ipv6';

export interface NeighborSpec {
  /** Peer address; the session runs over this address's family. */
  readonly address: string;
  readonly as: number;
  /** Wait for the peer to connect instead of connecting out. */
  readonly passive?: boolean;
  /** Seconds; default 30 (short enough for tests, long enough for a loaded 2-core box). */
  readonly holdTime?: number;
  /** Families carried on the session; default: the family of `address` only. */
  readonly families?: readonly AddressFamily[];
  /** iBGP only: treat the peer as a route-reflector client. */
  readonly routeReflectorClient?: boolean;
  readonly gracefulRestart?: boolean;
  /** Free text; some daemons show it instead of the address. */
  readonly description?: string;
  /** RFC 2385 TCP-MD5 password (BIRD and FRR launchers render it). */
  readonly password?: string;
}

export interface OriginatedRoute {
  readonly prefix: string;
  /** Communities as "asn:value". */
  readonly communities?: readonly string[];
  /** Large communities as "global:local1:local2". */
  readonly largeCommunities?: readonly string[];
  readonly med?: number;
}

/** What every launcher takes: one speaker, its peers, and what it originates. Import/export all. */
export interface SpeakerSpec {
  readonly routerId: string;
  readonly localAs: number;
  /** Local IPv4 address used for IPv4 sessions (and as the listen address). */
  readonly localAddress: string;
  /** Local IPv6 address used for IPv6 sessions. */
  readonly localAddress6?: string;
  readonly neighbors: readonly NeighborSpec[];
  readonly routes?: readonly OriginatedRoute[];
}

/** A route learned from a peer, normalised across daemons. */
export interface ReceivedRoute {
  readonly prefix: string;
  readonly nextHop: string;
  readonly asPath: readonly number[];
  readonly communities: readonly string[];
  readonly largeCommunities: readonly string[];
  readonly med?: number;
  /** Address of the peer it came from, when the daemon says. */
  readonly peer?: string;
}

/** What a running daemon offers a test. `addRoute`/`withdrawRoute` exist where the daemon can do it live. */
export interface BgpDaemon {
  readonly kind: 'bird' | 'frr' | 'gobgp' | 'openbgpd' | 'exabgp';
  readonly host: LabHost;
  /** Main process (FRR: bgpd). */
  readonly process: LabProcess;
  /** Private directory with the rendered config, sockets and logs. */
  readonly dir: string;
  established(peer: string): Promise<boolean>;
  routes(): Promise<ReceivedRoute[]>;
  /**
   * Number of routes currently accepted from `peer` (all families), read from the daemon's
   * counters — cheap enough to poll while 100k routes arrive, unlike routes().
   */
  receivedCount(peer: string): Promise<number>;
  addRoute?(route: OriginatedRoute): Promise<void>;
  withdrawRoute?(prefix: string): Promise<void>;
  /** Everything the daemon logged so far. */
  logs(): string;
  stop(): Promise<void>;
}

export function familyOfPrefix(prefix: string): AddressFamily {
  return prefix.includes(':') ? 'ipv6' : 'ipv4';
}

export function neighborFamilies(n: NeighborSpec): readonly AddressFamily[] {
  return n.families ?? [familyOfPrefix(n.address)];
}

/** The local address a session to `n` should use. */
export function localAddressFor(spec: SpeakerSpec, n: NeighborSpec): string {
  if (familyOfPrefix(n.address) === 'ipv4') return spec.localAddress;
  if (!spec.localAddress6) throw new Error(`neighbor ${n.address} is IPv6 but the speaker has no localAddress6`);
  return spec.localAddress6;
}
