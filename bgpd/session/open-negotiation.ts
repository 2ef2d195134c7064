// Building our OPEN and checking the peer's OPEN (RFC 4271 §6.2, RFC 5492, RFC 6286, RFC 6793).
// Pure: the result is either what both sides agreed on or the NOTIFICATION to send.

import { Afi, ErrCode, MsgType, Safi } from '../wire/types';
import type { Capabilities, CodecContext, GracefulRestartCap, OpenMessage } from '../wire/types';
import type { NotificationSpec } from './fsm';
import { OpenSub } from '../wire/codes';
import type { Family, PeerConfig } from './peer-config';

export const AS_TRANS = 23456;
export const DEFAULT_HOLD_TIME = 90;

/** What the two OPENs agreed on; exposed as `session.negotiated` and used to build the codec context. */
export interface Negotiated {
  peerAs: number;
  peerRouterId: string;
  ibgp: boolean;
  /** Both sides support 4-octet AS numbers. */
  as4: boolean;
  /** Seconds; 0 means no hold timer and no keepalives. */
  holdTime: number;
  keepaliveTime: number;
  /** Families both sides offered (IPv4 unicast is implied when the peer sends no MP capability). */
  families: Family[];
  routeRefresh: boolean;
  enhancedRouteRefresh: boolean;
  extendedMessage: boolean;
  /** RFC 8950 families the peer will accept an IPv6/IPv4 next hop for (only what both offered). */
  extendedNextHop: { afi: Afi; safi: Safi; nextHopAfi: Afi }[];
  gracefulRestart: { local?: GracefulRestartCap; peer?: GracefulRestartCap };
  localCapabilities: Capabilities;
  peerCapabilities: Capabilities;
}

export type OpenCheck = { ok: true; negotiated: Negotiated } | { ok: false; notification: NotificationSpec; reason: string };

const IPV4_UNICAST: Family = { afi: Afi.IPv4, safi: Safi.Unicast };

export function configuredFamilies(cfg: PeerConfig): Family[] {
  return cfg.families && cfg.families.length > 0 ? cfg.families : [IPV4_UNICAST];
}

export function buildLocalCapabilities(cfg: PeerConfig): Capabilities {
  const families = configuredFamilies(cfg);
  const gr = cfg.gracefulRestart;
  return {
    multiprotocol: families.map((f) => ({ afi: f.afi, safi: f.safi })),
    routeRefresh: cfg.routeRefresh ?? true,
    enhancedRouteRefresh: cfg.enhancedRouteRefresh ?? true,
    extendedMessage: cfg.extendedMessage ?? true,
    extendedNextHop: [],
    ...(gr
      ? {
          gracefulRestart: {
            restartState: gr.restarting ?? false,
            notification: gr.notification ?? false,
            restartTime: Math.min(gr.restartTime, 4095),
            families: families.map((f) => ({ afi: f.afi, safi: f.safi, forwardingPreserved: gr.forwardingPreserved ?? false })),
          },
        }
      : {}),
    fourOctetAs: cfg.localAs,
    unknown: [],
  };
}

export function buildOpen(cfg: PeerConfig): OpenMessage {
  return {
    type: MsgType.OPEN,
    version: 4,
    myAs: cfg.localAs > 0xffff ? AS_TRANS : cfg.localAs,
    holdTime: cfg.holdTime ?? DEFAULT_HOLD_TIME,
    routerId: cfg.routerId,
    capabilities: buildLocalCapabilities(cfg),
  };
}

function fail(subcode: number, reason: string, data: Uint8Array = new Uint8Array(0)): OpenCheck {
  return { ok: false, notification: { code: ErrCode.OPEN_MESSAGE, subcode, data }, reason };
}

function ipv4ToInt(ip: string): number {
  const p = ip.split('.').map(Number);
  return p.length === 4 ? ((p[0]! << 24) | (p[1]! << 16) | (p[2]! << 8) | p[3]!) >>> 0 : 0;
}

const sameFamily = (a: Family, b: Family) => a.afi === b.afi && a.safi === b.safi;

/** The MP capability TLVs for `families`, as RFC 5492 wants them in the 2/7 data field. */
function mpCapabilityBytes(families: Family[]): Uint8Array {
  const out = new Uint8Array(families.length * 6);
  families.forEach((f, i) => out.set([1, 4, f.afi >> 8, f.afi & 0xff, 0, f.safi], i * 6));
  return out;
}

