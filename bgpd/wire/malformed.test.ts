// Every malformed-input case of /work/shared/reference/bgp.md §6.2 (CVEs and incidents) and §6.3
// (derived list), one test each, named after the case. Each asserts the single ErrorAction, the
// NOTIFICATION when the session must reset, and what survives for the RIB.
import { describe, it, expect } from 'vitest';
import { AsPathSegmentType, ErrCode, ErrorAction } from './types';
import type { CodecContext, DecodeResult, OpenMessage } from './types';
import { encodeAttributes } from './attributes';
import {
  AS_PATH_65001,
  EBGP2,
  EBGP4,
  IBGP4,
  MANDATORY,
  NEXT_HOP_192_0_2_1,
  NLRI_10_1_2,
  ORIGIN_IGP,
  attr,
  decode,
  hex,
  message,
  update,
  updateOf,
} from './testkit';

const MARKER = 'ffffffffffffffffffffffffffffffff';
const NONE = ErrorAction.NONE;
const AD = ErrorAction.ATTRIBUTE_DISCARD;
const TAW = ErrorAction.TREAT_AS_WITHDRAW;
const AFD = ErrorAction.AFISAFI_DISABLE;
const SR = ErrorAction.SESSION_RESET;

/** An OPEN (AS 65001, hold 180, id 10.0.0.1 unless overridden) with `capsHex` in one parameter. */
function open(capsHex: string, o: { version?: string; as?: string; hold?: string; id?: string } = {}): Buffer {
  const caps = hex(capsHex);
  const params = caps.length ? '02' + caps.length.toString(16).padStart(2, '0') + caps.toString('hex') : '';
  const optLen = (params.length / 2).toString(16).padStart(2, '0');
  return message(1, `${o.version ?? '04'} ${o.as ?? 'fde9'} ${o.hold ?? '00b4'} ${o.id ?? '0a000001'} ${optLen} ${params}`);
}
const AS4_CAP = '4104 0000fde9';

interface Case {
  name: string;
  bytes: () => Buffer;
  ctx?: CodecContext;
  action: ErrorAction;
  /** Expected NOTIFICATION as "code/subcode" and, when given, data hex. */
  notify?: [number, number, string?];
  check?: (r: DecodeResult) => void;
}

function run(c: Case): void {
  it(c.name, () => {
    let r: DecodeResult | undefined;
    expect(() => {
      r = decode(c.bytes(), c.ctx ?? EBGP4);
    }).not.toThrow();
    const res = r as DecodeResult;
    expect(res.action, JSON.stringify(res.problems)).toBe(c.action);
    expect(res.ok).toBe(c.action < AFD);
    for (const p of res.problems) {
      expect(p.reason).not.toMatch(/^internal decoder error/);
      expect(p.action).toBeLessThanOrEqual(res.action);
    }
    if (c.action !== NONE) expect(res.problems.some((p) => p.action === c.action)).toBe(true);
    if (c.notify) {
      expect(res.ok).toBe(false);
      if (!res.ok) {
        expect([res.notification.code, res.notification.subcode]).toEqual([c.notify[0], c.notify[1]]);
        if (c.notify[2] !== undefined) expect(Buffer.from(res.notification.data).toString('hex')).toBe(hex(c.notify[2]).toString('hex'));
      }
    }
    c.check?.(res);
  });
}

/** The UPDATE still carries its NLRI, so the RIB can withdraw it. */
const keepsNlri = (r: DecodeResult): void => {
  expect(updateOf(r).nlri).toEqual(['\x18\x0a\x01\x02']);
};

