// The BGP message and attribute model shared by the codec (bgpd/wire), the session (bgpd/session)
// and the RIB (bgpd/rib). This file is the contract between them: pure types and constants, no I/O.

/** Message type codes (RFC 4271 §4.1, RFC 2918). */
export const enum MsgType {
  OPEN = 1,
  UPDATE = 2,
  NOTIFICATION = 3,
  KEEPALIVE = 4,
  ROUTE_REFRESH = 5,
}

export const enum Afi {
  IPv4 = 1,
  IPv6 = 2,
}
export const enum Safi {
  Unicast = 1,
}

/**
 * A prefix in its wire form, kept as a one-byte-per-char (latin1) string: the length byte followed by
 * ceil(len/8) address bytes, trailing host bits zeroed. E.g. 10.1.2.0/24 is "\x18\x0a\x01\x02".
 * Why: decoding an NLRI is a latin1 slice (no bit parsing, no object), the string is a compact,
 * hashable Map key for the RIB, and re-encoding is a byte copy. The AFI is known from context
 * (which table or which MP attribute it came from). Use bgpd/wire/prefix.ts to convert to/from text.
 */
export type PrefixKey = string;

export const enum Origin {
  IGP = 0,
  EGP = 1,
  INCOMPLETE = 2,
}

export const enum AsPathSegmentType {
  AS_SET = 1,
  AS_SEQUENCE = 2,
  AS_CONFED_SEQUENCE = 3,
  AS_CONFED_SET = 4,
}

export interface AsPathSegment {
  type: AsPathSegmentType;
  asns: number[];
}

/** Attribute type codes we understand. */
export const enum AttrType {
  ORIGIN = 1,
  AS_PATH = 2,
  NEXT_HOP = 3,
  MULTI_EXIT_DISC = 4,
  LOCAL_PREF = 5,
  ATOMIC_AGGREGATE = 6,
  AGGREGATOR = 7,
  COMMUNITIES = 8,
  ORIGINATOR_ID = 9,
  CLUSTER_LIST = 10,
  MP_REACH_NLRI = 14,
  MP_UNREACH_NLRI = 15,
  EXTENDED_COMMUNITIES = 16,
  AS4_PATH = 17,
  AS4_AGGREGATOR = 18,
  LARGE_COMMUNITY = 32,
}

/** Attribute flag bits (RFC 4271 §4.3). */
export const enum AttrFlag {
  OPTIONAL = 0x80,
  TRANSITIVE = 0x40,
  PARTIAL = 0x20,
  EXTENDED_LENGTH = 0x10,
}

/** Well-known communities (RFC 1997, RFC 8326). */
export const enum WellKnownCommunity {
  GRACEFUL_SHUTDOWN = 0xffff0000,
  NO_EXPORT = 0xffffff01,
  NO_ADVERTISE = 0xffffff02,
  NO_EXPORT_SUBCONFED = 0xffffff03,
}

export interface LargeCommunity {
  global: number;
  local1: number;
  local2: number;
}

/** An attribute we do not know, carried as raw bytes (passes through if optional transitive). */
export interface RawAttribute {
  flags: number;
  type: number;
  value: Uint8Array;
}

/**
 * Path attributes of an UPDATE, decoded. AS numbers are always 4-octet here: the codec merges
 * AS4_PATH/AS4_AGGREGATOR from 2-octet speakers (RFC 6793 §4.2.3) and splits them again on encode.
 * Addresses are text (dotted quad / RFC 5952 IPv6) — there is one of each per attribute set, not per
 * prefix, so this costs nothing in the hot path.
 */
export interface PathAttributes {
  origin?: Origin;
  asPath?: AsPathSegment[];
  nextHop?: string;
  med?: number;
  localPref?: number;
  atomicAggregate?: boolean;
  aggregator?: { asn: number; address: string };
  /** RFC 1997 communities as unsigned 32-bit numbers (high 16 bits = AS). */
  communities?: number[];
  originatorId?: string;
  clusterList?: string[];
  /** RFC 4360 extended communities, 8 bytes each. */
  extCommunities?: Uint8Array[];
  largeCommunities?: LargeCommunity[];
  /** Unknown optional transitive attributes (kept, with PARTIAL set on re-advertisement). */
  unknown?: RawAttribute[];
}

export interface MpReach {
  afi: Afi;
  safi: Safi;
  /** One or two next hops (IPv6 global + link-local), as text; IPv4 next hop for RFC 8950. */
  nextHops: string[];
  nlri: PrefixKey[];
}

export interface MpUnreach {
  afi: Afi;
  safi: Safi;
  withdrawn: PrefixKey[];
}

export interface UpdateMessage {
  type: MsgType.UPDATE;
  /** IPv4 unicast withdrawn routes (classic field). */
  withdrawn: PrefixKey[];
  attrs: PathAttributes;
  /** IPv4 unicast NLRI (classic field). */
  nlri: PrefixKey[];
  mpReach?: MpReach;
  mpUnreach?: MpUnreach;
}

export const enum CapabilityCode {
  MULTIPROTOCOL = 1,
  ROUTE_REFRESH = 2,
  EXTENDED_NEXT_HOP = 5,
  EXTENDED_MESSAGE = 6,
  GRACEFUL_RESTART = 64,
  FOUR_OCTET_AS = 65,
  ENHANCED_ROUTE_REFRESH = 70,
}

export interface GracefulRestartCap {
  restartState: boolean; // R bit
  notification: boolean; // N bit (RFC 8538)
  restartTime: number; // seconds, 12 bits
  families: { afi: Afi; safi: Safi; forwardingPreserved: boolean }[];
}

