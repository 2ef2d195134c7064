// Messages captured from real speakers on this machine (2026-11-22): BIRD 2.0.12, GoBGP 3.10.0,
// FRR 8.4.4 and OpenBGPD 7.7, each in a network namespace peering over a veth with a capture listener built on
// this codec (eBGP, both sides 4-octet AS). Decoding them is the interop check that hand-written
// hex cannot give: attribute order, extended-length habits and capability layouts differ per daemon.
import { describe, it, expect } from 'vitest';
import { Afi, AsPathSegmentType, ErrorAction, MsgType, Safi } from './types';
import type { OpenMessage } from './types';
import { decodeMessage, encodeMessage } from './message';
import { formatPrefix } from './prefix';
import { endOfRibFamily } from './pack';
import { EBGP4, hex, updateOf } from './testkit';

const M = 'ffffffffffffffffffffffffffffffff';
const SEQ = AsPathSegmentType.AS_SEQUENCE;

function ok(h: string): ReturnType<typeof decodeMessage> {
  const r = decodeMessage(hex(M + h), EBGP4);
  expect(r.ok).toBe(true);
  expect(r.action).toBe(ErrorAction.NONE);
  expect(r.problems).toEqual([]);
  return r;
}
const v4 = (keys: string[]): string[] => keys.map((k) => formatPrefix(Afi.IPv4, k));
const v6 = (keys: string[] | undefined): string[] => (keys ?? []).map((k) => formatPrefix(Afi.IPv6, k));

describe('BIRD 2.0.12 (AS 4200000001)', () => {
  it('OPEN: AS_TRANS, 4-octet AS, GR, enhanced route refresh, LLGR (empty), one capabilities parameter', () => {
    const o = ok('003b01045ba0005ac612c8021e021c0104000100010104000200010200400200784104fa56ea0146004700').msg as OpenMessage;
    expect(o.myAs).toBe(23456);
    expect(o.capabilities).toEqual({
      multiprotocol: [
        { afi: Afi.IPv4, safi: Safi.Unicast },
        { afi: Afi.IPv6, safi: Safi.Unicast },
      ],
      routeRefresh: true,
      enhancedRouteRefresh: true,
      extendedMessage: false,
      extendedNextHop: [],
      gracefulRestart: { restartState: false, notification: false, restartTime: 120, families: [] },
      fourOctetAs: 4200000001,
      unknown: [{ code: 71, value: new Uint8Array(0) }],
    });
  });

  it('IPv4 UPDATE with two prefixes (one /25) re-encodes to the same bytes', () => {
    const h = '00340200000014400101004002060201fa56ea01400304c612c802190a0a0280180a0a00';
    const u = updateOf(ok(h));
    expect(u.attrs).toEqual({ origin: 0, asPath: [{ type: SEQ, asns: [4200000001] }], nextHop: '198.18.200.2' });
    expect(v4(u.nlri)).toEqual(['10.10.2.128/25', '10.10.0.0/24']);
    expect(encodeMessage(u, EBGP4).toString('hex')).toBe(M + h);
  });

  it('IPv4 UPDATE with communities (incl. NO_EXPORT) and a large community re-encodes to the same bytes', () => {
    const h = '0049020000002e400101004002060201fa56ea01400304c612c802c00808fde90064ffffff01c0200cfa56ea010000000100000002180a0a01';
    const u = updateOf(ok(h));
    expect(u.attrs.communities).toEqual([0xfde90064, 0xffffff01]);
    expect(u.attrs.largeCommunities).toEqual([{ global: 4200000001, local1: 1, local2: 2 }]);
    expect(encodeMessage(u, EBGP4).toString('hex')).toBe(M + h);
  });

  it('IPv6 UPDATE: MP_REACH first, global + link-local next hop', () => {
    const u = updateOf(
      ok('0054020000003d900e002c00020120fd0000c8000000000000000000000002fe8000000000000080f58afffe006737003020010db80010400101004002060201fa56ea01'),
    );
    expect(u.mpReach?.nextHops).toEqual(['fd00:c8::2', 'fe80::80f5:8aff:fe00:6737']);
    expect(v6(u.mpReach?.nlri)).toEqual(['2001:db8:10::/48']);
  });

  it('End-of-RIB for IPv4 and for IPv6 (MP_UNREACH without extended length)', () => {
    expect(endOfRibFamily(updateOf(ok('00170200000000')))).toBe(Afi.IPv4);
    expect(endOfRibFamily(updateOf(ok('001d0200000006800f03000201')))).toBe(Afi.IPv6);
  });
});

