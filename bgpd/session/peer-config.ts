// What the session needs to know about one configured peer, and the injected logger.

import type { Afi, Safi } from '../wire/types';
import type { FsmConfig } from './fsm';

export interface Family {
  afi: Afi;
  safi: Safi;
}

export interface GracefulRestartConfig {
  /** Seconds the peer should keep our routes after we go away (12 bits). */
  restartTime: number;
  /** We are restarting now (R bit). */
  restarting?: boolean;
  /** Our forwarding state survived the restart, per family (F bit). */
  forwardingPreserved?: boolean;
  /** RFC 8538 N bit. */
  notification?: boolean;
}

export interface PeerConfig {
  /** A stable name for logs and `show neighbor` (e.g. "Mesh_10_0_0_2"). */
  name: string;
  localAs: number;
  peerAs: number;
  /** Our BGP identifier, dotted quad. */
  routerId: string;
  peerAddress: string;
  /** Source address for outgoing connections (BIRD `source address` / `local`). */
  localAddress?: string;
  /** Remote TCP port for outgoing connections; default 179. */
  peerPort?: number;
  /** Only accept connections, never initiate (Calico sets this toward peers with a lower IP). */
  passive?: boolean;
  /** Proposed hold time in seconds; 0 = no keepalives (allowed by RFC 4271), 1–2 are invalid. Default 90. */
  holdTime?: number;
  /** Keepalive interval in seconds; default hold/3 of the negotiated hold time. */
  keepaliveTime?: number;
  /** Families to offer in MP capabilities; default IPv4 unicast. */
  families?: Family[];
  /**
   * Families the session cannot do without: if the peer does not offer one of them we refuse the
   * session with OPEN error 2/7 (Unsupported Capability). Default: none — like BIRD, a family the peer
   * lacks is simply not negotiated, and only an empty intersection is an error.
   */
  requiredFamilies?: Family[];
  routeRefresh?: boolean;
  enhancedRouteRefresh?: boolean;
  extendedMessage?: boolean;
  gracefulRestart?: GracefulRestartConfig;
  /** Timer and backoff settings (seconds); see DEFAULT_FSM_CONFIG. */
  fsm?: Partial<Omit<FsmConfig, 'passive'>>;
  /**
   * RFC 9687 send hold time (s): if the peer reads nothing of ours for this long while we have data
   * queued, close with NOTIFICATION 8. Default max(480, 2 × negotiated hold); 0 disables.
   */
  sendHoldTime?: number;
  /** Max UPDATEs handed to the consumer in one batch. Default 256. */
  updateBatchSize?: number;
}

/** Structured logger (pino-compatible call shape) injected into sessions. */
export interface Logger {
  debug(obj: Record<string, unknown>, msg: string): void;
  info(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
  error(obj: Record<string, unknown>, msg: string): void;
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