describe('bgp.md §6.2 — CVEs and incidents', () => {
  const cases: Case[] = [
    {
      name: 'CVE-2023-38802: corrupted Tunnel Encapsulation attribute → treat-as-withdraw, session kept',
      bytes: () => update({ attrs: MANDATORY + attr(0xc0, 23, '0008 0010 010203'), nlri: NLRI_10_1_2 }),
      action: TAW,
      check: keepsNlri,
    },
    {
      name: 'CVE-2023-38283: attribute length running past the path attributes → treat-as-withdraw, not reset',
      bytes: () => update({ attrs: MANDATORY + 'c0 08 08 ffffff01', nlri: NLRI_10_1_2 }),
      action: TAW,
      check: (r) => {
        keepsNlri(r);
        expect(r.problems[0].attrType).toBe(8);
        expect(r.problems[0].hex).toBe('c00808ffffff01');
      },
    },
    {
      name: 'CVE-2023-41358: NLRI with total path attribute length 0 → treat-as-withdraw',
      bytes: () => update({ nlri: NLRI_10_1_2 }),
      action: TAW,
      check: (r) => {
        keepsNlri(r);
        expect(r.problems.map((p) => p.reason)).toEqual(['missing ORIGIN', 'missing AS_PATH', 'missing NEXT_HOP']);
      },
    },
    {
      name: 'CVE-2023-41361: software-version capability longer than its capability → capability ignored',
      bytes: () => open(AS4_CAP + '4b 05 0a 61626364'),
      action: NONE,
      check: (r) => {
        expect(r.problems[0].attrType).toBe(75);
        expect((r.msg as OpenMessage).capabilities.unknown).toEqual([]);
      },
    },
    {
      name: 'CVE-2023-41360: ROUTE-REFRESH with ORF bytes beyond its 4-byte body → ROUTE-REFRESH Invalid Message Length',
      bytes: () => message(5, '0001 00 01 01 40 00 05'),
      action: SR,
      notify: [ErrCode.ROUTE_REFRESH, 1, MARKER + '001b05' + '00010001014000' + '05'],
    },
    {
      name: 'CVE-2023-41359: AIGP shorter than its minimum → attribute discard',
      bytes: () => update({ attrs: MANDATORY + attr(0x80, 26, '0100'), nlri: NLRI_10_1_2 }),
      action: AD,
      check: keepsNlri,
    },
    {
      name: 'CVE-2023-38406: flowspec NLRI of length 0 in MP_REACH → attribute discarded (family not negotiable here)',
      bytes: () => update({ attrs: MANDATORY + attr(0x90, 14, '0001 85 00 00 00'), nlri: NLRI_10_1_2 }),
      action: AD,
      check: (r) => expect(updateOf(r).mpReach).toBeUndefined(),
    },
    {
      name: 'CVE-2023-38407: labeled-unicast NLRI running past the end → attribute discarded (family not negotiable here)',
      bytes: () => update({ attrs: MANDATORY + attr(0x90, 14, '0001 04 04 c0000201 00 38 0001'), nlri: NLRI_10_1_2 }),
      action: AD,
    },
    {
      name: 'CVE-2023-31489: long-lived GR capability not a multiple of 7 bytes → capability ignored',
      bytes: () => open(AS4_CAP + '47 05 0001010000'),
      action: NONE,
      check: (r) => expect(r.problems.map((p) => p.attrType)).toEqual([71]),
    },
    {
      name: 'CVE-2023-31490: Prefix-SID TLV overrunning the attribute → treat-as-withdraw',
      bytes: () => update({ attrs: MANDATORY + attr(0xc0, 40, '01 0007 00 0000'), nlri: NLRI_10_1_2 }),
      action: TAW,
    },
    {
      name: 'CVE-2023-46752: malformed MP_REACH_NLRI → AFI/SAFI disable with Optional Attribute Error',
      bytes: () => update({ attrs: ORIGIN_IGP + AS_PATH_65001 + attr(0x90, 14, '0002 01 20 2001') }),
      action: AFD,
      notify: [ErrCode.UPDATE_MESSAGE, 9, '900e0006 0002 01 20 2001'],
    },
    {
      name: 'CVE-2023-46753: NLRI with only an unknown transitive attribute → treat-as-withdraw',
      bytes: () => update({ attrs: attr(0xc0, 99, 'aa'), nlri: NLRI_10_1_2 }),
      action: TAW,
      check: keepsNlri,
    },
    {
      name: 'CVE-2023-47234: MP_UNREACH plus classic NLRI without mandatory attributes → treat-as-withdraw',
      bytes: () => update({ attrs: attr(0x90, 15, '0002 01 30 20010db80002'), nlri: NLRI_10_1_2 }),
      action: TAW,
      check: (r) => {
        keepsNlri(r);
        expect(updateOf(r).mpUnreach?.withdrawn).toHaveLength(1);
      },
    },
    {
      name: 'CVE-2023-47235: End-of-RIB-looking UPDATE with a malformed attribute → treat-as-withdraw, no crash',
      bytes: () => update({ attrs: attr(0x90, 15, '000201') + attr(0x40, 1, '07') }),
      action: TAW,
      check: (r) => expect(updateOf(r).mpUnreach?.withdrawn).toEqual([]),
    },
    {
      name: 'CVE-2022-40302: OPEN optional parameter length past the end of the message → OPEN error',
      bytes: () => message(1, '04 fde9 00b4 0a000001 04 02 08 0104'),
      action: SR,
      notify: [ErrCode.OPEN_MESSAGE, 0],
    },
    {
      name: 'CVE-2022-43681: OPEN optional parameter cut after its type byte → OPEN error',
      bytes: () => message(1, '04 fde9 00b4 0a000001 01 02'),
      action: SR,
      notify: [ErrCode.OPEN_MESSAGE, 0],
    },
    {
      name: 'CVE-2024-31948: Prefix-SID TLV header truncated → treat-as-withdraw',
      bytes: () => update({ attrs: MANDATORY + attr(0xc0, 40, '0100'), nlri: NLRI_10_1_2 }),
      action: TAW,
    },
    {
      name: 'CVE-2024-31949: graceful restart capability with a truncated family → capability ignored',
      bytes: () => open(AS4_CAP + '40 03 0078 00'),
      action: NONE,
      check: (r) => expect((r.msg as OpenMessage).capabilities.gracefulRestart).toBeUndefined(),
    },
    {
      name: 'CVE-2024-44070: tunnel-encap sub-TLV value past its TLV → treat-as-withdraw',
      bytes: () => update({ attrs: MANDATORY + attr(0xc0, 23, '0008 0004 04 08 aabb'), nlri: NLRI_10_1_2 }),
      action: TAW,
    },
    {
      name: 'CVE-2023-46565: minimal UPDATE whose withdrawn length overruns → session reset (Malformed Attribute List)',
      bytes: () => message(2, 'ffff 0000'),
      action: SR,
      notify: [ErrCode.UPDATE_MESSAGE, 1, ''],
    },
    ...[0, 1, 2, 3].map(
      (n): Case => ({
        name: `CVE-2026-30405: NEXT_HOP of length ${n} → treat-as-withdraw`,
        bytes: () => update({ attrs: ORIGIN_IGP + AS_PATH_65001 + attr(0x40, 3, 'c0000201'.slice(0, 2 * n)), nlri: NLRI_10_1_2 }),
        action: TAW,
        check: keepsNlri,
      }),
    ),
    {
      name: 'CVE-2026-41643: AS4_PATH of length 1 before AS_PATH → AS4_PATH discarded, AS_PATH used',
      bytes: () => update({ attrs: ORIGIN_IGP + attr(0xc0, 17, '02') + attr(0x40, 2, '0201fde9') + NEXT_HOP_192_0_2_1, nlri: NLRI_10_1_2 }),
      ctx: EBGP2,
      action: AD,
      check: (r) => expect(updateOf(r).attrs.asPath).toEqual([{ type: AsPathSegmentType.AS_SEQUENCE, asns: [65001] }]),
    },
    {
      name: 'CVE-2026-41642: unrecognized attribute with the Optional bit clear → session reset (Unrecognized Well-known)',
      bytes: () => update({ attrs: MANDATORY + attr(0x40, 99, 'aa'), nlri: NLRI_10_1_2 }),
      action: SR,
      notify: [ErrCode.UPDATE_MESSAGE, 2, '406301aa'],
    },
    {
      name: 'CVE-2026-42285: inconsistent attribute lengths → treat-as-withdraw with the attributes object intact',
      bytes: () => update({ attrs: ORIGIN_IGP + '40 02 ff 0201', nlri: NLRI_10_1_2 }),
      action: TAW,
      check: (r) => {
        keepsNlri(r);
        expect(updateOf(r).attrs.origin).toBe(0);
      },
    },
    {
      name: 'CVE-2026-37462: total path attribute length past the message → session reset, no underflow',
      bytes: () => message(2, '0000 0100 400101 00'),
      action: SR,
      notify: [ErrCode.UPDATE_MESSAGE, 1],
    },
    {
      name: 'CVE-2026-37461: IPv6 next hop for IPv4 NLRI without RFC 8950 negotiated → AFI/SAFI disable',
      bytes: () => update({ attrs: ORIGIN_IGP + AS_PATH_65001 + attr(0x90, 14, '0001 01 10 20010db8000000000000000000000001 00 18 0a0102') }),
      action: AFD,
      notify: [ErrCode.UPDATE_MESSAGE, 9],
    },
    {
      name: 'CVE-2026-7734: SRv6 L3 service TLV in Prefix-SID overrunning → treat-as-withdraw',
      bytes: () => update({ attrs: MANDATORY + attr(0xc0, 40, '05 0020 00 01'), nlri: NLRI_10_1_2 }),
      action: TAW,
    },
    {
      name: 'GHSA-frrj-87jh-2772: zero-length AS_PATH from a confederation eBGP peer → treat-as-withdraw',
      bytes: () => update({ attrs: ORIGIN_IGP + attr(0x40, 2, '') + NEXT_HOP_192_0_2_1, nlri: NLRI_10_1_2 }),
      ctx: { ...EBGP4, confederationPeer: true },
      action: TAW,
      check: keepsNlri,
    },
    {
      name: 'gobgp#3392: ORIGIN without the Transitive flag → treat-as-withdraw',
      bytes: () => update({ attrs: attr(0x00, 1, '00') + AS_PATH_65001 + NEXT_HOP_192_0_2_1, nlri: NLRI_10_1_2 }),
      action: TAW,
    },
    {
      name: 'gobgp#2007: attribute header cut after two bytes → treat-as-withdraw, no slice panic',
      bytes: () => update({ attrs: MANDATORY + '4001', nlri: NLRI_10_1_2 }),
      action: TAW,
    },
    {
      name: 'CVE-2026-49943: AS_PATH of 5000 ASNs with extended messages → decoded whole (no fixed-size array)',
      bytes: () => {
        const asns = Array.from({ length: 5000 }, (_, i) => 64512 + i);
        const ctx = { ...EBGP4, extendedMessage: true };
        return update({ attrs: encodeAttributes({ origin: 0, asPath: [{ type: 2, asns }], nextHop: '192.0.2.1' }, ctx).toString('hex'), nlri: NLRI_10_1_2 });
      },
      ctx: { ...EBGP4, extendedMessage: true },
      action: NONE,
      check: (r) => expect(updateOf(r).attrs.asPath?.[0].asns).toHaveLength(5000),
    },
    {
      name: 'OTC incident 2025: OTC (35) of length 1024 → treat-as-withdraw, never propagated',
      bytes: () => update({ attrs: MANDATORY + attr(0xd0, 35, '00'.repeat(1024)), nlri: NLRI_10_1_2 }),
      action: TAW,
      check: (r) => {
        expect(updateOf(r).attrs.unknown).toBeUndefined();
        // The logged bytes are cut at 64 and say so.
        expect(r.problems[0]).toMatchObject({ attrType: 35, hex: 'd0230400' + '00'.repeat(60) + '…' });
      },
    },
    {
      name: 'OTC incident 2025: well-formed OTC is carried byte-exact',
      bytes: () => update({ attrs: MANDATORY + attr(0xc0, 35, '0000fde9'), nlri: NLRI_10_1_2 }),
      action: NONE,
      check: (r) => expect(encodeAttributes(updateOf(r).attrs, EBGP4).toString('hex')).toContain('c0230400' + '00fde9'),
    },
    {
      name: 'OTC incident 2025: unknown optional transitive attribute is carried byte-exact with Partial set',
      bytes: () => update({ attrs: MANDATORY + attr(0xc0, 99, 'deadbeef'), nlri: NLRI_10_1_2 }),
      action: NONE,
      check: (r) => {
        expect(updateOf(r).attrs.unknown).toEqual([{ flags: 0xe0, type: 99, value: Uint8Array.from(hex('deadbeef')) }]);
        expect(encodeAttributes(updateOf(r).attrs, EBGP4).toString('hex')).toContain('e06304deadbeef');
      },
    },
    {
      name: '2009 long AS path: 256 ASNs go out as two segments and come back as one path',
      bytes: () => {
        const asns = Array.from({ length: 256 }, (_, i) => 1000 + i);
        return update({ attrs: encodeAttributes({ origin: 0, asPath: [{ type: 2, asns }], nextHop: '192.0.2.1' }, EBGP4).toString('hex'), nlri: NLRI_10_1_2 });
      },
      action: NONE,
      check: (r) => expect(updateOf(r).attrs.asPath).toEqual([{ type: 2, asns: Array.from({ length: 256 }, (_, i) => 1000 + i) }]),
    },
    {
      name: 'FRR#22352: dynamic capability toggles — the CAPABILITY message (type 6) is never negotiated, so it is a Bad Message Type',
      bytes: () => message(6, '00 0001 04 00010001'),
      action: SR,
      notify: [ErrCode.MESSAGE_HEADER, 3, '06'],
    },
    {
      name: 'FRR#22352: a dynamic capability (67) in OPEN is only kept for display',
      bytes: () => open(AS4_CAP + '4300'),
      action: NONE,
      check: (r) => expect((r.msg as OpenMessage).capabilities.unknown).toEqual([{ code: 67, value: new Uint8Array(0) }]),
    },
    {
      name: 'VU#347067: corrupted known transitive attribute (COMMUNITIES length 3) → treat-as-withdraw, not reset',
      bytes: () => update({ attrs: MANDATORY + attr(0xc0, 8, 'ffffff'), nlri: NLRI_10_1_2 }),
      action: TAW,
      check: keepsNlri,
    },
  ];
  for (const c of cases) run(c);
});

