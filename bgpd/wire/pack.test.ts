import { describe, it, expect } from 'vitest';
import { Afi, AsPathSegmentType, ErrorAction, Origin } from './types';
import type { CodecContext, PrefixKey } from './types';
import { encodeAttributes } from './attributes';
import { packUpdates, packWithdrawals } from './pack';
import { encodeMessage } from './message';
import { parsePrefix } from './prefix';
import { EBGP4, decode, updateOf } from './testkit';

function v4Prefixes(n: number): PrefixKey[] {
  return Array.from({ length: n }, (_, i) => parsePrefix(Afi.IPv4, `10.${(i >> 8) & 255}.${i & 255}.0/24`));
}
function v6Prefixes(n: number): PrefixKey[] {
  return Array.from({ length: n }, (_, i) => parsePrefix(Afi.IPv6, `2001:db8:${i.toString(16)}::/48`));
}

const ATTRS = { origin: Origin.IGP, asPath: [{ type: AsPathSegmentType.AS_SEQUENCE, asns: [65001] }], nextHop: '192.0.2.1' };

describe('packUpdates', () => {
  it('fills 4096-byte UPDATEs with IPv4 /24s under one attribute block, in order', () => {
    const nlri = v4Prefixes(5000);
    const attrBytes = encodeAttributes(ATTRS, EBGP4);
    const msgs = packUpdates({ afi: Afi.IPv4, attrBytes, nlri, maxSize: 4096, ctx: EBGP4 });
    const perMsg = Math.floor((4096 - 23 - attrBytes.length) / 4);
    expect(msgs).toHaveLength(Math.ceil(5000 / perMsg));
    const back: PrefixKey[] = [];
    for (const m of msgs) {
      expect(m.length).toBeLessThanOrEqual(4096);
      const r = decode(m);
      expect(r.action).toBe(ErrorAction.NONE);
      const u = updateOf(r);
      expect(u.attrs).toEqual(ATTRS);
      back.push(...u.nlri);
      // What the RIB packs is exactly what encodeMessage would produce (one canonical form).
      expect(encodeMessage(u, EBGP4).equals(m)).toBe(true);
    }
    expect(back).toEqual(nlri);
    expect(msgs[0].length).toBe(23 + attrBytes.length + perMsg * 4);
  });

  it('uses up to 65535 bytes with extended messages', () => {
    const ctx: CodecContext = { ...EBGP4, extendedMessage: true };
    const msgs = packUpdates({ afi: Afi.IPv4, attrBytes: encodeAttributes(ATTRS, ctx), nlri: v4Prefixes(40000), maxSize: 65535, ctx });
    expect(msgs.length).toBe(3);
    expect(Math.max(...msgs.map((m) => m.length))).toBeLessThanOrEqual(65535);
    expect(msgs[0].length).toBeGreaterThan(65500);
  });

  it('puts IPv6 NLRI in MP_REACH before the shared attributes', () => {
    const nlri = v6Prefixes(1000);
    const attrs = { origin: Origin.IGP, asPath: [{ type: AsPathSegmentType.AS_SEQUENCE, asns: [65001] }] };
    const attrBytes = encodeAttributes(attrs, EBGP4);
    const msgs = packUpdates({ afi: Afi.IPv6, attrBytes, nextHops: ['2001:db8::1', 'fe80::1'], nlri, maxSize: 4096, ctx: EBGP4 });
    const back: PrefixKey[] = [];
    for (const m of msgs) {
      expect(m.length).toBeLessThanOrEqual(4096);
      const u = updateOf(decode(m));
      expect(u.attrs).toEqual(attrs);
      expect(u.mpReach?.nextHops).toEqual(['2001:db8::1', 'fe80::1']);
      back.push(...(u.mpReach?.nlri ?? []));
      expect(encodeMessage(u, EBGP4).equals(m)).toBe(true);
    }
    expect(back).toEqual(nlri);
    expect(msgs.length).toBe(Math.ceil((1000 * 7) / (4096 - 23 - 4 - 5 - 32 - attrBytes.length)));
  });

  it('returns nothing for no prefixes and refuses an attribute block that leaves no room', () => {
    expect(packUpdates({ afi: Afi.IPv4, attrBytes: Buffer.alloc(0), nlri: [], maxSize: 4096, ctx: EBGP4 })).toEqual([]);
    expect(() => packUpdates({ afi: Afi.IPv4, attrBytes: Buffer.alloc(4070), nlri: v4Prefixes(1), maxSize: 4096, ctx: EBGP4 })).toThrow(
      RangeError,
    );
  });
});

describe('packWithdrawals', () => {
  it('IPv4 uses the withdrawn routes field', () => {
    const prefixes = v4Prefixes(3000);
    const msgs = packWithdrawals({ afi: Afi.IPv4, prefixes, maxSize: 4096, ctx: EBGP4 });
    expect(msgs).toHaveLength(Math.ceil(3000 / Math.floor((4096 - 23) / 4)));
    const back = msgs.flatMap((m) => {
      const r = decode(m);
      expect(r.action).toBe(ErrorAction.NONE);
      return updateOf(r).withdrawn;
    });
    expect(back).toEqual(prefixes);
  });

  it('IPv6 uses MP_UNREACH', () => {
    const prefixes = v6Prefixes(2000);
    const msgs = packWithdrawals({ afi: Afi.IPv6, prefixes, maxSize: 4096, ctx: EBGP4 });
    const back = msgs.flatMap((m) => updateOf(decode(m)).mpUnreach?.withdrawn ?? []);
    expect(back).toEqual(prefixes);
    expect(msgs.every((m) => m.length <= 4096)).toBe(true);
  });
});
