// Structure checks for attributes we do not interpret but must not pass on broken: the CVE list
// (bgp.md §6.2) is mostly TLV attributes whose inner lengths overran. Each returns a reason when
// malformed, else null. Well-formed ones travel on as raw bytes (transitive) or are dropped.

/** OTC, RFC 9234 §5: exactly 4 bytes. */
export function checkOtc(v: Uint8Array): string | null {
  return v.length === 4 ? null : `length ${v.length} (want 4)`;
}

/** AIGP, RFC 7311 §3: TLVs of type(1) length(2, whole TLV); the AIGP TLV (type 1) is 11 bytes. */
export function checkAigp(v: Uint8Array): string | null {
  if (v.length === 0) return 'empty';
  let i = 0;
  while (i < v.length) {
    if (v.length - i < 3) return 'TLV header truncated';
    const type = v[i];
    const len = (v[i + 1] << 8) | v[i + 2];
    if (len < 3) return `TLV length ${len} below 3`;
    if (i + len > v.length) return `TLV length ${len} overruns the attribute`;
    if (type === 1 && len !== 11) return `AIGP TLV length ${len} (want 11)`;
    i += len;
  }
  return null;
}

/**
 * Tunnel Encapsulation, RFC 9012 §2: TLVs of tunnel type(2) length(2) holding sub-TLVs whose
 * length is 1 byte for types 0-127 and 2 bytes for 128-255 (RFC 9012 §2).
 */
export function checkTunnelEncap(v: Uint8Array): string | null {
  if (v.length === 0) return 'empty';
  let i = 0;
  while (i < v.length) {
    if (v.length - i < 4) return 'tunnel TLV header truncated';
    const len = (v[i + 2] << 8) | v[i + 3];
    const end = i + 4 + len;
    if (end > v.length) return `tunnel TLV length ${len} overruns the attribute`;
    let j = i + 4;
    while (j < end) {
      const st = v[j];
      const wide = st >= 128;
      const hl = wide ? 3 : 2;
      if (end - j < hl) return 'sub-TLV header truncated';
      const sl = wide ? (v[j + 1] << 8) | v[j + 2] : v[j + 1];
      if (j + hl + sl > end) return `sub-TLV ${st} length ${sl} overruns its tunnel TLV`;
      j += hl + sl;
    }
    i = end;
  }
  return null;
}

/** BGP Prefix-SID, RFC 8669 §3: TLVs of type(1) length(2, value only). */
export function checkPrefixSid(v: Uint8Array): string | null {
  if (v.length === 0) return 'empty';
  let i = 0;
  while (i < v.length) {
    if (v.length - i < 3) return 'TLV header truncated';
    const len = (v[i + 1] << 8) | v[i + 2];
    if (i + 3 + len > v.length) return `TLV ${v[i]} length ${len} overruns the attribute`;
    i += 3 + len;
  }
  return null;
}

/** PMSI Tunnel, RFC 6514 §5: flags(1) tunnel type(1) label(3) then the tunnel identifier. */
export function checkPmsiTunnel(v: Uint8Array): string | null {
  return v.length >= 5 ? null : `length ${v.length} below 5`;
}