describe('bgp.md §6.3 (1) — message header', () => {
  const cases: Case[] = [
    {
      name: 'marker not all ones → Connection Not Synchronized',
      bytes: () => hex('ffffffffffffffffffffffff00ffffff 0013 04'),
      action: SR,
      notify: [ErrCode.MESSAGE_HEADER, 1, ''],
    },
    { name: 'length below 19 → Bad Message Length with the length', bytes: () => hex(`${MARKER} 0012 04`), action: SR, notify: [1, 2, '0012'] },
    {
      name: 'length above 4096 without extended messages → Bad Message Length',
      bytes: () => update({ attrs: MANDATORY, nlri: NLRI_10_1_2.repeat(1100) }),
      action: SR,
      notify: [1, 2, '115b'],
    },
    {
      name: 'length up to 65535 accepted with extended messages (RFC 8654)',
      bytes: () => update({ attrs: MANDATORY, nlri: NLRI_10_1_2.repeat(16000) }),
      ctx: { ...EBGP4, extendedMessage: true },
      action: NONE,
    },
    {
      name: 'length field not equal to the bytes received → Bad Message Length',
      bytes: () => Buffer.concat([hex(`${MARKER} 0013 04`), Buffer.of(0)]),
      action: SR,
      notify: [1, 2, '0013'],
    },
    { name: 'unknown message type 6 → Bad Message Type with the type', bytes: () => hex(`${MARKER} 0013 06`), action: SR, notify: [1, 3, '06'] },
    { name: 'KEEPALIVE of 20 bytes → Bad Message Length', bytes: () => message(4, '00'), action: SR, notify: [1, 2, '0014'] },
    {
      name: 'OPEN above 4096 even with extended messages → Bad Message Length',
      bytes: () => message(1, '04fde900b40a000001ff' + '00'.repeat(4100)),
      ctx: { ...EBGP4, extendedMessage: true },
      action: SR,
      notify: [1, 2],
    },
    { name: 'UPDATE shorter than 23 → Bad Message Length', bytes: () => message(2, '0000'), action: SR, notify: [1, 2, '0015'] },
    { name: 'NOTIFICATION shorter than 21 → Bad Message Length', bytes: () => message(3, '06'), action: SR, notify: [1, 2, '0014'] },
  ];
  for (const c of cases) run(c);
});

