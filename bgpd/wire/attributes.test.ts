import { describe, it, expect } from 'vitest';
import { AsPathSegmentType, ErrorAction, Origin, WellKnownCommunity } from './types';
import type { PathAttributes } from './types';
import { encodeAttributes } from './attributes';
import { EBGP2, EBGP4, IBGP4, NLRI_10_1_2, attr, decode, hex, update, updateOf } from './testkit';

const SEQ = AsPathSegmentType.AS_SEQUENCE;

/** Decode an attribute block inside an UPDATE that announces 10.1.2.0/24. */
function attrsOf(attrHex: string, ctx = EBGP4): { attrs: PathAttributes; action: ErrorAction } {
  const r = decode(update({ attrs: attrHex, nlri: NLRI_10_1_2 }), ctx);
  return { attrs: updateOf(r).attrs, action: r.action };
}

// One row per attribute: the value, the canonical bytes (RFC 4271 §4.3 layout), the session kind.
const ROWS: { name: string; attrs: PathAttributes; hex: string; ctx: typeof EBGP4 }[] = [
  { name: 'ORIGIN IGP', attrs: { origin: Origin.IGP }, hex: '40 01 01 00', ctx: EBGP4 },
  { name: 'ORIGIN INCOMPLETE', attrs: { origin: Origin.INCOMPLETE }, hex: '40 01 01 02', ctx: EBGP4 },
  {
    name: 'AS_PATH 4-octet sequence',
    attrs: { asPath: [{ type: SEQ, asns: [65001, 4200000000] }] },
    hex: '40 02 0a 02 02 0000fde9 fa56ea00',
    ctx: EBGP4,
  },
  {
    name: 'AS_PATH 2-octet sequence',
    attrs: { asPath: [{ type: SEQ, asns: [65001, 65002] }] },
    hex: '40 02 06 02 02 fde9 fdea',
    ctx: EBGP2,
  },
  {
    name: 'AS_PATH confed sequence then sequence',
    attrs: {
      asPath: [
        { type: AsPathSegmentType.AS_CONFED_SEQUENCE, asns: [65100] },
        { type: SEQ, asns: [65001] },
      ],
    },
    hex: '40 02 0c 03 01 0000fe4c 02 01 0000fde9',
    ctx: { ...EBGP4, confederationPeer: true },
  },
  { name: 'AS_PATH empty (iBGP origination)', attrs: { asPath: [] }, hex: '40 02 00', ctx: IBGP4 },
  { name: 'NEXT_HOP', attrs: { nextHop: '192.0.2.1' }, hex: '40 03 04 c0000201', ctx: EBGP4 },
  { name: 'MULTI_EXIT_DISC', attrs: { med: 100 }, hex: '80 04 04 00000064', ctx: EBGP4 },
  { name: 'LOCAL_PREF', attrs: { localPref: 200 }, hex: '40 05 04 000000c8', ctx: IBGP4 },
  { name: 'ATOMIC_AGGREGATE', attrs: { atomicAggregate: true }, hex: '40 06 00', ctx: EBGP4 },
  {
    name: 'AGGREGATOR 4-octet',
    attrs: { aggregator: { asn: 65001, address: '10.0.0.1' } },
    hex: 'c0 07 08 0000fde9 0a000001',
    ctx: EBGP4,
  },
  {
    name: 'AGGREGATOR 2-octet',
    attrs: { aggregator: { asn: 65001, address: '10.0.0.1' } },
    hex: 'c0 07 06 fde9 0a000001',
    ctx: EBGP2,
  },
  {
    name: 'COMMUNITIES with NO_EXPORT, NO_ADVERTISE, GRACEFUL_SHUTDOWN',
    attrs: {
      communities: [WellKnownCommunity.NO_EXPORT, WellKnownCommunity.NO_ADVERTISE, WellKnownCommunity.GRACEFUL_SHUTDOWN, 0xfde90064],
    },
    hex: 'c0 08 10 ffffff01 ffffff02 ffff0000 fde90064',
    ctx: EBGP4,
  },
  { name: 'ORIGINATOR_ID', attrs: { originatorId: '10.0.0.1' }, hex: '80 09 04 0a000001', ctx: IBGP4 },
  { name: 'CLUSTER_LIST', attrs: { clusterList: ['10.0.0.2', '10.0.0.3'] }, hex: '80 0a 08 0a000002 0a000003', ctx: IBGP4 },
  {
    name: 'EXTENDED_COMMUNITIES (route target 65001:100)',
    attrs: { extCommunities: [Uint8Array.from(hex('0002fde900000064'))] },
    hex: 'c0 10 08 0002fde900000064',
    ctx: EBGP4,
  },
  {
    name: 'LARGE_COMMUNITY',
    attrs: { largeCommunities: [{ global: 65001, local1: 1, local2: 2 }] },
    hex: 'c0 20 0c 0000fde9 00000001 00000002',
    ctx: EBGP4,
  },
  {
    name: 'unknown optional transitive (type 99) with Partial',
    attrs: { unknown: [{ flags: 0xe0, type: 99, value: Uint8Array.of(0xab, 0xcd) }] },
    hex: 'e0 63 02 abcd',
    ctx: EBGP4,
  },
];

