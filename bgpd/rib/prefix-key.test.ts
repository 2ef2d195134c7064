import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatPrefix, parsePrefix } from '../wire';
import { Afi } from '../wire/types';
import { addressSortKey, ipv4ToNumber, prefixKey, prefixText } from './prefix-key';

describe('prefix keys (RIB copy of the codec helpers)', () => {
  it('builds the wire form and zeroes host bits', () => {
    expect(prefixKey(Afi.IPv4, '10.1.2.3/24')).toBe('\x18\x0a\x01\x02');
    expect(prefixKey(Afi.IPv4, '10.1.255.0/17')).toBe('\x11\x0a\x01\x80');
    expect(prefixKey(Afi.IPv4, '0.0.0.0/0')).toBe('\x00');
    expect(() => prefixKey(Afi.IPv4, '10.1.2.0/33')).toThrow();
    expect(() => prefixKey(Afi.IPv6, '1::2::3/64')).toThrow();
  });
  it('agrees with the codec for random IPv4 and IPv6 prefixes', () => {
    fc.assert(fc.property(fc.ipV4(), fc.integer({ min: 0, max: 32 }), (a, len) => {
      const k = prefixKey(Afi.IPv4, `${a}/${len}`);
      expect(k).toBe(parsePrefix(Afi.IPv4, `${a}/${len}`, { mask: true }));
      expect(prefixText(Afi.IPv4, k)).toBe(formatPrefix(Afi.IPv4, k));
    }));
    fc.assert(fc.property(fc.ipV6(), fc.integer({ min: 0, max: 128 }), (a, len) => {
      if (a.includes('.')) return; // embedded IPv4 notation is not accepted here
      const k = prefixKey(Afi.IPv6, `${a}/${len}`);
      expect(k).toBe(parsePrefix(Afi.IPv6, `${a}/${len}`, { mask: true }));
      expect(prefixText(Afi.IPv6, k)).toBe(formatPrefix(Afi.IPv6, k));
    }));
  });
  it('orders addresses numerically for the final tie-break', () => {
    expect(addressSortKey('10.0.0.9') < addressSortKey('10.0.0.10')).toBe(true);
    expect(addressSortKey('255.0.0.0') < addressSortKey('::1')).toBe(true);
    expect(ipv4ToNumber('255.255.255.255')).toBe(0xffffffff);
  });
});
