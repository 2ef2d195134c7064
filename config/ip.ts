// IPv4/IPv6 address and CIDR parsing for config validation. Kept dependency-free (config/ may import
// nothing of ours and no CIDR package is installed). Both families are held as bigint so prefix math is
// one code path.

export type Family = 4 | 6;

export interface IP {
  family: Family;
  value: bigint;
}

export interface Cidr {
  /** The address as written (host bits may be set). */
  ip: IP;
  prefixLength: number;
}

export const maxPrefixLength = (family: Family): number => (family === 4 ? 32 : 128);

/** Strict dotted quad: four decimal octets 0–255, no leading zeros (010 is octal to some tools). */
export function parseIPv4(text: string): IP | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const p of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    value = (value << 8n) | BigInt(n);
  }
  return { family: 4, value };
}

export function parseIPv6(text: string): IP | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(text)) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groupsOf = (s: string): number[] | undefined => {
    if (s === '') return [];
    const out: number[] = [];
    const parts = s.split(':');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i];
      // an embedded IPv4 tail (::ffff:192.0.2.1) counts as two groups
      if (i === parts.length - 1 && p.includes('.')) {
        const v4 = parseIPv4(p);
        if (!v4) return undefined;
        out.push(Number(v4.value >> 16n), Number(v4.value & 0xffffn));
        continue;
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(p)) return undefined;
      out.push(parseInt(p, 16));
    }
    return out;
  };
  const head = groupsOf(halves[0]);
  const tail = halves.length === 2 ? groupsOf(halves[1]) : [];
  if (!head || !tail) return undefined;
  // a v4 tail is only allowed at the very end
  if (halves.length === 2 && halves[0].includes('.')) return undefined;
  let groups: number[];
  if (halves.length === 2) {
    const missing = 8 - head.length - tail.length;
    if (missing < 1) return undefined;
    groups = [...head, ...new Array<number>(missing).fill(0), ...tail];
  } else {
    groups = head;
  }
  if (groups.length !== 8) return undefined;
  let value = 0n;
  for (const g of groups) value = (value << 16n) | BigInt(g);
  return { family: 6, value };
}

export function parseIP(text: string): IP | undefined {
  return text.includes(':') ? parseIPv6(text) : parseIPv4(text);
}

export function formatIP(ip: IP): string {
  if (ip.family === 4) {
    const v = ip.value;
    return [24n, 16n, 8n, 0n].map((s) => String((v >> s) & 0xffn)).join('.');
  }
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((ip.value >> BigInt(i * 16)) & 0xffffn));
  // RFC 5952: compress the longest run (≥2) of zero groups, the first one on a tie
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = (gs: number[]) => gs.map((g) => g.toString(16)).join(':');
  if (bestStart < 0) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLen))}`;
}

/** "a.b.c.d/len" or "v6/len"; the prefix length must be plain decimal within the family's range. */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const ip = parseIP(text.slice(0, slash));
  const lenText = text.slice(slash + 1);
  if (!ip || !/^(0|[1-9][0-9]{0,2})$/.test(lenText)) return undefined;
  const prefixLength = Number(lenText);
  if (prefixLength > maxPrefixLength(ip.family)) return undefined;
  return { ip, prefixLength };
}

const hostMask = (family: Family, prefixLength: number): bigint =>
  (1n << BigInt(maxPrefixLength(family) - prefixLength)) - 1n;

export function networkOf(c: Cidr): Cidr {
  return { ip: { family: c.ip.family, value: c.ip.value & ~hostMask(c.ip.family, c.prefixLength) }, prefixLength: c.prefixLength };
}

export const hasHostBits = (c: Cidr): boolean => (c.ip.value & hostMask(c.ip.family, c.prefixLength)) !== 0n;

export const formatCidr = (c: Cidr): string => `${formatIP(c.ip)}/${c.prefixLength}`;

export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  if (a.ip.family !== b.ip.family) return false;
  const shorter = Math.min(a.prefixLength, b.prefixLength);
  const na = networkOf({ ip: a.ip, prefixLength: shorter });
  const nb = networkOf({ ip: b.ip, prefixLength: shorter });
  return na.ip.value === nb.ip.value;
}

export function cidrContains(outer: Cidr, ip: IP): boolean {
  return ip.family === outer.ip.family && cidrsOverlap(outer, { ip, prefixLength: maxPrefixLength(ip.family) });
}