describe('path attributes, one by one', () => {
  for (const row of ROWS) {
    it(`${row.name}: encode`, () => {
      expect(encodeAttributes(row.attrs, row.ctx).toString('hex')).toBe(hex(row.hex).toString('hex'));
    });
    it(`${row.name}: decode`, () => {
      const r = decode(update({ attrs: row.hex }), row.ctx);
      expect(r.ok).toBe(true);
      expect(updateOf(r).attrs).toEqual(row.attrs);
    });
  }

  it('orders attributes by type code and uses Extended Length only above 255 bytes', () => {
    const a: PathAttributes = {
      communities: Array.from({ length: 70 }, (_, i) => i),
      origin: Origin.EGP,
      nextHop: '192.0.2.1',
    };
    const b = encodeAttributes(a, EBGP4);
    expect(b.subarray(0, 4).toString('hex')).toBe('40010101');
    expect(b.subarray(4, 11).toString('hex')).toBe('400304c0000201');
    expect(b.subarray(11, 15).toString('hex')).toBe('d0080118'); // 280 bytes, extended length
  });

  it('accepts Extended Length on a short attribute and re-encodes it without', () => {
    const { attrs, action } = attrsOf('50 01 0001 00' + attr(0x40, 2, '') + attr(0x40, 3, 'c0000201'), IBGP4);
    expect(action).toBe(ErrorAction.NONE);
    expect(encodeAttributes(attrs, IBGP4).subarray(0, 4).toString('hex')).toBe('40010100');
  });

  it('never writes a raw copy of an attribute it encodes from a field', () => {
    const b = encodeAttributes({ origin: Origin.IGP, unknown: [{ flags: 0x40, type: 1, value: Uint8Array.of(2) }] }, EBGP4);
    expect(b.toString('hex')).toBe('40010100');
  });

  it('does not send LOCAL_PREF, ORIGINATOR_ID or CLUSTER_LIST to eBGP peers', () => {
    const b = encodeAttributes({ localPref: 100, originatorId: '1.1.1.1', clusterList: ['2.2.2.2'], med: 1 }, EBGP4);
    expect(b.toString('hex')).toBe('80040400000001');
  });

  it('forces Partial on unknown transitive attributes but keeps validated ones (OTC) as received', () => {
    const b = encodeAttributes(
      {
        unknown: [
          { flags: 0xc0, type: 99, value: Uint8Array.of(1) },
          { flags: 0xc0, type: 35, value: Uint8Array.of(0, 0, 0xfd, 0xe9) },
        ],
      },
      EBGP4,
    );
    expect(b.toString('hex')).toBe('c023040000fde9' + 'e0630101');
  });
});

