// The control socket's wire contract, shared by the daemon (server) and bgpctl (client): one JSON
// object per line each way. Every request gets exactly one response carrying the request's `id`.
// The view types are the `--json` output of bgpctl, so their keys are a stable interface.

export type ControlCommand =
  | { cmd: 'show peers' }
  | { cmd: 'show neighbor'; peer: string }
  | { cmd: 'show routes'; prefix?: string; family?: 'ipv4' | 'ipv6' }
  | { cmd: 'show rib'; direction: 'in' | 'out'; peer: string; family?: 'ipv4' | 'ipv6' }
  | { cmd: 'clear neighbor'; peer: string; soft: boolean }
  | { cmd: 'reload' }
  | { cmd: 'status' };

export type ControlRequest = ControlCommand & { id: number };

export type ControlResponse =
  | { id: number; ok: true; data: unknown }
  | { id: number; ok: false; error: string };

/** Calico-style peer types: node-to-node mesh, route-reflector client/server, global, node-specific. */
export type PeerType = 'mesh' | 'rr-client' | 'rr' | 'global' | 'node';

export interface PeerRow {
  name: string;
  address: string;
  port: number;
  type: PeerType;
  asNumber: number;
  /** RFC 4271 state name, or an overlay: "Idle(Admin)", "Idle(PfxLimit)". */
  state: string;
  /** ISO 8601 time of the last state change. */
  since: string;
  /** Seconds since the last state change. */
  sinceSeconds: number;
  /** Prefixes received from the peer (Adj-RIB-In, including filtered). */
  received: number;
  /** Prefixes that passed import policy. */
  accepted: number;
  /** Prefixes in our Adj-RIB-Out toward the peer. */
  sent: number;
  messagesReceived: number;
  messagesSent: number;
  /** BIRD-style: "Received: Cease/Administrative shutdown", "Sent: Hold timer expired", "Socket: ECONNREFUSED". */
  lastError: string | null;
}

export interface MessageCountsView {
  open: number;
  update: number;
  notification: number;
  keepalive: number;
  routeRefresh: number;
}

export interface GracefulRestartView {
  /** What we advertise (null = not advertised). */
  local: { restartTime: number; restarting: boolean; forwardingPreserved: boolean } | null;
  /** What the peer advertised on the current or last session. */
  peer: { restartTime: number; restarting: boolean; families: string[] } | null;
  /** We hold the peer's routes as stale (helper role), until this time. */
  staleUntil: string | null;
}

export interface NeighborView extends PeerRow {
  localAs: number;
  peerRouterId: string | null;
  passive: boolean;
  direction: 'in' | 'out' | null;
  local: { address: string | null; port: number | null };
  remote: { address: string | null; port: number | null };
  holdTime: { configured: number; negotiated: number | null; remainingMs: number | null };
  keepaliveTime: { configured: number; negotiated: number | null; remainingMs: number | null };
  families: string[];
  /** Capability names: what we offered, what the peer offered. */
  capabilities: { local: string[]; peer: string[] };
  messages: { sent: MessageCountsView; received: MessageCountsView };
  establishedTransitions: number;
  droppedTransitions: number;
  lastErrorSent: string | null;
  lastErrorReceived: string | null;
  maxPrefix: { limit: number; action: 'warn' | 'restart'; restartAfter: number | null; exceeded: boolean } | null;
  gracefulRestart: GracefulRestartView;
}

export interface PathRow {
  best: boolean;
  multipath: boolean;
  stale: boolean;
  filtered: boolean;
  /** Source peer name, or "local" for our own routes. */
  from: string;
  nextHop: string | null;
  /** "65001 65002 {65003,65004}". */
  asPath: string;
  origin: 'i' | 'e' | '?';
  localPref: number | null;
  med: number | null;
  communities: string[];
  largeCommunities: string[];
  originatorId: string | null;
  clusterList: string[];
}

export interface RouteRow {
  prefix: string;
  paths: PathRow[];
}

export interface StatusView {
  pid: number;
  routerId: string;
  asNumber: number;
  startedAt: string;
  /** We started as a graceful-restart restarting speaker. */
  restarting: boolean;
  peers: number;
  prefixes: Record<string, number>;
}
