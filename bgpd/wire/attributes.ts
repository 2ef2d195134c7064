// The path attribute walk (RFC 4271 §4.3 / §6.3 as revised by RFC 7606) and canonical encoding.
// Per-attribute rules are rows of ATTR_TABLE; this file holds only what is common to all of them.
import { AttrFlag, AttrType, ErrCode, ErrorAction } from './types';
import type { CodecContext, PathAttributes, RawAttribute } from './types';
import { AS_TRANS, UpdateSub } from './codes';
import { problem } from './problems';
import { ATTR_TABLE } from './attr-table';
import type { AttrDecodeState } from './attr-table';
import { hasSet, mergeAs4Path } from './attr-aspath';

function report(
  st: AttrDecodeState,
  action: ErrorAction,
  reason: string,
  b: Uint8Array,
  type: number | undefined,
  start: number,
  end: number,
  subcode: number,
): void {
  st.problems.push(problem(action, reason, b, type, start, end));
  if (action >= ErrorAction.AFISAFI_DISABLE && !st.fatal) {
    // Data for attribute errors is the erroneous attribute (RFC 4271 §6.3); list errors carry none.
    const data = subcode === UpdateSub.MALFORMED_ATTRIBUTE_LIST ? new Uint8Array(0) : Uint8Array.from(b.subarray(start, end));
    st.fatal = { code: ErrCode.UPDATE_MESSAGE, subcode, data };
  }
}

export function newDecodeState(ctx: CodecContext): AttrDecodeState {
  return { ctx, attrs: {}, problems: [] };
}

/**
 * Decode the path attributes in b[start..end) into `st`. Never throws on any input; every
 * deviation becomes a problem with its RFC 7606 action. `seen` records attribute types present.
 */
export function decodeAttributes(b: Uint8Array, start: number, end: number, st: AttrDecodeState, seen: Uint8Array): void {
  let i = start;
  while (i < end) {
    const left = end - i;
    const type = left >= 2 ? b[i + 1] : undefined;
    const flags = b[i];
    const hl = flags & AttrFlag.EXTENDED_LENGTH ? 4 : 3;
    const isMp = type === AttrType.MP_REACH_NLRI || type === AttrType.MP_UNREACH_NLRI;
    if (left < hl) {
      // RFC 7606 §4: the attribute block is inconsistent but the NLRI field is still locatable.
      report(st, ErrorAction.TREAT_AS_WITHDRAW, `attribute header truncated (${left} bytes left)`, b, type, i, end, UpdateSub.MALFORMED_ATTRIBUTE_LIST);
      return;
    }
    const len = hl === 4 ? (b[i + 2] << 8) | b[i + 3] : b[i + 2];
    const vs = i + hl;
    const ve = vs + len;
    if (ve > end) {
      // An MP attribute we cannot delimit may hide withdrawals for any family: reset (RFC 7606 §5.3).
      report(
        st,
        isMp ? ErrorAction.SESSION_RESET : ErrorAction.TREAT_AS_WITHDRAW,
        `attribute length ${len} overruns the path attributes by ${ve - end} bytes`,
        b,
        type,
        i,
        end,
        UpdateSub.MALFORMED_ATTRIBUTE_LIST,
      );
      return;
    }
    const t = type as number;
    if (seen[t]) {
      // RFC 7606 §3(g): a repeated MP attribute is fatal, any other repeat is dropped.
      if (isMp) report(st, ErrorAction.SESSION_RESET, `duplicate attribute ${t}`, b, t, i, ve, UpdateSub.MALFORMED_ATTRIBUTE_LIST);
      else report(st, ErrorAction.ATTRIBUTE_DISCARD, `duplicate attribute ${t} discarded`, b, t, i, ve, UpdateSub.MALFORMED_ATTRIBUTE_LIST);
      i = ve;
      continue;
    }
    seen[t] = 1;
    const spec = ATTR_TABLE.get(t);
    const v = b.subarray(vs, ve);
    if (!spec) {
      if ((flags & AttrFlag.OPTIONAL) === 0) {
        report(st, ErrorAction.SESSION_RESET, `unrecognized well-known attribute ${t}`, b, t, i, ve, UpdateSub.UNRECOGNIZED_WELL_KNOWN);
      } else if (flags & AttrFlag.TRANSITIVE) {
        // Unknown optional transitive: pass on unchanged, marked Partial (RFC 4271 §5).
        (st.attrs.unknown ??= []).push({ flags: (flags | AttrFlag.PARTIAL) & 0xe0, type: t, value: Uint8Array.from(v) });
      }
      i = ve;
      continue;
    }
    if ((flags & (AttrFlag.OPTIONAL | AttrFlag.TRANSITIVE)) !== spec.flags) {
      report(st, spec.onError, `${spec.name}: flags 0x${flags.toString(16)} conflict with the type`, b, t, i, ve, UpdateSub.ATTRIBUTE_FLAGS);
      i = ve;
      continue;
    }
    if (flags & AttrFlag.PARTIAL && spec.flags !== (AttrFlag.OPTIONAL | AttrFlag.TRANSITIVE)) {
      report(st, ErrorAction.NONE, `${spec.name}: Partial bit set on a non-transitive or well-known attribute (ignored)`, b, t, i, ve, 0);
    }
    const verdict = spec.decode(v, st, flags, t);
    if (typeof verdict === 'string') {
      report(st, spec.onError, `${spec.name}: ${verdict}`, b, t, i, ve, spec.subcode);
    } else if (verdict) {
      report(st, verdict.action, `${spec.name}: ${verdict.reason}`, b, t, i, ve, spec.subcode);
    }
    i = ve;
  }
}

