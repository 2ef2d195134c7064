// PrefixKey (see types.ts) <-> text. The throwing functions here are for config and API input;
// the wire decoder never calls them (it builds keys straight from NLRI bytes, see nlri.ts).
import { Afi } from './types';
import type { PrefixKey } from './types';
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from './addr';

export function maxPrefixLength(afi: Afi): number {
  return afi === Afi.IPv6 ? 128 : 32;
}

export function addressLength(afi: Afi): number {
  return afi === Afi.IPv6 ? 16 : 4;
}

/** The prefix length in bits (the first char of the key). */
export function prefixLength(key: PrefixKey): number {
  return key.charCodeAt(0);
}

/**
 * Which family a prefix or address text belongs to: a ':' means IPv6, a dotted quad IPv4.
 * Throws on text that is neither, so that callers can route input without a second parse.
 */
export function prefixFamilyOf(text: string): Afi {
  const addr = text.split('/')[0];
  if (addr.includes(':')) return Afi.IPv6;
  if (/^[0-9.]+$/.test(addr)) return Afi.IPv4;
  throw new Error(`not an IPv4 or IPv6 prefix: ${JSON.stringify(text)}`);
}

/** Build a key from a full address and a length, zeroing host bits. */
export function prefixKeyFromAddress(addr: Uint8Array, len: number): PrefixKey {
  const n = (len + 7) >> 3;
  let s = String.fromCharCode(len);
  for (let i = 0; i < n; i++) {
    let byte = addr[i];
    if (i === n - 1 && (len & 7) !== 0) byte &= (0xff << (8 - (len & 7))) & 0xff;
    s += String.fromCharCode(byte);
  }
  return s;
}

/** The full 4- or 16-byte network address of a key. */
export function prefixAddress(afi: Afi, key: PrefixKey): Uint8Array {
  const out = new Uint8Array(addressLength(afi));
  for (let i = 1; i < key.length && i - 1 < out.length; i++) out[i - 1] = key.charCodeAt(i);
  return out;
}

/**
 * "10.1.2.0/24" → key. A bare address is a host prefix (/32, /128). Host bits set is an error
 * (like `ip route`), unless `mask` is true, in which case they are zeroed.
 */
export function parsePrefix(afi: Afi, text: string, opts: { mask?: boolean } = {}): PrefixKey {
  const slash = text.indexOf('/');
  const addrText = slash < 0 ? text : text.slice(0, slash);
  const max = maxPrefixLength(afi);
  let len = max;
  if (slash >= 0) {
    const lenText = text.slice(slash + 1);
    if (!/^(0|[1-9][0-9]{0,2})$/.test(lenText) || Number(lenText) > max) {
      throw new Error(`bad prefix length in ${JSON.stringify(text)}: must be 0..${max}`);
    }
    len = Number(lenText);
  }
  const addr = afi === Afi.IPv6 ? parseIPv6(addrText) : parseIPv4(addrText);
  if (!addr) {
    throw new Error(`bad ${afi === Afi.IPv6 ? 'IPv6' : 'IPv4'} address in prefix ${JSON.stringify(text)}`);
  }
  const key = prefixKeyFromAddress(addr, len);
  if (!opts.mask) {
    const back = prefixAddress(afi, key);
    for (let i = 0; i < addr.length; i++) {
      if (back[i] !== addr[i]) {
        throw new Error(`prefix ${JSON.stringify(text)} has host bits set (did you mean ${formatPrefix(afi, key)}?)`);
      }
    }
  }
  return key;
}

/** key → "10.1.2.0/24" / "2001:db8::/32". */
export function formatPrefix(afi: Afi, key: PrefixKey): string {
  const addr = prefixAddress(afi, key);
  const a = afi === Afi.IPv6 ? formatIPv6(addr) : formatIPv4(addr);
  return `${a}/${prefixLength(key)}`;
}

/** Does `outer` cover `inner` (same family)? For the RIB's longest-match and aggregation checks. */
export function prefixCovers(outer: PrefixKey, inner: PrefixKey): boolean {
  const ol = prefixLength(outer);
  if (prefixLength(inner) < ol) return false;
  const full = ol >> 3;
  for (let i = 1; i <= full; i++) if (outer.charCodeAt(i) !== inner.charCodeAt(i)) return false;
  const rem = ol & 7;
  if (rem === 0) return true;
  const mask = (0xff << (8 - rem)) & 0xff;
  return (outer.charCodeAt(full + 1) & mask) === (inner.charCodeAt(full + 1) & mask);
}
