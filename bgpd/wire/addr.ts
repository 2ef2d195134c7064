// IPv4/IPv6 address text <-> bytes. Strict parsing (no octal, no zone ids) because these strings
// come from config and from our own formatting; formatting follows RFC 5952 so that the same
// address always prints the same way (it is compared as a string in PathAttributes).
//
// Deliberately not config/ip.ts: that one parses the same text into bigints for CIDR math. Going
// through it and converting to bytes measured 1.4-1.7x slower here (1M addresses: v4 1.15 -> 1.94 s,
// v6 3.73 -> 5.31 s), and it has no RFC 5952 mixed form for IPv4-mapped addresses.

const DEC_OCTET = /^(0|[1-9][0-9]{0,2})$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

/** 4 bytes, or null when `text` is not a dotted quad. */
export function parseIPv4(text: string): Uint8Array | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    if (!DEC_OCTET.test(parts[i])) return null;
    const v = Number(parts[i]);
    if (v > 255) return null;
    out[i] = v;
  }
  return out;
}

/** 16 bytes, or null when `text` is not an IPv6 address (embedded dotted quad allowed at the end). */
export function parseIPv6(text: string): Uint8Array | null {
  if (text.length === 0 || text.length > 45) return null;
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const groups = (s: string): number[] | null => {
    if (s === '') return [];
    const out: number[] = [];
    const parts = s.split(':');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i];
      if (i === parts.length - 1 && p.includes('.')) {
        const v4 = parseIPv4(p);
        if (!v4) return null;
        out.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      } else {
        if (!HEX_GROUP.test(p)) return null;
        out.push(parseInt(p, 16));
      }
    }
    return out;
  };
  const head = groups(halves[0]);
  if (!head) return null;
  let all: number[];
  if (halves.length === 2) {
    const tail = groups(halves[1]);
    if (!tail) return null;
    // A dotted quad is only valid as the last element.
    if (halves[0].includes('.')) return null;
    const fill = 8 - head.length - tail.length;
    if (fill < 1) return null;
    all = [...head, ...new Array<number>(fill).fill(0), ...tail];
  } else {
    all = head;
  }
  if (all.length !== 8) return null;
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    out[2 * i] = all[i] >> 8;
    out[2 * i + 1] = all[i] & 0xff;
  }
  return out;
}

export function formatIPv4(b: Uint8Array, off = 0): string {
  return `${b[off]}.${b[off + 1]}.${b[off + 2]}.${b[off + 3]}`;
}

/** RFC 5952 text: lower case, no leading zeros, the first longest run (>=2) of zero groups as "::". */
export function formatIPv6(b: Uint8Array, off = 0): string {
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push((b[off + 2 * i] << 8) | b[off + 2 * i + 1]);
  // IPv4-mapped addresses print in mixed notation (RFC 5952 §5).
  if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) {
    return `::ffff:${formatIPv4(b, off + 12)}`;
  }
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (from: number, to: number): string => g.slice(from, to).map((x) => x.toString(16)).join(':');
  if (bestStart < 0) return hex(0, 8);
  return `${hex(0, bestStart)}::${hex(bestStart + bestLen, 8)}`;
}

/** Canonical form of an address string (for comparing config input with decoded values), or null. */
export function canonicalAddress(text: string): string | null {
  if (text.includes(':')) {
    const b = parseIPv6(text);
    return b ? formatIPv6(b) : null;
  }
  const b = parseIPv4(text);
  return b ? formatIPv4(b) : null;
}
