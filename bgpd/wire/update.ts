// UPDATE message (RFC 4271 §4.3) decode with RFC 7606 error handling, and encode of a whole
// UpdateMessage (for tests and small messages; bulk outbound goes through pack.ts).
import { AttrType, ErrCode, ErrorAction, MsgType } from './types';
import type { CodecContext, PrefixKey, UpdateMessage, WireNotification, WireProblem } from './types';
import { HEADER_LEN, UpdateSub } from './codes';
import { problem } from './problems';
import { readNlri, writeKey } from './nlri';
import { decodeAttributes, encodeAttributes, finishAttributes, newDecodeState } from './attributes';
import { encodeMpReach, encodeMpUnreach } from './attr-mp';
import { allocMessage, maxMessageSize } from './header';

export interface UpdateDecode {
  msg?: UpdateMessage;
  problems: WireProblem[];
  /** Set when some problem is SESSION_RESET / AFISAFI_DISABLE. */
  fatal?: WireNotification;
}

function framingError(b: Uint8Array, reason: string, subcode: number, start: number, end: number): UpdateDecode {
  return {
    problems: [problem(ErrorAction.SESSION_RESET, reason, b, undefined, start, end)],
    fatal: { code: ErrCode.UPDATE_MESSAGE, subcode, data: new Uint8Array(0) },
  };
}

const MANDATORY: [AttrType, string][] = [
  [AttrType.ORIGIN, 'ORIGIN'],
  [AttrType.AS_PATH, 'AS_PATH'],
];

/** Decode an UPDATE whose complete bytes (header included) are b. Never throws. */
export function decodeUpdate(b: Uint8Array, ctx: CodecContext): UpdateDecode {
  const end = b.length;
  let o = HEADER_LEN;
  const wlen = (b[o] << 8) | b[o + 1];
  o += 2;
  if (o + wlen + 2 > end) {
    return framingError(b, `withdrawn routes length ${wlen} overruns the message`, UpdateSub.MALFORMED_ATTRIBUTE_LIST, HEADER_LEN, end);
  }
  const withdrawn: PrefixKey[] = [];
  const badW = readNlri(b, o, o + wlen, 32, withdrawn);
  if (badW >= 0) return framingError(b, 'malformed withdrawn prefix', UpdateSub.INVALID_NETWORK_FIELD, badW, o + wlen);
  o += wlen;
  const alen = (b[o] << 8) | b[o + 1];
  o += 2;
  if (o + alen > end) {
    return framingError(b, `total path attribute length ${alen} overruns the message`, UpdateSub.MALFORMED_ATTRIBUTE_LIST, o - 2, end);
  }
  const st = newDecodeState(ctx);
  const seen = new Uint8Array(256);
  decodeAttributes(b, o, o + alen, st, seen);
  o += alen;
  const nlri: PrefixKey[] = [];
  const badN = readNlri(b, o, end, 32, nlri);
  if (badN >= 0) {
    const r = framingError(b, 'malformed NLRI prefix', UpdateSub.INVALID_NETWORK_FIELD, badN, end);
    r.problems.unshift(...st.problems);
    return r;
  }
  finishAttributes(st);
  if (nlri.length === 0) {
    // Without classic NLRI the NEXT_HOP attribute is ignored (RFC 4760 §3), so a broken one must
    // not withdraw MP routes: downgrade its problems to attribute discard.
    for (const p of st.problems) {
      if (p.attrType === AttrType.NEXT_HOP && p.action === ErrorAction.TREAT_AS_WITHDRAW) {
        p.action = ErrorAction.ATTRIBUTE_DISCARD;
        p.reason += ' (no IPv4 NLRI: attribute ignored)';
      }
    }
  }
  const msg: UpdateMessage = { type: MsgType.UPDATE, withdrawn, attrs: st.attrs, nlri };
  if (st.mpReach) msg.mpReach = st.mpReach;
  if (st.mpUnreach) msg.mpUnreach = st.mpUnreach;
  // RFC 7606 §3(d): missing well-known mandatory attributes mean treat-as-withdraw, but only when
  // there is something to install (an UPDATE of withdrawals needs no attributes at all).
  const reach = nlri.length > 0 || (st.mpReach !== undefined && st.mpReach.nlri.length > 0);
  if (reach) {
    const none = new Uint8Array(0);
    for (const [t, name] of MANDATORY) {
      if (!seen[t]) st.problems.push(problem(ErrorAction.TREAT_AS_WITHDRAW, `missing ${name}`, none, t));
    }
    if (nlri.length > 0 && !seen[AttrType.NEXT_HOP]) {
      st.problems.push(problem(ErrorAction.TREAT_AS_WITHDRAW, 'missing NEXT_HOP', none, AttrType.NEXT_HOP));
    }
    if (ctx.ibgp && !seen[AttrType.LOCAL_PREF]) {
      // Tolerated: the RIB applies the default (100), as BIRD and FRR do.
      st.problems.push(problem(ErrorAction.NONE, 'missing LOCAL_PREF on an iBGP session (default applies)', none, AttrType.LOCAL_PREF));
    }
  }
  const r: UpdateDecode = { msg, problems: st.problems };
  if (st.fatal) r.fatal = st.fatal;
  return r;
}

/**
 * One UPDATE carrying everything in `msg`; MP attributes first (RFC 7606 §5.1). Throws a
 * RangeError when it does not fit the session's maximum size — use packUpdates for bulk.
 */
export function encodeUpdate(msg: UpdateMessage, ctx: CodecContext): Buffer {
  const mpR = msg.mpReach ? encodeMpReach(msg.mpReach) : null;
  const mpU = msg.mpUnreach ? encodeMpUnreach(msg.mpUnreach) : null;
  const attrs = encodeAttributes(msg.attrs, ctx);
  let wlen = 0;
  for (const k of msg.withdrawn) wlen += k.length;
  let nlen = 0;
  for (const k of msg.nlri) nlen += k.length;
  const alen = (mpR?.length ?? 0) + (mpU?.length ?? 0) + attrs.length;
  const total = HEADER_LEN + 2 + wlen + 2 + alen + nlen;
  const max = maxMessageSize(ctx);
  if (total > max) throw new RangeError(`UPDATE of ${total} bytes exceeds the maximum ${max}`);
  const b = allocMessage(MsgType.UPDATE, total);
  let o = HEADER_LEN;
  b.writeUInt16BE(wlen, o);
  o += 2;
  for (const k of msg.withdrawn) o = writeKey(b, o, k);
  b.writeUInt16BE(alen, o);
  o += 2;
  if (mpR) {
    b.set(mpR, o);
    o += mpR.length;
  }
  if (mpU) {
    b.set(mpU, o);
    o += mpU.length;
  }
  b.set(attrs, o);
  o += attrs.length;
  for (const k of msg.nlri) o = writeKey(b, o, k);
  return b;
}