export interface Capabilities {
  multiprotocol: { afi: Afi; safi: Safi }[];
  routeRefresh: boolean;
  enhancedRouteRefresh: boolean;
  extendedMessage: boolean;
  /** RFC 8950: NLRI of (afi, safi) may carry a next hop of nextHopAfi. */
  extendedNextHop: { afi: Afi; safi: Safi; nextHopAfi: Afi }[];
  gracefulRestart?: GracefulRestartCap;
  /** The 4-octet AS number, when the capability is present. */
  fourOctetAs?: number;
  /** Capabilities we do not understand, kept for display. */
  unknown: { code: number; value: Uint8Array }[];
}

export interface OpenMessage {
  type: MsgType.OPEN;
  version: number;
  /** The 2-octet "My AS" field as sent (AS_TRANS 23456 when the real AS does not fit). */
  myAs: number;
  holdTime: number;
  /** BGP identifier, dotted quad. */
  routerId: string;
  capabilities: Capabilities;
}

export interface NotificationMessage {
  type: MsgType.NOTIFICATION;
  code: number;
  subcode: number;
  data: Uint8Array;
}

export interface KeepaliveMessage {
  type: MsgType.KEEPALIVE;
}

export interface RouteRefreshMessage {
  type: MsgType.ROUTE_REFRESH;
  afi: Afi;
  /** RFC 7313 message subtype: 0 normal request, 1 BoRR, 2 EoRR. */
  subtype: number;
  safi: Safi;
}

export type BgpMessage =
  | OpenMessage
  | UpdateMessage
  | NotificationMessage
  | KeepaliveMessage
  | RouteRefreshMessage;

/** NOTIFICATION error codes (RFC 4271 §4.5, RFC 4486, RFC 7313). */
export const enum ErrCode {
  MESSAGE_HEADER = 1,
  OPEN_MESSAGE = 2,
  UPDATE_MESSAGE = 3,
  HOLD_TIMER_EXPIRED = 4,
  FSM = 5,
  CEASE = 6,
  ROUTE_REFRESH = 7,
}

/** What the session must do about a received message (RFC 4271 §6, RFC 7606 §2). */
export const enum ErrorAction {
  /** Message is fine (possibly with attributes discarded — see the notes). */
  NONE = 0,
  /** RFC 7606 attribute discard: the attribute was dropped, the rest of the UPDATE is used. */
  ATTRIBUTE_DISCARD = 1,
  /** RFC 7606 treat-as-withdraw: every NLRI in the UPDATE is handled as withdrawn. */
  TREAT_AS_WITHDRAW = 2,
  /** RFC 7606 §5.3/RFC 4760 §7: disable the AFI/SAFI (we reset the session, as most speakers do). */
  AFISAFI_DISABLE = 3,
  /** RFC 4271 §6: send NOTIFICATION and close. */
  SESSION_RESET = 4,
}

/** Per-session facts the codec needs (negotiated in OPEN). */
export interface CodecContext {
  /** Both sides advertised 4-octet AS (RFC 6793): AS_PATH carries 4-byte ASNs. */
  as4: boolean;
  /** RFC 8654 negotiated: messages up to 65535 bytes, else 4096. */
  extendedMessage: boolean;
  /** iBGP session (affects LOCAL_PREF handling under RFC 7606). */
  ibgp: boolean;
  /**
   * Extended next hops both sides advertised: NLRI of (afi, safi) may carry a next hop of nextHopAfi.
   * RFC 8950's case is IPv4 NLRI with an IPv6 next hop ({afi: IPv4, nextHopAfi: IPv6}).
   */
  extendedNextHop?: { afi: Afi; safi: Safi; nextHopAfi: Afi }[];
  /**
   * The eBGP peer is a member of our confederation (RFC 5065), so AS_CONFED_* segments from it
   * are legitimate. From any other eBGP peer they make the AS_PATH malformed (RFC 5065 §5).
   */
  confederationPeer?: boolean;
  /**
   * Accept AS_SET / AS_CONFED_SET in AS_PATH. RFC 9774 deprecates them and says treat-as-withdraw,
   * which is the default (undefined/false); set true for peers that still aggregate with sets.
   */
  acceptAsSet?: boolean;
}

/** One thing wrong with a received message, for logs and counters. */
export interface WireProblem {
  /** What this problem alone calls for; the message's action is the most severe of these. */
  action: ErrorAction;
  /** Human-readable cause, e.g. "ORIGIN value 3". */
  reason: string;
  /** The attribute type code when the problem is about a path attribute (or a capability code in OPEN). */
  attrType?: number;
  /** The offending bytes in hex, at most 64 bytes ("…" appended when cut). */
  hex: string;
}

export interface WireNotification {
  code: number;
  subcode: number;
  data: Uint8Array;
}

/**
 * The outcome of decoding one message. `raw` is a view of the received bytes (not a copy: keep it
 * only as long as needed). On ok:false the session sends `notification` and closes; `msg` is set
 * when the message could still be parsed (e.g. AFI/SAFI disable), for logging.
 */
export type DecodeResult =
  | {
      ok: true;
      msg: BgpMessage;
      action: ErrorAction.NONE | ErrorAction.ATTRIBUTE_DISCARD | ErrorAction.TREAT_AS_WITHDRAW;
      problems: WireProblem[];
      raw: Buffer;
    }
  | {
      ok: false;
      action: ErrorAction.SESSION_RESET | ErrorAction.AFISAFI_DISABLE;
      notification: WireNotification;
      problems: WireProblem[];
      raw: Buffer;
      msg?: BgpMessage;
    };
