// IPv4 addresses as unsigned 32-bit numbers. Plain numbers are exact up to 2^53, so no BigInt is needed;
// every result is forced back to uint32 with `>>> 0` because JS bit operators work on signed int32.

/** Parses dotted-quad text; returns undefined for anything that is not exactly four 0–255 decimals. */
export function parseV4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    n = n * 256 + v;
  }
  return n >>> 0;
}

export function formatV4(n: number): string {
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** Network mask for a prefix length, as uint32 (prefix 0 → 0, because `<< 32` is a no-op in JS). */
export function maskV4(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}
