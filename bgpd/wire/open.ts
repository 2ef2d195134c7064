// OPEN message body (RFC 4271 §4.2) with capability parameters (RFC 5492) and extended optional
// parameter lengths (RFC 9072), plus the OPEN checks of §6.2 that need only the message itself.
// Checks that need local state (our router id, the configured peer AS) are helpers the session
// calls: checkOpenAgainstLocal.
import { ErrCode, MsgType } from './types';
import type { Capabilities, CodecContext, OpenMessage, WireNotification, WireProblem } from './types';
import { AS_TRANS, BGP_VERSION, HEADER_LEN, OpenSub } from './codes';
import { decodeCapabilities, emptyCapabilities, encodeCapabilities } from './capabilities';
import { formatIPv4, parseIPv4 } from './addr';
import { allocMessage } from './header';

const PARAM_CAPABILITIES = 2;
const EXTENDED_PARAMS = 255;

export type OpenDecode =
  | { ok: true; msg: OpenMessage; problems: WireProblem[] }
  | { ok: false; notification: WireNotification; reason: string; msg?: OpenMessage; problems: WireProblem[] };

function openError(subcode: number, reason: string, problems: WireProblem[], data: Uint8Array = new Uint8Array(0), msg?: OpenMessage): OpenDecode {
  const r: OpenDecode = { ok: false, notification: { code: ErrCode.OPEN_MESSAGE, subcode, data }, reason, problems };
  if (msg) r.msg = msg;
  return r;
}

/** Decode an OPEN whose complete bytes (header included) are b[0..b.length). */
export function decodeOpen(b: Uint8Array): OpenDecode {
  const problems: WireProblem[] = [];
  const end = b.length;
  let o = HEADER_LEN;
  const version = b[o];
  const myAs = (b[o + 1] << 8) | b[o + 2];
  const holdTime = (b[o + 3] << 8) | b[o + 4];
  const routerId = formatIPv4(b, o + 5);
  let optLen = b[o + 9];
  o += 10;
  if (version !== BGP_VERSION) {
    return openError(OpenSub.UNSUPPORTED_VERSION, `version ${version}`, problems, Uint8Array.of(0, BGP_VERSION));
  }
  const caps = emptyCapabilities();
  let extended = false;
  if (optLen > 0 && o < end && b[o] === EXTENDED_PARAMS) {
    // RFC 9072: non-extended length 255 and a first "type" of 255 announce 2-byte lengths.
    if (o + 3 > end) return openError(OpenSub.UNSPECIFIC, 'extended optional parameters length truncated', problems);
    extended = true;
    optLen = (b[o + 1] << 8) | b[o + 2];
    o += 3;
  }
  if (o + optLen !== end) {
    return openError(OpenSub.UNSPECIFIC, `optional parameters length ${optLen} does not match message length ${end}`, problems);
  }
  const hdr = extended ? 3 : 2;
  while (o < end) {
    if (o + hdr > end) return openError(OpenSub.UNSPECIFIC, 'optional parameter header truncated', problems);
    const type = b[o];
    const plen = extended ? (b[o + 1] << 8) | b[o + 2] : b[o + 1];
    const ps = o + hdr;
    if (ps + plen > end) return openError(OpenSub.UNSPECIFIC, `optional parameter length ${plen} overruns the message`, problems);
    if (type !== PARAM_CAPABILITIES) {
      return openError(OpenSub.UNSUPPORTED_OPTIONAL_PARAMETER, `optional parameter type ${type}`, problems);
    }
    const why = decodeCapabilities(b, ps, ps + plen, caps, problems);
    if (why) return openError(OpenSub.UNSPECIFIC, why, problems);
    o = ps + plen;
  }
  const msg: OpenMessage = { type: MsgType.OPEN, version, myAs, holdTime, routerId, capabilities: caps };
  // RFC 7607: AS 0 is never a valid peer AS, in My AS or in the 4-octet capability.
  if (myAs === 0 || caps.fourOctetAs === 0) return openError(OpenSub.BAD_PEER_AS, 'peer AS 0', problems, undefined, msg);
  // AS_TRANS is only a placeholder; an old speaker claiming it has no real AS to talk about.
  if (myAs === AS_TRANS && caps.fourOctetAs === undefined) {
    return openError(OpenSub.BAD_PEER_AS, 'AS_TRANS without the 4-octet AS capability', problems, undefined, msg);
  }
  if (holdTime === 1 || holdTime === 2) {
    return openError(OpenSub.UNACCEPTABLE_HOLD_TIME, `hold time ${holdTime}`, problems, undefined, msg);
  }
  if (routerId === '0.0.0.0') return openError(OpenSub.BAD_BGP_IDENTIFIER, 'BGP identifier 0.0.0.0', problems, undefined, msg);
  return { ok: true, msg, problems };
}

/** The 2-octet My AS field for a (possibly 4-octet) AS: AS_TRANS when it does not fit. */
export function myAsField(asn: number): number {
  return asn > 0xffff ? AS_TRANS : asn;
}