describe('4-octet AS on 2-octet sessions (RFC 6793)', () => {
  const path = [{ type: SEQ, asns: [65001, 4200000000] }];

  it('splits into AS_PATH with AS_TRANS plus AS4_PATH, and AGGREGATOR plus AS4_AGGREGATOR', () => {
    const b = encodeAttributes({ asPath: path, aggregator: { asn: 4200000000, address: '10.0.0.9' } }, EBGP2);
    expect(b.toString('hex')).toBe(
      hex(`40 02 06 02 02 fde9 5ba0
           c0 07 06 5ba0 0a000009
           c0 11 0a 02 02 0000fde9 fa56ea00
           c0 12 08 fa56ea00 0a000009`).toString('hex'),
    );
  });

  it('merges them back on decode', () => {
    const b = encodeAttributes({ asPath: path, aggregator: { asn: 4200000000, address: '10.0.0.9' } }, EBGP2);
    const { attrs, action } = attrsOf(b.toString('hex') + attr(0x40, 1, '00') + attr(0x40, 3, 'c0000201'), EBGP2);
    expect(action).toBe(ErrorAction.NONE);
    expect(attrs.asPath).toEqual(path);
    expect(attrs.aggregator).toEqual({ asn: 4200000000, address: '10.0.0.9' });
  });

  it('keeps the leading AS_PATH ASNs that AS4_PATH does not cover (RFC 6793 §4.2.3)', () => {
    // An old speaker (65001) prepended itself after the AS4_PATH was built.
    const { attrs } = attrsOf(
      attr(0x40, 2, '02 04 fde9 5ba0 5ba0 fdeb') + attr(0xc0, 17, '02 03 fa56ea00 fa56ea01 0000fdeb'),
      EBGP2,
    );
    expect(attrs.asPath).toEqual([{ type: SEQ, asns: [65001, 4200000000, 4200000001, 65003] }]);
  });

  it('keeps separate AS4_PATH segments separate (regression found by the property test)', () => {
    const { attrs } = attrsOf(attr(0x40, 2, '0201 0001 0201 5ba0') + attr(0xc0, 17, '0201 00000001 0201 00010000'), EBGP2);
    expect(attrs.asPath).toEqual([
      { type: SEQ, asns: [1] },
      { type: SEQ, asns: [65536] },
    ]);
  });

  it('ignores AS4_AGGREGATOR and AS4_PATH when AGGREGATOR holds a real AS', () => {
    const r = decode(
      update({
        attrs: attr(0x40, 2, '02 01 5ba0') + attr(0xc0, 7, 'fde9 0a000001') + attr(0xc0, 17, '02 01 fa56ea00') + attr(0xc0, 18, 'fa56ea00 0a000001'),
      }),
      EBGP2,
    );
    const u = updateOf(r);
    expect(u.attrs.asPath).toEqual([{ type: SEQ, asns: [23456] }]);
    expect(u.attrs.aggregator).toEqual({ asn: 65001, address: '10.0.0.1' });
    expect(r.action).toBe(ErrorAction.ATTRIBUTE_DISCARD);
  });

  it('carries confederation segments in AS_PATH only', () => {
    const p = [
      { type: AsPathSegmentType.AS_CONFED_SEQUENCE, asns: [65100] },
      { type: SEQ, asns: [4200000000] },
    ];
    const b = encodeAttributes({ asPath: p }, EBGP2);
    expect(b.toString('hex')).toBe(hex('40 02 08 03 01 fe4c 02 01 5ba0  c0 11 06 02 01 fa56ea00').toString('hex'));
    expect(updateOf(decode(update({ attrs: b.toString('hex') }), { ...EBGP2, confederationPeer: true })).attrs.asPath).toEqual(p);
  });
});

describe('long AS paths', () => {
  it('splits a 300-ASN sequence into 255 + 45 on the wire and joins it on decode', () => {
    const asns = Array.from({ length: 300 }, (_, i) => 64512 + i);
    const b = encodeAttributes({ asPath: [{ type: SEQ, asns }] }, EBGP4);
    // Extended length 1204 = (2 + 255*4) + (2 + 45*4); first segment: AS_SEQUENCE of 255.
    expect(b.subarray(0, 6).toString('hex')).toBe('500204b402ff');
    expect(b[6 + 255 * 4 + 1]).toBe(45);
    const r = decode(update({ attrs: b.toString('hex') }), EBGP4);
    expect(updateOf(r).attrs.asPath).toEqual([{ type: SEQ, asns }]);
  });
});
