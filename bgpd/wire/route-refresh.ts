// ROUTE-REFRESH (RFC 2918) with the enhanced-route-refresh subtypes (RFC 7313) and KEEPALIVE.
import { ErrCode, ErrorAction, MsgType } from './types';
import type { RouteRefreshMessage, WireNotification, WireProblem } from './types';
import { HEADER_LEN, RouteRefreshSub } from './codes';
import { allocMessage } from './header';
import { problem } from './problems';

const RR_LEN = HEADER_LEN + 4;

export type RouteRefreshDecode =
  | { ok: true; msg: RouteRefreshMessage; problems: WireProblem[] }
  | { ok: false; notification: WireNotification; reason: string };

/**
 * We negotiate no ORF (RFC 5291), so every ROUTE-REFRESH is exactly 23 bytes; anything else is an
 * RFC 7313 §5 error whose data is the whole message. Unknown subtypes decode fine with a problem:
 * RFC 7313 says ignore the message, which is the session's decision.
 */
export function decodeRouteRefresh(b: Uint8Array): RouteRefreshDecode {
  if (b.length !== RR_LEN) {
    return {
      ok: false,
      notification: { code: ErrCode.ROUTE_REFRESH, subcode: RouteRefreshSub.INVALID_MESSAGE_LENGTH, data: Uint8Array.from(b) },
      reason: `ROUTE-REFRESH length ${b.length} (want 23; no ORF negotiated)`,
    };
  }
  const msg: RouteRefreshMessage = {
    type: MsgType.ROUTE_REFRESH,
    afi: ((b[HEADER_LEN] << 8) | b[HEADER_LEN + 1]) as RouteRefreshMessage['afi'],
    subtype: b[HEADER_LEN + 2],
    safi: b[HEADER_LEN + 3] as RouteRefreshMessage['safi'],
  };
  const problems: WireProblem[] = [];
  if (msg.subtype > 2) problems.push(problem(ErrorAction.NONE, `ROUTE-REFRESH subtype ${msg.subtype}; ignore the message`, b, undefined, HEADER_LEN, RR_LEN));
  return { ok: true, msg, problems };
}

export function encodeRouteRefresh(msg: RouteRefreshMessage): Buffer {
  const b = allocMessage(MsgType.ROUTE_REFRESH, RR_LEN);
  b.writeUInt16BE(msg.afi, HEADER_LEN);
  b[HEADER_LEN + 2] = msg.subtype;
  b[HEADER_LEN + 3] = msg.safi;
  return b;
}

export function encodeKeepalive(): Buffer {
  return allocMessage(MsgType.KEEPALIVE, HEADER_LEN);
}