describe('bgp.md §6.3 (2) — OPEN', () => {
  const cases: Case[] = [
    { name: 'version 3 → Unsupported Version Number with our version', bytes: () => open(AS4_CAP, { version: '03' }), action: SR, notify: [2, 1, '0004'] },
    { name: 'hold time 1 → Unacceptable Hold Time', bytes: () => open(AS4_CAP, { hold: '0001' }), action: SR, notify: [2, 6] },
    { name: 'hold time 2 → Unacceptable Hold Time', bytes: () => open(AS4_CAP, { hold: '0002' }), action: SR, notify: [2, 6] },
    { name: 'hold time 0 accepted (no keepalives)', bytes: () => open(AS4_CAP, { hold: '0000' }), action: NONE },
    { name: 'hold time 3 accepted', bytes: () => open(AS4_CAP, { hold: '0003' }), action: NONE },
    { name: 'BGP identifier 0.0.0.0 → Bad BGP Identifier', bytes: () => open(AS4_CAP, { id: '00000000' }), action: SR, notify: [2, 3] },
    { name: 'My AS 0 → Bad Peer AS (RFC 7607)', bytes: () => open('', { as: '0000' }), action: SR, notify: [2, 2] },
    { name: '4-octet AS capability of 0 → Bad Peer AS (RFC 7607)', bytes: () => open('4104 00000000'), action: SR, notify: [2, 2] },
    { name: 'AS_TRANS without the 4-octet AS capability → Bad Peer AS', bytes: () => open('', { as: '5ba0' }), action: SR, notify: [2, 2] },
    {
      name: 'optional parameters length past the end → OPEN error',
      bytes: () => message(1, '04 fde9 00b4 0a000001 09 02 02 0200'),
      action: SR,
      notify: [2, 0],
    },
    {
      name: 'optional parameter type 1 (authentication) → Unsupported Optional Parameter',
      bytes: () => message(1, '04 fde9 00b4 0a000001 03 01 01 00'),
      action: SR,
      notify: [2, 4],
    },
    {
      name: 'RFC 9072 extended parameters length cut short → OPEN error',
      bytes: () => message(1, '04 fde9 00b4 0a000001 ff ff 00'),
      action: SR,
      notify: [2, 0],
    },
    {
      name: 'RFC 9072 extended parameters decoded',
      bytes: () => message(1, '04 fde9 00b4 0a000001 ff ff 0009 02 0006 4104 0000fde9'),
      action: NONE,
      check: (r) => expect((r.msg as OpenMessage).capabilities.fourOctetAs).toBe(65001),
    },
    {
      name: 'duplicate multiprotocol capability → kept once, logged',
      bytes: () => open('0104 00010001 0104 00010001'),
      action: NONE,
      check: (r) => {
        expect((r.msg as OpenMessage).capabilities.multiprotocol).toHaveLength(1);
        expect(r.problems).toHaveLength(1);
      },
    },
    {
      name: 'contradictory 4-octet AS capabilities → the first wins, logged',
      bytes: () => open('4104 0000fde9 4104 0000fdea'),
      action: NONE,
      check: (r) => {
        expect((r.msg as OpenMessage).capabilities.fourOctetAs).toBe(65001);
        expect(r.problems[0].reason).toMatch(/different AS/);
      },
    },
    {
      name: 'add-path capability with send/receive 0 → capability ignored',
      bytes: () => open(AS4_CAP + '4504 0001 01 00'),
      action: NONE,
      check: (r) => expect(r.problems.map((p) => p.attrType)).toEqual([69]),
    },
    {
      name: 'FQDN capability with a hostname past its end → capability ignored',
      bytes: () => open(AS4_CAP + '4903 09 6162'),
      action: NONE,
      check: (r) => expect(r.problems.map((p) => p.attrType)).toEqual([73]),
    },
    {
      name: 'role capability of length 2 → capability ignored (role checks are the session’s)',
      bytes: () => open(AS4_CAP + '0902 0001'),
      action: NONE,
      check: (r) => expect((r.msg as OpenMessage).capabilities.unknown).toEqual([]),
    },
    {
      name: 'well-formed role capability kept for the session',
      bytes: () => open(AS4_CAP + '0901 03'),
      action: NONE,
      check: (r) => expect((r.msg as OpenMessage).capabilities.unknown).toEqual([{ code: 9, value: Uint8Array.of(3) }]),
    },
    {
      name: 'capability length past its parameter → OPEN error',
      bytes: () => message(1, '04 fde9 00b4 0a000001 04 02 02 4104'),
      action: SR,
      notify: [2, 0],
    },
  ];
  for (const c of cases) run(c);
});