/** The peer's real AS from its OPEN: the 4-octet capability when present, else My AS. */
export function peerAsOf(open: OpenMessage): number {
  return open.capabilities.fourOctetAs ?? open.myAs;
}

export function encodeOpen(msg: OpenMessage): Buffer {
  const capBytes = encodeCapabilities(msg.capabilities);
  // Pack whole capabilities into parameters of at most 255 bytes; beyond 255 bytes of parameters
  // in total, switch to one RFC 9072 extended parameter.
  const params: number[] = [];
  let extended = false;
  if (capBytes.length > 0) {
    let groups: [number, number][] = [];
    let gs = 0;
    let i = 0;
    while (i < capBytes.length) {
      const clen = 2 + capBytes[i + 1];
      if (i + clen - gs > 255 && i > gs) {
        groups.push([gs, i]);
        gs = i;
      }
      i += clen;
    }
    groups.push([gs, capBytes.length]);
    const total = groups.reduce((n, [s, e]) => n + 2 + (e - s), 0);
    // A capability with a value over 253 bytes fits no ordinary parameter either.
    if (total > 255 || groups.some(([s, e]) => e - s > 255)) {
      extended = true;
      groups = [[0, capBytes.length]];
    }
    for (const [s, e] of groups) {
      const len = e - s;
      if (extended) params.push(PARAM_CAPABILITIES, len >> 8, len & 0xff);
      else params.push(PARAM_CAPABILITIES, len);
      for (let j = s; j < e; j++) params.push(capBytes[j]);
    }
  }
  const optHeader = extended ? 4 : 1;
  const total = HEADER_LEN + 9 + optHeader + params.length;
  const b = allocMessage(MsgType.OPEN, total);
  let o = HEADER_LEN;
  b[o++] = msg.version;
  b.writeUInt16BE(myAsField(msg.myAs), o);
  b.writeUInt16BE(msg.holdTime, o + 2);
  const id = parseIPv4(msg.routerId);
  if (!id) throw new Error(`OPEN router id is not a dotted quad: ${msg.routerId}`);
  b.set(id, o + 4);
  o += 8;
  if (extended) {
    b[o++] = 255;
    b[o++] = EXTENDED_PARAMS;
    b.writeUInt16BE(params.length, o);
    o += 2;
  } else {
    b[o++] = params.length;
  }
  b.set(params, o);
  return b;
}

/**
 * Checks of a received OPEN against local facts (RFC 4271 §6.2, RFC 6286 §2.2): a notification to
 * send, or null when acceptable. `expectedPeerAs` may be a list (dynamic peers from a range).
 */
export function checkOpenAgainstLocal(
  open: OpenMessage,
  local: { localAs: number; routerId: string; expectedPeerAs?: number | readonly number[] },
): WireNotification | null {
  const peerAs = peerAsOf(open);
  const expected = local.expectedPeerAs;
  if (expected !== undefined) {
    const ok = typeof expected === 'number' ? peerAs === expected : expected.includes(peerAs);
    if (!ok) return { code: ErrCode.OPEN_MESSAGE, subcode: OpenSub.BAD_PEER_AS, data: new Uint8Array(0) };
  }
  // The same identifier is only an error inside one AS (RFC 6286 §2.2).
  if (peerAs === local.localAs && open.routerId === local.routerId) {
    return { code: ErrCode.OPEN_MESSAGE, subcode: OpenSub.BAD_BGP_IDENTIFIER, data: new Uint8Array(0) };
  }
  return null;
}

/** RFC 5492 §3: refuse a peer lacking capabilities we require; data lists the ones we wanted. */
export function unsupportedCapabilityNotification(required: readonly { code: number; value: Uint8Array }[]): WireNotification {
  const out: number[] = [];
  for (const c of required) {
    out.push(c.code, c.value.length);
    for (const x of c.value) out.push(x);
  }
  return { code: ErrCode.OPEN_MESSAGE, subcode: OpenSub.UNSUPPORTED_CAPABILITY, data: Uint8Array.from(out) };
}

/** The hold time to use (RFC 4271 §4.2): the smaller of ours and theirs; 0 means no keepalives. */
export function negotiatedHoldTime(ours: number, theirs: number): number {
  return Math.min(ours, theirs);
}

/** Build the per-session codec context from both OPENs' capabilities. */
export function codecContextFor(local: Capabilities, remote: Capabilities, ibgp: boolean): CodecContext {
  const ext = local.extendedNextHop.filter((l) =>
    remote.extendedNextHop.some((r) => r.afi === l.afi && r.safi === l.safi && r.nextHopAfi === l.nextHopAfi),
  );
  return {
    as4: local.fourOctetAs !== undefined && remote.fourOctetAs !== undefined,
    extendedMessage: local.extendedMessage && remote.extendedMessage,
    ibgp,
    extendedNextHop: ext,
  };
}
