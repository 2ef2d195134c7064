import { describe, it, expect } from 'vitest';
import { Afi } from './types';
import { formatPrefix, parsePrefix, prefixCovers, prefixFamilyOf, prefixLength, prefixAddress } from './prefix';
import { canonicalAddress, formatIPv6, parseIPv4, parseIPv6 } from './addr';
import { readNlri } from './nlri';

describe('addresses', () => {
  it('parses dotted quads strictly', () => {
    expect(Array.from(parseIPv4('10.1.2.3') ?? [])).toEqual([10, 1, 2, 3]);
    for (const bad of ['10.1.2', '10.1.2.256', '010.1.2.3', '1.2.3.4.5', '', 'a.b.c.d', '1..2.3']) {
      expect(parseIPv4(bad), bad).toBeNull();
    }
  });

  it('parses IPv6 with :: and an embedded dotted quad', () => {
    expect(Buffer.from(parseIPv6('2001:db8::1') ?? []).toString('hex')).toBe('20010db8000000000000000000000001');
    expect(Buffer.from(parseIPv6('::') ?? []).toString('hex')).toBe('0'.repeat(32));
    expect(Buffer.from(parseIPv6('::ffff:192.0.2.1') ?? []).toString('hex')).toBe('00000000000000000000ffffc0000201');
    for (const bad of ['1::2::3', '2001:db8:1:2:3:4:5:6:7', '12345::', 'fe80::1%eth0', ':', '1:2:3:4:5:6:7']) {
      expect(parseIPv6(bad), bad).toBeNull();
    }
  });

  it('formats IPv6 per RFC 5952 (first longest zero run, lower case, no single-group ::)', () => {
    const f = (t: string): string => formatIPv6(parseIPv6(t) as Uint8Array);
    expect(f('2001:0DB8:0000:0000:0001:0000:0000:0001')).toBe('2001:db8::1:0:0:1');
    expect(f('2001:db8:0:1:1:1:1:1')).toBe('2001:db8:0:1:1:1:1:1');
    expect(f('2001:0:0:1:0:0:0:1')).toBe('2001:0:0:1::1');
    expect(f('fe80:0:0:0:0:0:0:1')).toBe('fe80::1');
    expect(f('::1')).toBe('::1');
    expect(f('1::')).toBe('1::');
    expect(canonicalAddress('2001:DB8::0:1')).toBe('2001:db8::1');
  });
});

describe('prefix keys', () => {
  it('parses 10.1.2.0/24 to its wire form', () => {
    expect(parsePrefix(Afi.IPv4, '10.1.2.0/24')).toBe('\x18\x0a\x01\x02');
    expect(parsePrefix(Afi.IPv4, '0.0.0.0/0')).toBe('\x00');
    expect(parsePrefix(Afi.IPv4, '10.1.2.3')).toBe('\x20\x0a\x01\x02\x03');
    expect(parsePrefix(Afi.IPv4, '10.1.2.128/25')).toBe('\x19\x0a\x01\x02\x80');
  });

  it('parses IPv6 prefixes', () => {
    expect(parsePrefix(Afi.IPv6, '2001:db8::/32')).toBe('\x20\x20\x01\x0d\xb8');
    expect(prefixLength(parsePrefix(Afi.IPv6, '2001:db8::1'))).toBe(128);
  });

  it('rejects bad input with a clear error', () => {
    expect(() => parsePrefix(Afi.IPv4, '10.1.2.3/24')).toThrow(/host bits set.*10\.1\.2\.0\/24/);
    expect(() => parsePrefix(Afi.IPv4, '10.1.2.0/33')).toThrow(/prefix length/);
    expect(() => parsePrefix(Afi.IPv4, '10.1.2.0/024')).toThrow(/prefix length/);
    expect(() => parsePrefix(Afi.IPv4, '2001:db8::/32')).toThrow(/IPv4 address/);
    expect(() => parsePrefix(Afi.IPv6, '2001:db8::/129')).toThrow(/prefix length/);
    expect(parsePrefix(Afi.IPv4, '10.1.2.3/24', { mask: true })).toBe('\x18\x0a\x01\x02');
  });

  it('formats keys back to text', () => {
    for (const [afi, t] of [
      [Afi.IPv4, '10.1.2.0/24'],
      [Afi.IPv4, '0.0.0.0/0'],
      [Afi.IPv4, '192.168.100.64/26'],
      [Afi.IPv6, '2001:db8::/32'],
      [Afi.IPv6, 'fd00:1:2:3::/64'],
      [Afi.IPv6, '::/0'],
    ] as const) {
      expect(formatPrefix(afi, parsePrefix(afi, t))).toBe(t);
    }
    expect(Array.from(prefixAddress(Afi.IPv4, parsePrefix(Afi.IPv4, '10.1.0.0/16')))).toEqual([10, 1, 0, 0]);
  });

  it('tells the family of a text', () => {
    expect(prefixFamilyOf('10.0.0.0/8')).toBe(Afi.IPv4);
    expect(prefixFamilyOf('fd00::/8')).toBe(Afi.IPv6);
    expect(() => prefixFamilyOf('eth0')).toThrow(/not an IPv4 or IPv6/);
  });

  it('checks coverage', () => {
    const p = (t: string): string => parsePrefix(Afi.IPv4, t);
    expect(prefixCovers(p('10.0.0.0/8'), p('10.1.2.0/24'))).toBe(true);
    expect(prefixCovers(p('10.1.2.0/23'), p('10.1.3.0/24'))).toBe(true);
    expect(prefixCovers(p('10.1.2.0/24'), p('10.1.3.0/24'))).toBe(false);
    expect(prefixCovers(p('10.1.2.0/24'), p('10.0.0.0/8'))).toBe(false);
    expect(prefixCovers(p('0.0.0.0/0'), p('192.0.2.0/24'))).toBe(true);
  });
});

describe('NLRI field', () => {
  it('reads prefixes and zeroes host bits a peer left set', () => {
    const out: string[] = [];
    // 10.1.2.0/24, 0/0, 10.1.2.255/25 (host bits set)
    const b = Buffer.from('180a010200190a0102ff', 'hex');
    expect(readNlri(b, 0, b.length, 32, out)).toBe(-1);
    expect(out).toEqual(['\x18\x0a\x01\x02', '\x00', '\x19\x0a\x01\x02\x80']);
  });

  it('reports the offset of a prefix longer than the family allows or running past the end', () => {
    expect(readNlri(Buffer.from('180a0102210a010203ff', 'hex'), 0, 10, 32, [])).toBe(4);
    expect(readNlri(Buffer.from('180a0102180a01', 'hex'), 0, 7, 32, [])).toBe(4);
  });
});