/**
 * After the walk: RFC 6793 §4.2.3 reconstruction for 2-octet sessions and the RFC 9774 AS_SET
 * rule. Problems found here carry no bytes of their own (the attributes were already reported).
 */
export function finishAttributes(st: AttrDecodeState): void {
  const a = st.attrs;
  const empty = new Uint8Array(0);
  if (!st.ctx.as4) {
    let as4PathUsable = st.as4Path !== undefined;
    if (st.as4Aggregator) {
      if (a.aggregator && a.aggregator.asn === AS_TRANS) {
        a.aggregator = st.as4Aggregator;
      } else {
        // RFC 6793 §4.2.3: a real 2-octet aggregator AS means the AS4_* attributes are stale.
        st.problems.push(problem(ErrorAction.ATTRIBUTE_DISCARD, 'AS4_AGGREGATOR ignored: AGGREGATOR is not AS_TRANS', empty, AttrType.AS4_AGGREGATOR));
        if (a.aggregator) as4PathUsable = false;
      }
    }
    if (st.as4Path && !as4PathUsable) {
      st.problems.push(problem(ErrorAction.ATTRIBUTE_DISCARD, 'AS4_PATH ignored with AS4_AGGREGATOR', empty, AttrType.AS4_PATH));
    } else if (st.as4Path && a.asPath) {
      const merged = mergeAs4Path(a.asPath, st.as4Path);
      if (merged) a.asPath = merged;
      else st.problems.push(problem(ErrorAction.ATTRIBUTE_DISCARD, 'AS4_PATH ignored: longer than AS_PATH', empty, AttrType.AS4_PATH));
    }
  }
  if (a.asPath && hasSet(a.asPath) && !st.ctx.acceptAsSet) {
    st.problems.push(problem(ErrorAction.TREAT_AS_WITHDRAW, 'AS_SET/AS_CONFED_SET in AS_PATH (RFC 9774)', empty, AttrType.AS_PATH));
  }
}

function header(flags: number, type: number, len: number): Uint8Array {
  return len > 255
    ? Uint8Array.of(flags | AttrFlag.EXTENDED_LENGTH, type, len >> 8, len & 0xff)
    : Uint8Array.of(flags & ~AttrFlag.EXTENDED_LENGTH, type, len);
}

function rawFlags(u: RawAttribute): number {
  let f = u.flags & 0xe0;
  // Attributes we do not recognise go on with Partial set; ones we validated keep their flags.
  if (!ATTR_TABLE.has(u.type) && (f & (AttrFlag.OPTIONAL | AttrFlag.TRANSITIVE)) === (AttrFlag.OPTIONAL | AttrFlag.TRANSITIVE)) {
    f |= AttrFlag.PARTIAL;
  }
  return f;
}

/**
 * Canonical attribute bytes (no MP_*): ascending type code, extended length only above 255 bytes,
 * AS4_PATH/AS4_AGGREGATOR added for 2-octet sessions. Equal attribute sets give equal bytes,
 * which is what lets the RIB intern them and share them across an update group.
 */
export function encodeAttributes(attrs: PathAttributes, ctx: CodecContext): Buffer {
  const parts: { type: number; flags: number; value: Uint8Array }[] = [];
  for (const [type, spec] of ATTR_TABLE) {
    if (!spec.encode) continue;
    const value = spec.encode(attrs, ctx);
    if (value) parts.push({ type, flags: spec.flags, value });
  }
  for (const u of attrs.unknown ?? []) {
    // A raw copy of an attribute we encode from its field would be a duplicate on the wire.
    if (ATTR_TABLE.get(u.type)?.encode) continue;
    parts.push({ type: u.type, flags: rawFlags(u), value: u.value });
  }
  parts.sort((x, y) => x.type - y.type);
  let size = 0;
  for (const p of parts) size += (p.value.length > 255 ? 4 : 3) + p.value.length;
  const out = Buffer.allocUnsafe(size);
  let o = 0;
  for (const p of parts) {
    const h = header(p.flags, p.type, p.value.length);
    out.set(h, o);
    out.set(p.value, o + h.length);
    o += h.length + p.value.length;
  }
  return out;
}
