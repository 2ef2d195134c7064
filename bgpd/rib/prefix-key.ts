// Text <-> PrefixKey conversion for policy prefix lists, tests and bgpctl output. The codec has its
// own (bgpd/wire/prefix.ts); this small copy keeps the RIB independent of it.
import { Afi } from '../wire/types';
import type { PrefixKey } from '../wire/types';

function parseV4(text: string): number[] | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return null;
    const n = Number(p);
    if (n > 255) return null;
    out.push(n);
  }
  return out;
}

function parseV6(text: string): number[] | null {
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const words = (s: string): number[] | null => {
    if (s === '') return [];
    const out: number[] = [];
    for (const w of s.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(w)) return null;
      out.push(parseInt(w, 16));
    }
    return out;
  };
  const head = words(halves[0]);
  const tail = halves.length === 2 ? words(halves[1]) : [];
  if (!head || !tail) return null;
  const fill = 8 - head.length - tail.length;
  if (halves.length === 1 ? fill !== 0 : fill < 1) return null;
  const all = [...head, ...new Array<number>(fill).fill(0), ...tail];
  const bytes: number[] = [];
  for (const w of all) bytes.push(w >> 8, w & 0xff);
  return bytes;
}

/** Address bytes of an IPv4 or IPv6 address text, or null. */
export function addressBytes(afi: Afi, text: string): number[] | null {
  return afi === Afi.IPv4 ? parseV4(text) : parseV6(text);
}

/** Builds the wire-form key from address bytes and a length (host bits are zeroed). */
export function keyFromBytes(bytes: number[], len: number): PrefixKey {
  const n = (len + 7) >> 3;
  let s = String.fromCharCode(len);
  for (let i = 0; i < n; i++) {
    let b = bytes[i] ?? 0;
    if (i === n - 1 && len % 8 !== 0) b &= (0xff << (8 - (len % 8))) & 0xff;
    s += String.fromCharCode(b);
  }
  return s;
}

/** "10.1.2.0/24" -> "\x18\x0a\x01\x02"; throws on malformed text. */
export function prefixKey(afi: Afi, text: string): PrefixKey {
  const slash = text.indexOf('/');
  const addr = slash < 0 ? text : text.slice(0, slash);
  const max = afi === Afi.IPv4 ? 32 : 128;
  const len = slash < 0 ? max : Number(text.slice(slash + 1));
  const bytes = addressBytes(afi, addr);
  if (!bytes || !Number.isInteger(len) || len < 0 || len > max) throw new Error(`bad prefix: ${text}`);
  return keyFromBytes(bytes, len);
}

export function prefixText(afi: Afi, key: PrefixKey): string {
  const len = key.charCodeAt(0);
  if (afi === Afi.IPv4) {
    const b = [0, 0, 0, 0];
    for (let i = 1; i < key.length; i++) b[i - 1] = key.charCodeAt(i);
    return `${b.join('.')}/${len}`;
  }
  const b = new Array<number>(16).fill(0);
  for (let i = 1; i < key.length; i++) b[i - 1] = key.charCodeAt(i);
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push((b[i] << 8) | b[i + 1]);
  // RFC 5952: compress the longest run (>= 2) of zero words
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  const text = bestStart < 0
    ? hex.join(':')
    : `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
  return `${text}/${len}`;
}

/** Dotted quad -> unsigned 32-bit number (router ids, ORIGINATOR_ID, CLUSTER_ID). */
export function ipv4ToNumber(text: string): number {
  const b = parseV4(text);
  if (!b) throw new Error(`bad IPv4 address: ${text}`);
  return ((b[0] << 24) >>> 0) + (b[1] << 16) + (b[2] << 8) + b[3];
}

/** A string that sorts like the address (IPv4 before IPv6), for the final decision tie-break. */
export function addressSortKey(text: string): string {
  const v4 = parseV4(text);
  const bytes = v4 ?? parseV6(text);
  if (!bytes) return `9${text}`;
  return (v4 ? '4' : '6') + bytes.map((x) => x.toString(16).padStart(2, '0')).join('');
}
