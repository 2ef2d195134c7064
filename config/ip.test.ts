import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { cidrContains, cidrsOverlap, formatCidr, formatIP, hasHostBits, networkOf, parseCidr, parseIP, parseIPv4, parseIPv6 } from './ip';

describe('IPv4 parsing', () => {
  it('accepts dotted quads and rejects everything looser', () => {
    expect(parseIPv4('198.18.0.1')?.value).toBe(0xc6120001n);
    expect(parseIPv4('0.0.0.0')?.value).toBe(0n);
    for (const bad of ['198.18.0', '198.18.0.1.2', '198.18.0.256', '010.0.0.1', '1.2.3.-4', ' 1.2.3.4', '1.2.3.4 ', '0x1.2.3.4', '']) {
      expect(parseIPv4(bad), bad).toBeUndefined();
    }
  });
});

describe('IPv6 parsing and RFC 5952 formatting', () => {
  it.each([
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['fd00:0:0::', 'fd00::'],
    ['::', '::'],
    ['::1', '::1'],
    ['2001:db8:0:1:0:0:0:fe', '2001:db8:0:1::fe'],
    ['1:0:0:2:0:0:0:3', '1:0:0:2::3'], // the longest zero run is compressed
    ['1:0:0:2:3:0:0:4', '1::2:3:0:0:4'], // first run on a tie
    ['1:2:3:4:5:6:7:0', '1:2:3:4:5:6:7:0'], // a single zero group is not compressed
    ['::ffff:192.0.2.1', '::ffff:c000:201'],
  ])('%s -> %s', (input, canonical) => {
    const ip = parseIPv6(input);
    expect(ip).toBeDefined();
    expect(formatIP(ip!)).toBe(canonical);
  });

  it('rejects malformed addresses', () => {
    for (const bad of ['1::2::3', '1:2:3:4:5:6:7:8:9', '12345::', 'g::1', '1:2:3:4:5:6:7', ':::', '1.2.3.4::', '::1.2.3']) {
      expect(parseIPv6(bad), bad).toBeUndefined();
    }
  });

  it('round-trips any 128-bit value through format and parse', () => {
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), (v) => {
      const text = formatIP({ family: 6, value: v });
      expect(parseIP(text)).toEqual({ family: 6, value: v });
    }));
  });

  it('round-trips any 32-bit value through format and parse', () => {
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: (1n << 32n) - 1n }), (v) => {
      expect(parseIP(formatIP({ family: 4, value: v }))).toEqual({ family: 4, value: v });
    }));
  });
});

describe('CIDRs', () => {
  it('parses, detects host bits and finds the network', () => {
    const c = parseCidr('10.244.7.0/16')!;
    expect(hasHostBits(c)).toBe(true);
    expect(formatCidr(networkOf(c))).toBe('10.244.0.0/16');
    expect(hasHostBits(parseCidr('10.244.0.0/16')!)).toBe(false);
    expect(hasHostBits(parseCidr('fd00:10:244::/48')!)).toBe(false);
    expect(hasHostBits(parseCidr('fd00:10:244::1/48')!)).toBe(true);
    for (const bad of ['10.0.0.0/33', '10.0.0.0', '10.0.0.0/', '10.0.0.0/08', 'fd00::/129', '10.0.0.0/-1']) {
      expect(parseCidr(bad), bad).toBeUndefined();
    }
  });

  it('overlap is symmetric and family-aware', () => {
    const a = parseCidr('10.244.0.0/16')!;
    const b = parseCidr('10.244.128.0/17')!;
    const c = parseCidr('10.245.0.0/16')!;
    expect(cidrsOverlap(a, b)).toBe(true);
    expect(cidrsOverlap(b, a)).toBe(true);
    expect(cidrsOverlap(a, c)).toBe(false);
    expect(cidrsOverlap(parseCidr('0.0.0.0/0')!, parseCidr('::/0')!)).toBe(false);
    expect(cidrContains(a, parseIP('10.244.255.255')!)).toBe(true);
    expect(cidrContains(a, parseIP('10.243.255.255')!)).toBe(false);
  });

  it('two CIDRs overlap exactly when one contains the other network address', () => {
    fc.assert(fc.property(
      fc.bigInt({ min: 0n, max: (1n << 32n) - 1n }), fc.integer({ min: 0, max: 32 }),
      fc.bigInt({ min: 0n, max: (1n << 32n) - 1n }), fc.integer({ min: 0, max: 32 }),
      (va, la, vb, lb) => {
        const a = networkOf({ ip: { family: 4, value: va }, prefixLength: la });
        const b = networkOf({ ip: { family: 4, value: vb }, prefixLength: lb });
        const expected = cidrContains(a, b.ip) || cidrContains(b, a.ip);
        expect(cidrsOverlap(a, b)).toBe(expected);
      },
    ));
  });
});