describe('bgp.md §6.3 (3) — UPDATE framing', () => {
  const cases: Case[] = [
    { name: 'withdrawn routes length past the end → session reset', bytes: () => message(2, '0010 18 0a0102 0000'), action: SR, notify: [3, 1] },
    { name: 'total path attribute length past the end → session reset', bytes: () => message(2, '0000 0010 40010100'), action: SR, notify: [3, 1] },
    {
      name: 'last attribute length past the end → treat-as-withdraw',
      bytes: () => update({ attrs: ORIGIN_IGP + AS_PATH_65001 + '40 03 08 c0000201', nlri: NLRI_10_1_2 }),
      action: TAW,
      check: keepsNlri,
    },
    {
      name: 'fewer than 3 bytes left for an attribute header → treat-as-withdraw',
      bytes: () => update({ attrs: MANDATORY + '80', nlri: NLRI_10_1_2 }),
      action: TAW,
    },
    {
      name: 'Extended Length with fewer than 4 bytes left → treat-as-withdraw',
      bytes: () => update({ attrs: MANDATORY + '900400', nlri: NLRI_10_1_2 }),
      action: TAW,
    },
    {
      name: 'MP_REACH whose length runs past the attributes → session reset',
      bytes: () => update({ attrs: MANDATORY + '900e0040 000201', nlri: NLRI_10_1_2 }),
      action: SR,
      notify: [3, 1],
    },
    { name: 'NLRI prefix length 33 → session reset (Invalid Network Field)', bytes: () => update({ attrs: MANDATORY, nlri: '21 0a010203 00' }), action: SR, notify: [3, 10] },
    { name: 'withdrawn prefix length 33 → session reset (Invalid Network Field)', bytes: () => update({ withdrawn: '21 0a010203 00' }), action: SR, notify: [3, 10] },
    { name: 'NLRI prefix bytes truncated → session reset (Invalid Network Field)', bytes: () => update({ attrs: MANDATORY, nlri: '18 0a01' }), action: SR, notify: [3, 10] },
    {
      name: 'MP_REACH IPv6 prefix length 129 → AFI/SAFI disable',
      bytes: () => update({ attrs: ORIGIN_IGP + AS_PATH_65001 + attr(0x90, 14, '0002 01 10 20010db8000000000000000000000001 00 81' + '00'.repeat(17)) }),
      action: AFD,
      notify: [3, 9],
    },
  ];
  for (const c of cases) run(c);
});

