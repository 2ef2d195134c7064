import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Cidr, canonicalIp, parseIp } from './cidr';
import { formatV4, parseV4 } from './ipv4';
import { formatV6, parseV6 } from './ipv6';

describe('ip math', () => {
  it('parses and formats v4 round trip', () => {
    fc.assert(fc.property(fc.nat({ max: 0xffffffff }), (n) => parseV4(formatV4(n)) === n));
    expect(parseV4('256.0.0.1')).toBeUndefined();
    expect(parseV4('1.2.3')).toBeUndefined();
    expect(parseV4('01.2.3.4')).toBe(0x01020304);
  });

  it('parses and formats v6 round trip in RFC 5952 form', () => {
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), (n) => parseV6(formatV6(n)) === n));
    expect(canonicalIp('FD00:0:0::1')).toBe('fd00::1');
    expect(canonicalIp('2001:db8:0:0:1:0:0:1')).toBe('2001:db8::1:0:0:1');
    expect(canonicalIp('::ffff:198.18.0.1')).toBe('::ffff:c612:1');
    expect(parseV6('1::2::3')).toBeUndefined();
    expect(parseV6('1:2:3:4:5:6:7:8:9')).toBeUndefined();
  });

  it('splits pools into blocks and finds ordinals', () => {
    const pool = Cidr.parse('10.0.0.0/24')!;
    expect(pool.subnetCount(26)).toBe(4);
    expect(pool.subnet(26, 3).toString()).toBe('10.0.0.192/26');
    const ip = parseIp('10.0.0.200')!;
    expect(pool.subnetIndexOf(26, ip)).toBe(3);
    expect(pool.subnet(26, 3).ordinalOf(ip)).toBe(8);
    const v6 = Cidr.parse('fd00:1::/116')!;
    expect(v6.subnet(122, 2).toString()).toBe('fd00:1::80/122');
    expect(v6.subnet(122, 2).addressAt(5)).toBe('fd00:1::85');
    expect(Cidr.parse('10.0.0.1/24')).toBeUndefined();
    expect(Cidr.parse('10.0.0.1/24', false)!.toString()).toBe('10.0.0.0/24');
    expect(Cidr.parse('10.0.0.0/8')!.overlaps(Cidr.parse('10.9.0.0/16')!)).toBe(true);
    expect(Cidr.parse('10.0.0.0/16')!.overlaps(Cidr.parse('10.1.0.0/16')!)).toBe(false);
    expect(Cidr.parse('255.255.255.192/26')!.addressAt(63)).toBe('255.255.255.255');
  });
});