/** Checks the peer's OPEN against our config; order of checks follows RFC 4271 §6.2. */
export function checkPeerOpen(cfg: PeerConfig, open: OpenMessage): OpenCheck {
  if (open.version !== 4) {
    // Data: the largest version we support, 2 octets.
    return fail(OpenSub.UNSUPPORTED_VERSION, `unsupported version ${open.version}`, new Uint8Array([0, 4]));
  }
  const caps = open.capabilities;
  const peerAs = caps.fourOctetAs ?? open.myAs;
  if (peerAs !== cfg.peerAs) return fail(OpenSub.BAD_PEER_AS, `peer AS ${peerAs}, expected ${cfg.peerAs}`);
  if (open.holdTime === 1 || open.holdTime === 2) {
    return fail(OpenSub.UNACCEPTABLE_HOLD_TIME, `unacceptable hold time ${open.holdTime}`);
  }
  const ibgp = cfg.peerAs === cfg.localAs;
  const peerId = ipv4ToInt(open.routerId);
  // RFC 6286: the identifier is any non-zero 32-bit value; only iBGP peers must differ from ours.
  if (peerId === 0) return fail(OpenSub.BAD_BGP_IDENTIFIER, 'BGP identifier 0');
  if (ibgp && peerId === ipv4ToInt(cfg.routerId)) {
    return fail(OpenSub.BAD_BGP_IDENTIFIER, `iBGP peer uses our BGP identifier ${open.routerId}`);
  }

  const local = buildLocalCapabilities(cfg);
  // RFC 4760 §1: a speaker without MP capabilities does IPv4 unicast only.
  const peerFamilies = caps.multiprotocol.length > 0 ? caps.multiprotocol : [IPV4_UNICAST];
  const families = configuredFamilies(cfg).filter((f) => peerFamilies.some((p) => sameFamily(p, f)));
  const missing = (cfg.requiredFamilies ?? []).filter((f) => !families.some((n) => sameFamily(n, f)));
  if (missing.length > 0 || families.length === 0) {
    const lacking = missing.length > 0 ? missing : configuredFamilies(cfg);
    return fail(
      OpenSub.UNSUPPORTED_CAPABILITY,
      `peer lacks address family ${lacking.map((f) => `${f.afi}/${f.safi}`).join(', ')}`,
      mpCapabilityBytes(lacking),
    );
  }

  const ourHold = cfg.holdTime ?? DEFAULT_HOLD_TIME;
  const holdTime = Math.min(ourHold, open.holdTime);
  const keepaliveTime = holdTime === 0 ? 0 : Math.max(1, Math.min(cfg.keepaliveTime ?? Infinity, Math.floor(holdTime / 3)));

  const extendedNextHop = local.extendedNextHop.filter((l) =>
    caps.extendedNextHop.some((p) => p.afi === l.afi && p.safi === l.safi && p.nextHopAfi === l.nextHopAfi),
  );
  return {
    ok: true,
    negotiated: {
      peerAs,
      peerRouterId: open.routerId,
      ibgp,
      as4: caps.fourOctetAs !== undefined,
      holdTime,
      keepaliveTime,
      families,
      routeRefresh: local.routeRefresh && caps.routeRefresh,
      enhancedRouteRefresh: local.enhancedRouteRefresh && caps.enhancedRouteRefresh,
      extendedMessage: local.extendedMessage && caps.extendedMessage,
      extendedNextHop,
      gracefulRestart: {
        ...(local.gracefulRestart ? { local: local.gracefulRestart } : {}),
        ...(caps.gracefulRestart ? { peer: caps.gracefulRestart } : {}),
      },
      localCapabilities: local,
      peerCapabilities: caps,
    },
  };
}

export function codecContextFor(n: Negotiated | undefined): CodecContext {
  if (!n) return { as4: false, extendedMessage: false, ibgp: false };
  return { as4: n.as4, extendedMessage: n.extendedMessage, ibgp: n.ibgp, extendedNextHop: n.extendedNextHop };
}

/**
 * RFC 4271 §6.8 + RFC 6286 §2.3: which connection survives a collision. The side with the higher BGP
 * identifier keeps the connection it initiated; with equal identifiers (allowed for eBGP) the side
 * with the larger AS number does.
 */
export function keepLocallyInitiated(localId: string, localAs: number, remoteId: string, remoteAs: number): boolean {
  const l = ipv4ToInt(localId);
  const r = ipv4ToInt(remoteId);
  if (l !== r) return l > r;
  return localAs > remoteAs;
}