describe('bgp.md §6.3 (4) — attribute flags and types', () => {
  const cases: Case[] = [
    {
      name: 'well-known ORIGIN marked Optional → treat-as-withdraw',
      bytes: () => update({ attrs: attr(0xc0, 1, '00') + AS_PATH_65001 + NEXT_HOP_192_0_2_1, nlri: NLRI_10_1_2 }),
      action: TAW,
    },
    {
      name: 'NEXT_HOP without Transitive → treat-as-withdraw',
      bytes: () => update({ attrs: ORIGIN_IGP + AS_PATH_65001 + attr(0x00, 3, 'c0000201'), nlri: NLRI_10_1_2 }),
      action: TAW,
    },
    {
      name: 'optional COMMUNITIES without the Optional bit → treat-as-withdraw',
      bytes: () => update({ attrs: MANDATORY + attr(0x40, 8, 'ffffff01'), nlri: NLRI_10_1_2 }),
      action: TAW,
    },
    {
      name: 'unknown well-known type → session reset (Unrecognized Well-known Attribute)',
      bytes: () => update({ attrs: MANDATORY + attr(0x40, 250, ''), nlri: NLRI_10_1_2 }),
      action: SR,
      notify: [3, 2, '40fa00'],
    },
    {
      name: 'duplicate ORIGIN → the second is discarded',
      bytes: () => update({ attrs: MANDATORY + attr(0x40, 1, '02'), nlri: NLRI_10_1_2 }),
      action: AD,
      check: (r) => expect(updateOf(r).attrs.origin).toBe(0),
    },
    {
      name: 'duplicate MP_REACH_NLRI → session reset (Malformed Attribute List)',
      bytes: () => {
        const mp = attr(0x90, 14, '0002 01 10 20010db8000000000000000000000001 00 30 20010db80001');
        return update({ attrs: ORIGIN_IGP + AS_PATH_65001 + mp + mp });
      },
      action: SR,
      notify: [3, 1, ''],
    },
    {
      name: 'duplicate MP_UNREACH_NLRI → session reset (Malformed Attribute List)',
      bytes: () => update({ attrs: attr(0x90, 15, '000201') + attr(0x90, 15, '000201') }),
      action: SR,
      notify: [3, 1],
    },
    {
      name: 'Extended Length on a 4-byte MED → accepted',
      bytes: () => update({ attrs: MANDATORY + attr(0x90, 4, '00000005'), nlri: NLRI_10_1_2 }),
      action: NONE,
      check: (r) => expect(updateOf(r).attrs.med).toBe(5),
    },
    {
      name: 'Partial bit on well-known ORIGIN → accepted and logged',
      bytes: () => update({ attrs: attr(0x60, 1, '00') + AS_PATH_65001 + NEXT_HOP_192_0_2_1, nlri: NLRI_10_1_2 }),
      action: NONE,
      check: (r) => expect(r.problems).toHaveLength(1),
    },
  ];
  for (const c of cases) run(c);
});

/** UPDATE announcing 10.1.2.0/24 with the mandatory attributes except those in `skip`, plus `extra`. */
function withAttr(extra: string, skip: number[] = []): Buffer {
  const base = [
    [1, ORIGIN_IGP],
    [2, AS_PATH_65001],
    [3, NEXT_HOP_192_0_2_1],
  ] as const;
  return update({ attrs: base.filter(([t]) => !skip.includes(t)).map(([, h]) => h).join('') + extra, nlri: NLRI_10_1_2 });
}

