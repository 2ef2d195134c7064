import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatIp, formatMac, normalizePrefix, parseIp, parseMac, parsePrefix } from './ipaddr';

describe('ipaddr', () => {
  it('parses IPv4 and IPv6 to bytes', () => {
    expect([...parseIp('10.65.0.5').bytes]).toEqual([10, 65, 0, 5]);
    expect(parseIp('10.65.0.5').family).toBe(4);
    expect(parseIp('2001:db8::1').bytes.toString('hex')).toBe('20010db8000000000000000000000001');
    expect(parseIp('::').bytes.toString('hex')).toBe('0'.repeat(32));
    expect(parseIp('::ffff:1.2.3.4').bytes.toString('hex')).toBe('00000000000000000000ffff01020304');
    expect(parseIp('fe80::1:2').family).toBe(6);
  });

  it('rejects malformed addresses', () => {
    for (const bad of ['', '1.2.3', '1.2.3.4.5', '256.1.1.1', '1..2.3', '1.2.3.4 ', 'a.b.c.d', '1:2:3:4:5:6:7:8:9', '1::2::3', ':::', 'g::1', '12345::', '1:2:3:4:5:6:7::8:9']) {
      expect(() => parseIp(bad), bad).toThrow();
    }
  });

  it('formats IPv6 like inet_ntop (RFC 5952, leftmost longest zero run, v4-mapped)', () => {
    const f = (s: string): string => formatIp(parseIp(s).bytes);
    expect(f('2001:0db8:0000:0000:0000:0000:0000:0001')).toBe('2001:db8::1');
    expect(f('2001:db8:0:1:0:0:0:1')).toBe('2001:db8:0:1::1');
    expect(f('2001:0:0:1:0:0:0:1')).toBe('2001:0:0:1::1');
    expect(f('1:0:0:2:0:0:3:4')).toBe('1::2:0:0:3:4');
    expect(f('1:0:2:3:4:5:6:7')).toBe('1:0:2:3:4:5:6:7');
    expect(f('::')).toBe('::');
    expect(f('::1')).toBe('::1');
    expect(f('fe80::')).toBe('fe80::');
    expect(f('::ffff:10.0.0.1')).toBe('::ffff:10.0.0.1');
    expect(f('FD00:AA::')).toBe('fd00:aa::');
  });

  it('round-trips any address through text (property)', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (b) => {
      expect(parseIp(formatIp(b)).bytes.equals(Buffer.from(b))).toBe(true);
    }));
    fc.assert(fc.property(fc.uint8Array({ minLength: 4, maxLength: 4 }), (b) => {
      expect(parseIp(formatIp(b)).bytes.equals(Buffer.from(b))).toBe(true);
    }));
  });

  it('parses prefixes, bare hosts and default', () => {
    expect(parsePrefix('10.0.0.0/8')).toMatchObject({ family: 4, len: 8 });
    expect(parsePrefix('10.0.0.1').len).toBe(32);
    expect(parsePrefix('fd00::1').len).toBe(128);
    expect(parsePrefix('default', 6)).toMatchObject({ family: 6, len: 0 });
    expect(parsePrefix('default').family).toBe(4);
    expect(normalizePrefix('2001:DB8:0::1/128')).toBe('2001:db8::1/128');
    expect(normalizePrefix('10.1.2.3')).toBe('10.1.2.3/32');
    for (const bad of ['10.0.0.0/33', '10.0.0.0/', '10.0.0.0/x', 'fd00::/129', '10.0.0.0/-1']) expect(() => parsePrefix(bad), bad).toThrow();
    expect(() => parsePrefix('10.0.0.0/8', 6)).toThrow();
  });

  it('parses and formats MACs', () => {
    expect(formatMac(parseMac('EE:ee:0:1:2:ff'))).toBe('ee:ee:00:01:02:ff');
    expect(() => parseMac('ee:ee:ee')).toThrow();
    expect(() => parseMac('ee:ee:ee:ee:ee:eg')).toThrow();
  });
});
