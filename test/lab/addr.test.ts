import { describe, it, expect } from 'vitest';
import { consecutivePrefixes, familyOf, nthAddress, parseCidr } from './addr';

describe('addr', () => {
  it('parses v4 and v6 CIDRs and rejects junk', () => {
    expect(parseCidr('198.18.0.1/24')).toEqual({ ip: '198.18.0.1', len: 24, family: 4 });
    expect(parseCidr('fd00::1/64')).toEqual({ ip: 'fd00::1', len: 64, family: 6 });
    expect(() => parseCidr('198.18.0.1')).toThrow();
    expect(() => parseCidr('198.18.0.1/33')).toThrow();
    expect(() => parseCidr('nope/8')).toThrow();
  });
  it('hands out the n-th host of a subnet and refuses to leave it', () => {
    expect(nthAddress('198.18.1.0/24', 1)).toBe('198.18.1.1/24');
    expect(nthAddress('198.18.1.77/24', 254)).toBe('198.18.1.254/24');
    expect(() => nthAddress('198.18.1.0/24', 255)).toThrow();
    expect(() => nthAddress('198.18.1.0/30', 3)).toThrow();
    expect(nthAddress('fd00:1::/64', 2)).toBe('fd00:1::2/64');
    expect(nthAddress('fd00:0:0:1::/64', 3)).toBe('fd00:0:0:1::3/64');
    expect(nthAddress('2001:db8:1:2:3:4:5:0/112', 9)).toBe('2001:db8:1:2:3:4:5:9/112');
    expect(nthAddress('fd00::/8', 1)).toBe('fd00::1/8');
  });
  it('tells the family of an address with or without a length', () => {
    expect(familyOf('10.0.0.1')).toBe(4);
    expect(familyOf('fd00::1/64')).toBe(6);
    expect(() => familyOf('x')).toThrow();
  });
  it('generates consecutive aligned prefixes across octet boundaries', () => {
    expect(consecutivePrefixes('16.0.254.0', 24, 3)).toEqual(['16.0.254.0/24', '16.0.255.0/24', '16.1.0.0/24']);
    expect(consecutivePrefixes('10.0.0.0', 26, 2)).toEqual(['10.0.0.0/26', '10.0.0.64/26']);
    expect(consecutivePrefixes('16.0.0.0', 24, 100_000).at(-1)).toBe('17.134.159.0/24');
    expect(() => consecutivePrefixes('16.0.0.1', 24, 1)).toThrow(/aligned/);
    expect(() => consecutivePrefixes('255.255.255.0', 24, 2)).toThrow(/overflow/);
  });
});
