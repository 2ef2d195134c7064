import { describe, it, expect } from 'vitest';
import { Afi, AsPathSegmentType, ErrorAction, MsgType, Origin, Safi } from './types';
import type { CodecContext, UpdateMessage } from './types';
import { encodeMessage } from './message';
import { encodeEndOfRib, endOfRibFamily } from './pack';
import { parsePrefix } from './prefix';
import { EBGP4, IBGP4, decode, hex, updateOf } from './testkit';

const MARKER = 'ffffffffffffffffffffffffffffffff';
const p4 = (t: string): string => parsePrefix(Afi.IPv4, t);
const p6 = (t: string): string => parsePrefix(Afi.IPv6, t);

const CLASSIC: UpdateMessage = {
  type: MsgType.UPDATE,
  withdrawn: [p4('10.9.0.0/16')],
  attrs: {
    origin: Origin.IGP,
    asPath: [{ type: AsPathSegmentType.AS_SEQUENCE, asns: [65001] }],
    nextHop: '192.0.2.1',
    med: 0,
    communities: [0xfde90064],
  },
  nlri: [p4('10.1.2.0/24'), p4('10.1.3.0/24'), p4('192.168.0.0/16')],
};
// RFC 4271 §4.3 layout: withdrawn length, withdrawn, total path attribute length, attributes, NLRI.
const CLASSIC_HEX = `${MARKER} 0047 02
  0003 10 0a09
  0022
    40 01 01 00
    40 02 06 02 01 0000fde9
    40 03 04 c0000201
    80 04 04 00000000
    c0 08 04 fde90064
  18 0a0102  18 0a0103  10 c0a8`;

const V6: UpdateMessage = {
  type: MsgType.UPDATE,
  withdrawn: [],
  attrs: { origin: Origin.IGP, asPath: [{ type: AsPathSegmentType.AS_SEQUENCE, asns: [65001] }] },
  nlri: [],
  mpReach: { afi: Afi.IPv6, safi: Safi.Unicast, nextHops: ['2001:db8::1', 'fe80::1'], nlri: [p6('2001:db8:1::/48')] },
  mpUnreach: { afi: Afi.IPv6, safi: Safi.Unicast, withdrawn: [p6('2001:db8:2::/48')] },
};
// RFC 4760 §3/§4 with a global + link-local next hop (RFC 2545 §3); MP attributes first.
const V6_HEX = `${MARKER} 0062 02
  0000
  004b
    90 0e 002c 0002 01 20 20010db8000000000000000000000001 fe800000000000000000000000000001 00 30 20010db80001
    90 0f 000a 0002 01 30 20010db80002
    40 01 01 00
    40 02 06 02 01 0000fde9`;

describe('UPDATE', () => {
  it('encodes classic IPv4 fields byte for byte', () => {
    expect(encodeMessage(CLASSIC, EBGP4).toString('hex')).toBe(hex(CLASSIC_HEX).toString('hex'));
  });

  it('decodes classic IPv4 fields', () => {
    const r = decode(hex(CLASSIC_HEX));
    expect(r.ok).toBe(true);
    expect(r.action).toBe(ErrorAction.NONE);
    expect(r.problems).toEqual([]);
    expect(r.msg).toEqual(CLASSIC);
  });

  it('encodes MP_REACH (IPv6, global + link-local) and MP_UNREACH byte for byte', () => {
    expect(encodeMessage(V6, EBGP4).toString('hex')).toBe(hex(V6_HEX).toString('hex'));
  });

  it('decodes MP_REACH and MP_UNREACH', () => {
    const r = decode(hex(V6_HEX));
    expect(r.ok).toBe(true);
    expect(r.msg).toEqual(V6);
  });

  it('IPv4 NLRI with an IPv6 next hop when extended next hop was negotiated (RFC 8950)', () => {
    const ctx: CodecContext = { ...EBGP4, extendedNextHop: [{ afi: Afi.IPv4, safi: Safi.Unicast, nextHopAfi: Afi.IPv6 }] };
    const m: UpdateMessage = {
      ...V6,
      mpUnreach: undefined,
      mpReach: { afi: Afi.IPv4, safi: Safi.Unicast, nextHops: ['2001:db8::1'], nlri: [p4('10.1.2.0/24')] },
    };
    delete m.mpUnreach;
    const b = encodeMessage(m, ctx);
    expect(b.subarray(23, 31).toString('hex')).toBe('900e0019' + '00010110');
    expect(decode(b, ctx).msg).toEqual(m);
    // Without the capability the same bytes are a malformed MP_REACH.
    expect(decode(b, EBGP4).action).toBe(ErrorAction.AFISAFI_DISABLE);
  });

  it('IPv4 unicast in MP_REACH with an IPv4 next hop', () => {
    const m: UpdateMessage = { ...V6, mpReach: { afi: Afi.IPv4, safi: Safi.Unicast, nextHops: ['192.0.2.1'], nlri: [p4('10.0.0.0/8')] } };
    delete m.mpUnreach;
    expect(decode(encodeMessage(m, IBGP4), IBGP4).msg).toEqual(m);
  });

  it('refuses to encode an UPDATE larger than the session allows', () => {
    const many = Array.from({ length: 1100 }, (_, i) => p4(`10.${i >> 8}.${i & 255}.0/24`));
    expect(() => encodeMessage({ ...CLASSIC, nlri: many }, EBGP4)).toThrow(RangeError);
    expect(encodeMessage({ ...CLASSIC, nlri: many }, { ...EBGP4, extendedMessage: true }).length).toBeGreaterThan(4096);
  });
});

describe('End-of-RIB (RFC 4724 §2)', () => {
  it('IPv4 is an empty UPDATE', () => {
    const b = encodeEndOfRib(Afi.IPv4);
    expect(b.toString('hex')).toBe(MARKER + '0017020000' + '0000');
    expect(endOfRibFamily(updateOf(decode(b)))).toBe(Afi.IPv4);
  });

  it('IPv6 is an UPDATE with only an empty MP_UNREACH', () => {
    const b = encodeEndOfRib(Afi.IPv6);
    expect(b.toString('hex')).toBe(MARKER + '001e02' + '0000' + '0007' + '900f0003000201');
    const r = decode(b);
    expect(r.action).toBe(ErrorAction.NONE);
    expect(endOfRibFamily(updateOf(r))).toBe(Afi.IPv6);
  });

  it('an UPDATE with routes is not End-of-RIB', () => {
    expect(endOfRibFamily(CLASSIC)).toBeNull();
    expect(endOfRibFamily(V6)).toBeNull();
  });
});