describe('bgp.md §6.3 (5) — per-attribute', () => {
  const cases: Case[] = [
    { name: 'ORIGIN value 3 → treat-as-withdraw', bytes: () => withAttr(attr(0x40, 1, '03'), [1]), action: TAW, check: keepsNlri },
    { name: 'ORIGIN length 2 → treat-as-withdraw', bytes: () => withAttr(attr(0x40, 1, '0000'), [1]), action: TAW },
    { name: 'AS_PATH segment longer than the attribute → treat-as-withdraw', bytes: () => withAttr(attr(0x40, 2, '0203 0000fde9'), [2]), action: TAW },
    { name: 'AS_PATH with a single trailing byte → treat-as-withdraw', bytes: () => withAttr(attr(0x40, 2, '0201 0000fde9 02'), [2]), action: TAW },
    { name: 'AS_PATH segment type 0 → treat-as-withdraw', bytes: () => withAttr(attr(0x40, 2, '0001 0000fde9'), [2]), action: TAW },
    { name: 'AS_PATH segment type 5 → treat-as-withdraw', bytes: () => withAttr(attr(0x40, 2, '0501 0000fde9'), [2]), action: TAW },
    { name: 'AS_PATH zero-length segment → treat-as-withdraw', bytes: () => withAttr(attr(0x40, 2, '0200'), [2]), action: TAW },
    { name: 'AS_PATH empty from an iBGP peer → accepted', bytes: () => withAttr(attr(0x40, 5, '00000064') + attr(0x40, 2, ''), [2]), ctx: IBGP4, action: NONE },
    {
      name: 'AS_PATH with AS_SET → treat-as-withdraw (RFC 9774)',
      bytes: () => withAttr(attr(0x40, 2, '0201 0000fde9 0102 0000fdea 0000fdeb'), [2]),
      action: TAW,
      check: (r) => expect(updateOf(r).attrs.asPath?.[1]).toEqual({ type: AsPathSegmentType.AS_SET, asns: [65002, 65003] }),
    },
    {
      name: 'AS_PATH with AS_SET accepted when the peer is configured to allow it',
      bytes: () => withAttr(attr(0x40, 2, '0201 0000fde9 0102 0000fdea 0000fdeb'), [2]),
      ctx: { ...EBGP4, acceptAsSet: true },
      action: NONE,
    },
    {
      name: 'AS_PATH with AS_CONFED_SET → treat-as-withdraw (RFC 9774)',
      bytes: () => withAttr(attr(0x40, 2, '0401 0000fe4c 0201 0000fde9'), [2]),
      action: TAW,
    },
    {
      name: 'AS_PATH with a confederation segment from an eBGP peer outside the confederation → treat-as-withdraw (RFC 5065 §5)',
      bytes: () => withAttr(attr(0x40, 2, '0301 0000fe4c 0201 0000fde9'), [2]),
      action: TAW,
    },
    {
      name: 'AS_PATH with a confederation segment from a confederation eBGP peer → accepted',
      bytes: () => withAttr(attr(0x40, 2, '0301 0000fe4c 0201 0000fde9'), [2]),
      ctx: { ...EBGP4, confederationPeer: true },
      action: NONE,
    },
    {
      name: 'AS_PATH of 4-byte ASNs on a 2-octet session → treat-as-withdraw',
      bytes: () => withAttr(attr(0x40, 2, '0202 0000fde9 0000fdea'), [2]),
      ctx: EBGP2,
      action: TAW,
    },
    { name: 'NEXT_HOP length 5 → treat-as-withdraw', bytes: () => withAttr(attr(0x40, 3, 'c000020100'), [3]), action: TAW },
    { name: 'NEXT_HOP 0.0.0.0 → treat-as-withdraw', bytes: () => withAttr(attr(0x40, 3, '00000000'), [3]), action: TAW },
    { name: 'NEXT_HOP 127.0.0.1 → treat-as-withdraw', bytes: () => withAttr(attr(0x40, 3, '7f000001'), [3]), action: TAW },
    { name: 'NEXT_HOP multicast 224.0.0.5 → treat-as-withdraw', bytes: () => withAttr(attr(0x40, 3, 'e0000005'), [3]), action: TAW },
    { name: 'MED length 3 → treat-as-withdraw', bytes: () => withAttr(attr(0x80, 4, '000001')), action: TAW },
    { name: 'LOCAL_PREF length 3 on iBGP → treat-as-withdraw', bytes: () => withAttr(attr(0x40, 5, '000064')), ctx: IBGP4, action: TAW },
    {
      name: 'LOCAL_PREF from an eBGP peer → discarded',
      bytes: () => withAttr(attr(0x40, 5, '00000064')),
      action: AD,
      check: (r) => expect(updateOf(r).attrs.localPref).toBeUndefined(),
    },
    {
      name: 'LOCAL_PREF missing on iBGP → accepted, logged (default applies)',
      bytes: () => withAttr(''),
      ctx: IBGP4,
      action: NONE,
      check: (r) => expect(r.problems[0].attrType).toBe(5),
    },
    { name: 'ATOMIC_AGGREGATE length 1 → attribute discard', bytes: () => withAttr(attr(0x40, 6, '00')), action: AD },
    { name: 'AGGREGATOR length 7 on a 4-octet session → attribute discard', bytes: () => withAttr(attr(0xc0, 7, '0000fde90a0000')), action: AD },
    {
      name: 'AGGREGATOR length 8 on a 2-octet session → attribute discard',
      bytes: () => update({ attrs: ORIGIN_IGP + attr(0x40, 2, '0201fde9') + NEXT_HOP_192_0_2_1 + attr(0xc0, 7, '0000fde90a000001'), nlri: NLRI_10_1_2 }),
      ctx: EBGP2,
      action: AD,
    },
    { name: 'COMMUNITIES length 6 → treat-as-withdraw', bytes: () => withAttr(attr(0xc0, 8, 'ffffff01ffff')), action: TAW },
    { name: 'COMMUNITIES length 0 → treat-as-withdraw', bytes: () => withAttr(attr(0xc0, 8, '')), action: TAW },
    {
      name: 'ORIGINATOR_ID from an eBGP peer → discarded',
      bytes: () => withAttr(attr(0x80, 9, '0a000001')),
      action: AD,
      check: (r) => expect(updateOf(r).attrs.originatorId).toBeUndefined(),
    },
    { name: 'ORIGINATOR_ID length 5 → treat-as-withdraw', bytes: () => withAttr(attr(0x80, 9, '0a00000100')), ctx: IBGP4, action: TAW },
    { name: 'CLUSTER_LIST from an eBGP peer → discarded', bytes: () => withAttr(attr(0x80, 10, '0a000001')), action: AD },
    { name: 'CLUSTER_LIST length 6 → treat-as-withdraw', bytes: () => withAttr(attr(0x80, 10, '0a0000010a00')), ctx: IBGP4, action: TAW },
    {
      name: 'AS4_PATH longer than AS_PATH → AS4_PATH ignored',
      bytes: () => update({ attrs: ORIGIN_IGP + attr(0x40, 2, '0201 5ba0') + NEXT_HOP_192_0_2_1 + attr(0xc0, 17, '0202 fa56ea00 fa56ea01'), nlri: NLRI_10_1_2 }),
      ctx: EBGP2,
      action: AD,
      check: (r) => expect(updateOf(r).attrs.asPath).toEqual([{ type: 2, asns: [23456] }]),
    },
    {
      name: 'AS4_PATH with a confederation segment → AS4_PATH discarded',
      bytes: () => update({ attrs: ORIGIN_IGP + attr(0x40, 2, '0201 5ba0') + NEXT_HOP_192_0_2_1 + attr(0xc0, 17, '0301 fa56ea00'), nlri: NLRI_10_1_2 }),
      ctx: EBGP2,
      action: AD,
    },
    { name: 'AS4_PATH on a 4-octet session → discarded (RFC 6793 §4.1)', bytes: () => withAttr(attr(0xc0, 17, '0201 fa56ea00')), action: AD },
    {
      name: 'AS4_AGGREGATOR length 6 → discarded',
      bytes: () => update({ attrs: ORIGIN_IGP + attr(0x40, 2, '0201fde9') + NEXT_HOP_192_0_2_1 + attr(0xc0, 18, 'fa56ea000a00'), nlri: NLRI_10_1_2 }),
      ctx: EBGP2,
      action: AD,
    },
    { name: 'LARGE_COMMUNITY length 13 → treat-as-withdraw', bytes: () => withAttr(attr(0xc0, 32, '00'.repeat(13))), action: TAW },
    { name: 'EXTENDED_COMMUNITIES length 9 → treat-as-withdraw', bytes: () => withAttr(attr(0xc0, 16, '00'.repeat(9))), action: TAW },
    { name: 'OTC length 3 → treat-as-withdraw (RFC 9234 §5)', bytes: () => withAttr(attr(0xc0, 35, '00fde9')), action: TAW },
    { name: 'AIGP TLV length below 3 → attribute discard', bytes: () => withAttr(attr(0x80, 26, '01 0002 00')), action: AD },
    { name: 'Tunnel-Encap TLV length past the attribute → treat-as-withdraw', bytes: () => withAttr(attr(0xc0, 23, '0008 0100')), action: TAW },
    { name: 'Prefix-SID label-index TLV past the attribute → treat-as-withdraw', bytes: () => withAttr(attr(0xc0, 40, '01 0007 0000')), action: TAW },
    { name: 'PMSI tunnel shorter than 5 bytes → attribute discard', bytes: () => withAttr(attr(0xc0, 22, '000600')), action: AD },
    {
      name: 'unknown optional non-transitive attribute → dropped silently',
      bytes: () => withAttr(attr(0x80, 99, 'aa')),
      action: NONE,
      check: (r) => expect(updateOf(r).attrs.unknown).toBeUndefined(),
    },
  ];
  for (const c of cases) run(c);
});

