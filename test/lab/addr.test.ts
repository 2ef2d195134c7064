import { describe, it, expect } from 'vitest';
import { familyOf, nthAddress, parseCidr } from './addr';

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
});
