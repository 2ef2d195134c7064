// One CIDR type for both families. v4 math stays in plain numbers (ipv4.ts), v6 in BigInt (ipv6.ts);
// callers only see `number` ordinals/indices, which is enough because blocks hold at most 2^12 addresses
// and a pool is never walked past 2^53 blocks.
import { formatV4, maskV4, parseV4 } from './ipv4';
import { formatV6, maskV6, parseV6 } from './ipv6';

export type IpFamily = 4 | 6;

/** An address parsed once; `v4` is a uint32, `v6` a 128-bit BigInt. */
export type ParsedIp = { readonly family: 4; readonly v4: number } | { readonly family: 6; readonly v6: bigint };

export function parseIp(text: string): ParsedIp | undefined {
  const a = parseV4(text);
  if (a !== undefined) return { family: 4, v4: a };
  const b = parseV6(text);
  if (b !== undefined) return { family: 6, v6: b };
  return undefined;
}

export function formatIp(ip: ParsedIp): string {
  return ip.family === 4 ? formatV4(ip.v4) : formatV6(ip.v6);
}

/** Canonical text of an address (e.g. `fd00:0::1` → `fd00::1`), or undefined when it is not one. */
export function canonicalIp(text: string): string | undefined {
  const p = parseIp(text);
  return p ? formatIp(p) : undefined;
}

export class Cidr {
  private constructor(
    readonly family: IpFamily,
    readonly prefix: number,
    private readonly base4: number,
    private readonly base6: bigint,
  ) {}

  get bits(): number {
    return this.family === 4 ? 32 : 128;
  }

  /** Parses `addr/len`. With `strict`, host bits must be zero (pools and blocks are always masked). */
  static parse(text: string, strict = true): Cidr | undefined {
    const slash = text.indexOf('/');
    if (slash < 0) return undefined;
    const lenText = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(lenText)) return undefined;
    const len = Number(lenText);
    const ip = parseIp(text.slice(0, slash));
    if (!ip) return undefined;
    if (ip.family === 4) {
      if (len > 32) return undefined;
      const base = (ip.v4 & maskV4(len)) >>> 0;
      if (strict && base !== ip.v4) return undefined;
      return new Cidr(4, len, base, 0n);
    }
    if (len > 128) return undefined;
    const base = ip.v6 & maskV6(len);
    if (strict && base !== ip.v6) return undefined;
    return new Cidr(6, len, 0, base);
  }

  static fromIp(ip: ParsedIp, len: number): Cidr {
    return ip.family === 4
      ? new Cidr(4, len, (ip.v4 & maskV4(len)) >>> 0, 0n)
      : new Cidr(6, len, 0, ip.v6 & maskV6(len));
  }

  toString(): string {
    return `${this.family === 4 ? formatV4(this.base4) : formatV6(this.base6)}/${this.prefix}`;
  }

  get network(): ParsedIp {
    return this.family === 4 ? { family: 4, v4: this.base4 } : { family: 6, v6: this.base6 };
  }

  /** Number of addresses, capped at 2^53 for huge v6 ranges (only used for reporting). */
  get size(): number {
    const hostBits = this.bits - this.prefix;
    return hostBits >= 53 ? Number.MAX_SAFE_INTEGER : 2 ** hostBits;
  }

  contains(ip: ParsedIp): boolean {
    if (ip.family !== this.family) return false;
    if (ip.family === 4) return ((ip.v4 & maskV4(this.prefix)) >>> 0) === this.base4;
    return (ip.v6 & maskV6(this.prefix)) === this.base6;
  }

  containsCidr(other: Cidr): boolean {
    return other.family === this.family && other.prefix >= this.prefix && this.contains(other.network);
  }

  overlaps(other: Cidr): boolean {
    return this.containsCidr(other) || other.containsCidr(this);
  }

  /** Address at `ordinal` from the start (ordinal must be < size). */
  at(ordinal: number): ParsedIp {
    if (this.family === 4) return { family: 4, v4: (this.base4 + ordinal) >>> 0 };
    return { family: 6, v6: this.base6 + BigInt(ordinal) };
  }

  addressAt(ordinal: number): string {
    return formatIp(this.at(ordinal));
  }

  /** Offset of `ip` from the start, or undefined when outside (or beyond 2^53, which blocks never are). */
  ordinalOf(ip: ParsedIp): number | undefined {
    if (!this.contains(ip)) return undefined;
    if (ip.family === 4) return ip.v4 - this.base4;
    const off = ip.v6 - this.base6;
    return off > BigInt(Number.MAX_SAFE_INTEGER) ? undefined : Number(off);
  }

  /** How many `/len` subnets this CIDR splits into, capped at 2^53. */
  subnetCount(len: number): number {
    const b = len - this.prefix;
    return b >= 53 ? Number.MAX_SAFE_INTEGER : 2 ** b;
  }

  /** The `index`-th `/len` subnet. */
  subnet(len: number, index: number): Cidr {
    if (this.family === 4) return new Cidr(4, len, (this.base4 + index * 2 ** (32 - len)) >>> 0, 0n);
    return new Cidr(6, len, 0, this.base6 + (BigInt(index) << BigInt(128 - len)));
  }

  /** Index of the `/len` subnet holding `ip` (ip must be inside). */
  subnetIndexOf(len: number, ip: ParsedIp): number {
    if (ip.family === 4) return Math.floor((ip.v4 - this.base4) / 2 ** (32 - len));
    return Number((ip.v6 - this.base6) >> BigInt(128 - len));
  }
}
