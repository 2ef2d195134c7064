// Text ⇄ bytes for IP addresses, prefixes and MACs. The API speaks text; the codec speaks bytes.

export type Family = 4 | 6;

export interface ParsedIp {
  family: Family;
  bytes: Buffer;
}

export interface ParsedPrefix extends ParsedIp {
  len: number;
}

/**
 * IPv4 text between [start, end) → 32-bit value, or -1. A char-code loop: bulk route work parses one
 * or two addresses per route, and split/regex parsing cost more than the kernel's route insert.
 */
function v4Value(s: string, start: number, end: number): number {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      octet = octet * 10 + (c - 48);
      if (++digits > 3 || octet > 255) return -1;
    } else if (c === 46) {
      if (digits === 0 || ++dots > 3) return -1;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
    } else {
      return -1;
    }
  }
  if (dots !== 3 || digits === 0) return -1;
  return value * 256 + octet;
}

function v4Bytes(v: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(v, 0);
  return b;
}

function parseV4(s: string): Buffer | undefined {
  const v = v4Value(s, 0, s.length);
  return v < 0 ? undefined : v4Bytes(v);
}

function parseV6(s: string): Buffer | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(s)) return undefined;
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const groups = (h: string): number[] | undefined => {
    if (h === '') return [];
    const out: number[] = [];
    const parts = h.split(':');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i];
      if (i === parts.length - 1 && p.includes('.')) {
        const v4 = parseV4(p);
        if (!v4) return undefined;
        out.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(p)) return undefined;
        out.push(parseInt(p, 16));
      }
    }
    return out;
  };
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if (!head || !tail) return undefined;
  const fill = 8 - head.length - tail.length;
  if (halves.length === 2 ? fill < 1 : fill !== 0) return undefined;
  const all = [...head, ...new Array<number>(halves.length === 2 ? fill : 0).fill(0), ...tail];
  const out = Buffer.alloc(16);
  all.forEach((g, i) => out.writeUInt16BE(g, i * 2));
  return out;
}

export function parseIp(text: string): ParsedIp {
  const v4 = parseV4(text);
  if (v4) return { family: 4, bytes: v4 };
  const v6 = text.includes(':') ? parseV6(text) : undefined;
  if (v6) return { family: 6, bytes: v6 };
  throw new Error(`invalid IP address: ${JSON.stringify(text)}`);
}

export function ipFamily(text: string): Family {
  return parseIp(text.split('/')[0]).family;
}

/** Same text as glibc inet_ntop (what iproute2 prints): RFC 5952 compression, embedded IPv4 for v4-mapped. */
export function formatIp(bytes: Uint8Array): string {
  if (bytes.length === 4) return `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}`;
  if (bytes.length !== 16) throw new Error(`formatIp: ${bytes.length}-byte address`);
  const w: number[] = [];
  for (let i = 0; i < 16; i += 2) w.push((bytes[i] << 8) | bytes[i + 1]);
  let bestBase = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (w[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen) { bestBase = i; bestLen = j - i; }
    i = j;
  }
  if (bestLen < 2) bestBase = -1;
  const v4tail = bestBase === 0 && (bestLen === 6 || (bestLen === 7 && w[7] !== 1) || (bestLen === 5 && w[5] === 0xffff));
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (bestBase >= 0 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) out += ':';
      continue;
    }
    if (i > 0) out += ':';
    if (i === 6 && v4tail) {
      out += `${bytes[12]}.${bytes[13]}.${bytes[14]}.${bytes[15]}`;
      break;
    }
    out += w[i].toString(16);
  }
  if (bestBase >= 0 && bestBase + bestLen === 8) out += ':';
  return out;
}

/** formatIp for bytes from the kernel: undefined instead of throwing when the length is not 4 or 16. */
export function ipText(bytes: Uint8Array | undefined): string | undefined {
  return bytes && (bytes.length === 4 || bytes.length === 16) ? formatIp(bytes) : undefined;
}

/** "a.b.c.d/len", "v6/len", a bare address (host prefix), or "default" (needs family). */
export function parsePrefix(text: string, family?: Family): ParsedPrefix {
  if (text === 'default') {
    const f = family ?? 4;
    return { family: f, bytes: Buffer.alloc(f === 4 ? 4 : 16), len: 0 };
  }
  const slash = text.indexOf('/');
  if (family !== 6) {
    const v = v4Value(text, 0, slash < 0 ? text.length : slash);
    if (v >= 0) {
      const len = slash < 0 ? 32 : prefixLen(text, slash + 1, 32);
      if (len < 0) throw new Error(`invalid prefix length in ${JSON.stringify(text)}`);
      return { family: 4, bytes: v4Bytes(v), len };
    }
  }
  const ip = parseIp(slash < 0 ? text : text.slice(0, slash));
  const max = ip.family === 4 ? 32 : 128;
  const lenText = slash < 0 ? String(max) : text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(lenText) || Number(lenText) > max) throw new Error(`invalid prefix length in ${JSON.stringify(text)}`);
  if (family !== undefined && family !== ip.family) throw new Error(`${text} is not IPv${family}`);
  return { ...ip, len: Number(lenText) };
}

function prefixLen(s: string, start: number, max: number): number {
  if (start >= s.length || s.length - start > 3) return -1;
  let v = 0;
  for (let i = start; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
    v = v * 10 + (c - 48);
  }
  return v <= max ? v : -1;
}

export function formatPrefix(bytes: Uint8Array, len: number): string {
  return `${formatIp(bytes)}/${len}`;
}

/** Canonical text of a prefix ("10.0.0.1" → "10.0.0.1/32", "2001:DB8:0::1/128" → "2001:db8::1/128"). */
export function normalizePrefix(text: string, family?: Family): string {
  const p = parsePrefix(text, family);
  return formatPrefix(p.bytes, p.len);
}

export function parseMac(text: string): Buffer {
  const parts = text.split(':');
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{1,2}$/.test(p))) {
    throw new Error(`invalid MAC address: ${JSON.stringify(text)}`);
  }
  return Buffer.from(parts.map((p) => parseInt(p, 16)));
}

export function formatMac(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(':');
}