describe('GoBGP 3.10.0 (AS 65002)', () => {
  it('OPEN: FQDN and extended next hop (IPv4 over IPv6) capabilities', () => {
    const o = ok('00410104fdea005ac612c8022402220200490402766d0001040001000101040002000141040000fdea0506000100010002').msg as OpenMessage;
    expect(o.capabilities.extendedNextHop).toEqual([{ afi: Afi.IPv4, safi: Safi.Unicast, nextHopAfi: Afi.IPv6 }]);
    expect(o.capabilities.unknown).toEqual([{ code: 73, value: Uint8Array.of(2, 0x76, 0x6d, 0) }]);
    expect(o.capabilities.fourOctetAs).toBe(65002);
  });

  it('AIGP (optional non-transitive) is validated and not carried on', () => {
    const u = updateOf(ok('003d02000000224001010240020602010000fdea400304c612c802801a0b01000b0000000000000064180a1401'));
    expect(u.attrs).toEqual({ origin: 2, asPath: [{ type: SEQ, asns: [65002] }], nextHop: '198.18.200.2' });
  });

  it('route-target extended community', () => {
    const u = updateOf(ok('003a020000001f4001010240020602010000fdea400304c612c802c010080002fdea00000007180a1404'));
    expect(u.attrs.extCommunities).toEqual([Uint8Array.from(hex('0002fdea00000007'))]);
  });

  it('MED, NO_EXPORT + NO_ADVERTISE, large community; re-encodes to the same bytes', () => {
    const h = '005402000000394001010140020602010000fdea400304c612c8028004040000000ac0080cfde90064ffffff01ffffff02c0200c0000fdea0000000100000002180a1400';
    const u = updateOf(ok(h));
    expect(u.attrs.med).toBe(10);
    expect(u.attrs.communities).toEqual([0xfde90064, 0xffffff01, 0xffffff02]);
    expect(encodeMessage(u, EBGP4).toString('hex')).toBe(M + h);
  });

  it('IPv6 UPDATE with MP_REACH last and without extended length', () => {
    const u = updateOf(ok('004a02000000334001010240020602010000fdeac00804fdea012c800e1c00020110fd0000c8000000000000000000000002003020010db80020'));
    expect(u.mpReach).toMatchObject({ afi: Afi.IPv6, nextHops: ['fd00:c8::2'] });
    expect(v6(u.mpReach?.nlri)).toEqual(['2001:db8:20::/48']);
  });
});

describe('FRR 8.4.4 (AS 65003)', () => {
  it('OPEN: one capability per parameter; add-path, FQDN, LLGR kept raw; GR with R and N bits', () => {
    const o = ok(
      '00760104fdeb00b4c612c8025902060104000100010206010400020001020280000202020002024600020641040000fdeb02020600020a45080001010100020101020b4909076672722d6361700002044002c0780210470e0001018000000000020180000000',
    ).msg as OpenMessage;
    expect(o.holdTime).toBe(180);
    expect(o.capabilities.extendedMessage).toBe(true);
    expect(o.capabilities.gracefulRestart).toEqual({ restartState: true, notification: true, restartTime: 120, families: [] });
    expect(o.capabilities.unknown.map((u) => u.code)).toEqual([128, 69, 73, 71]);
  });

  it('aggregate: extended-length AS_PATH, ATOMIC_AGGREGATE, AGGREGATOR', () => {
    const u = updateOf(ok('0045020000002a400101025002000602010000fdeb400304c612c80280040400000000400600c007080000fdebc612c802170a1e00'));
    expect(u.attrs).toEqual({
      origin: 2,
      asPath: [{ type: SEQ, asns: [65003] }],
      nextHop: '198.18.200.2',
      med: 0,
      atomicAggregate: true,
      aggregator: { asn: 65003, address: '198.18.200.2' },
    });
    expect(v4(u.nlri)).toEqual(['10.30.0.0/23']);
  });

  it('IPv6 UPDATE with an IPv4-mapped next hop (no zebra, so no interface address)', () => {
    const u = updateOf(ok('004c0200000035900e001c0002011000000000000000000000ffffc612c802003020010db80030400101005002000602010000fdeb80040400000000'));
    expect(u.mpReach?.nextHops).toEqual(['::ffff:198.18.200.2']);
  });

  it('KEEPALIVE', () => {
    expect(ok('001304').msg).toEqual({ type: MsgType.KEEPALIVE });
  });
});

describe('OpenBGPD 7.7 (AS 65004)', () => {
  it('OPEN: graceful restart capability with only the R bit', () => {
    const o = ok('00370104fdec005ac612c8021a021801040001000101040002000102004002800041040000fdec').msg as OpenMessage;
    expect(o.capabilities.gracefulRestart).toEqual({ restartState: true, notification: false, restartTime: 0, families: [] });
    expect(o.capabilities.routeRefresh).toBe(true);
  });

  it('MED, community, route target and large community in ascending order re-encode to the same bytes', () => {
    const h = '0057020000003c4001010140020602010000fdec400304c612c80280040400000009c00804fdec0001c010080002fdec00000005c0200c0000fdec0000000100000002180a2800';
    const u = updateOf(ok(h));
    expect(u.attrs).toEqual({
      origin: 1,
      asPath: [{ type: SEQ, asns: [65004] }],
      nextHop: '198.18.200.2',
      med: 9,
      communities: [0xfdec0001],
      extCommunities: [Uint8Array.from(hex('0002fdec00000005'))],
      largeCommunities: [{ global: 65004, local1: 1, local2: 2 }],
    });
    expect(encodeMessage(u, EBGP4).toString('hex')).toBe(M + h);
  });

  it('IPv6 UPDATE with MP_REACH after the well-known attributes', () => {
    const u = updateOf(ok('0044020000002d4001010040020602010000fdec900e001c0002011000000000000000000000000000000001003020010db80040'));
    expect(v6(u.mpReach?.nlri)).toEqual(['2001:db8:40::/48']);
  });
});