describe('bgp.md §6.3 (6) — MP_REACH / MP_UNREACH', () => {
  const V6NH = '20010db8000000000000000000000001';
  const cases: Case[] = [
    {
      name: 'MP_REACH with an unknown AFI/SAFI → attribute discarded',
      bytes: () => withAttr(attr(0x90, 14, '0019 46 04 c0000201 00')),
      action: AD,
    },
    {
      name: 'MP_REACH next hop length 5 for IPv6 → AFI/SAFI disable',
      bytes: () => update({ attrs: ORIGIN_IGP + AS_PATH_65001 + attr(0x90, 14, '0002 01 05 0000000000 00 30 20010db80001') }),
      action: AFD,
      notify: [3, 9],
    },
    {
      name: 'MP_REACH reserved byte not 0 → ignored (RFC 4760 §3)',
      bytes: () => update({ attrs: ORIGIN_IGP + AS_PATH_65001 + attr(0x90, 14, `0002 01 10 ${V6NH} 07 30 20010db80001`) }),
      action: NONE,
      check: (r) => expect(updateOf(r).mpReach?.nlri).toHaveLength(1),
    },
    {
      name: 'MP_REACH NLRI overrun → AFI/SAFI disable',
      bytes: () => update({ attrs: ORIGIN_IGP + AS_PATH_65001 + attr(0x90, 14, `0002 01 10 ${V6NH} 00 30 20010db8`) }),
      action: AFD,
    },
    { name: 'MP_UNREACH NLRI overrun → AFI/SAFI disable', bytes: () => update({ attrs: attr(0x90, 15, '0002 01 40 2001') }), action: AFD },
    { name: 'MP_UNREACH shorter than 3 bytes → AFI/SAFI disable', bytes: () => update({ attrs: attr(0x90, 15, '0002') }), action: AFD },
    {
      name: 'MP_REACH and classic NLRI in one UPDATE → both used',
      bytes: () => withAttr(attr(0x90, 14, `0002 01 10 ${V6NH} 00 30 20010db80001`)),
      action: NONE,
      check: (r) => {
        keepsNlri(r);
        expect(updateOf(r).mpReach?.nlri).toHaveLength(1);
      },
    },
    {
      name: 'MP_REACH only: NEXT_HOP is not required',
      bytes: () => update({ attrs: ORIGIN_IGP + AS_PATH_65001 + attr(0x90, 14, `0002 01 10 ${V6NH} 00 30 20010db80001`) }),
      action: NONE,
    },
    {
      name: 'MP_REACH only, with a NEXT_HOP of 0.0.0.0 → NEXT_HOP ignored, MP routes kept (RFC 4760 §3)',
      bytes: () => update({ attrs: ORIGIN_IGP + AS_PATH_65001 + attr(0x40, 3, '00000000') + attr(0x90, 14, `0002 01 10 ${V6NH} 00 30 20010db80001`) }),
      action: AD,
      check: (r) => expect(updateOf(r).mpReach?.nlri).toHaveLength(1),
    },
    {
      name: 'MP_REACH only, without ORIGIN → treat-as-withdraw',
      bytes: () => update({ attrs: AS_PATH_65001 + attr(0x90, 14, `0002 01 10 ${V6NH} 00 30 20010db80001`) }),
      action: TAW,
    },
    {
      name: 'End-of-RIB form with garbage attributes → treat-as-withdraw, not mistaken for routes',
      bytes: () => update({ attrs: attr(0x90, 15, '000201') + attr(0xc0, 8, 'ff') }),
      action: TAW,
    },
  ];
  for (const c of cases) run(c);
});

describe('totality guard', () => {
  it('a fault inside the decoder becomes a session reset with the message type’s error code, not an exception', () => {
    const ctx = {
      as4: true,
      ibgp: false,
      get extendedMessage(): boolean {
        throw new Error('boom');
      },
    } as CodecContext;
    let r: DecodeResult | undefined;
    expect(() => {
      r = decode(update({ attrs: MANDATORY, nlri: NLRI_10_1_2 }), ctx);
    }).not.toThrow();
    expect(r?.ok).toBe(false);
    expect(r && !r.ok && r.notification.code).toBe(ErrCode.UPDATE_MESSAGE);
    expect(r?.problems[0].reason).toBe('internal decoder error: boom');
  });
});
