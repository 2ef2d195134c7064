// Property and fuzz tests: round trips of random valid messages, and random / mutated bytes that
// must never make the decoder throw and must always yield exactly one action.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { Afi, AsPathSegmentType, ErrorAction, MsgType, Safi } from './types';
import type {
  AsPathSegment,
  BgpMessage,
  Capabilities,
  CodecContext,
  DecodeResult,
  PathAttributes,
  PrefixKey,
  UpdateMessage,
} from './types';
import { decodeMessage, encodeMessage } from './message';
import { MessageReader } from './reader';
import { formatIPv4, formatIPv6 } from './addr';
import { prefixKeyFromAddress } from './prefix';

/** WIRE_FUZZ_SCALE=50 npx vitest run bgpd/wire/fuzz.test.ts for a long hunt; 1 in CI. */
const SCALE = Number(process.env.WIRE_FUZZ_SCALE ?? 1);
const runs = (n: number): { numRuns: number } => ({ numRuns: Math.round(n * SCALE) });

const u32 = fc.integer({ min: 0, max: 0xffffffff });
const bytes = (min: number, max: number): fc.Arbitrary<Uint8Array> => fc.uint8Array({ minLength: min, maxLength: max });

const ipv4 = bytes(4, 4).map((b) => formatIPv4(b));
/** A NEXT_HOP the decoder accepts: not 0/8, 127/8 or 224/4 and above. */
const unicastV4 = fc
  .tuple(fc.integer({ min: 1, max: 223 }).filter((x) => x !== 127), bytes(3, 3))
  .map(([a, r]) => formatIPv4(Uint8Array.of(a, r[0], r[1], r[2])));
const nonZeroV4 = ipv4.filter((s) => s !== '0.0.0.0');
const ipv6 = bytes(16, 16).map((b) => formatIPv6(b));

function prefixArb(afi: Afi): fc.Arbitrary<PrefixKey> {
  const max = afi === Afi.IPv6 ? 128 : 32;
  return fc.tuple(bytes(max / 8, max / 8), fc.integer({ min: 0, max })).map(([a, len]) => prefixKeyFromAddress(a, len));
}

const ctxArb: fc.Arbitrary<CodecContext> = fc.record({
  as4: fc.boolean(),
  extendedMessage: fc.constant(true),
  ibgp: fc.boolean(),
  extendedNextHop: fc.constantFrom([], [{ afi: Afi.IPv4, safi: Safi.Unicast, nextHopAfi: Afi.IPv6 }]),
  acceptAsSet: fc.boolean(),
  confederationPeer: fc.constant(true),
});

function segment(types: AsPathSegmentType[], asn: fc.Arbitrary<number>): fc.Arbitrary<AsPathSegment> {
  // Up to 40 ASNs: a sequence of exactly 255 followed by another sequence would legitimately be
  // joined on decode (see decodeAsPath), which is covered by the example tests instead.
  return fc.record({ type: fc.constantFrom(...types), asns: fc.array(asn, { minLength: 1, maxLength: 40 }) });
}

function asPathArb(as4: boolean, ibgp: boolean): fc.Arbitrary<AsPathSegment[]> {
  // Confederation segments lead the path (RFC 5065 §4); on 2-octet sessions they must fit 2 bytes
  // because AS4_PATH does not carry them.
  const confedAsn = as4 ? u32.filter((x) => x > 0) : fc.integer({ min: 1, max: 0xffff });
  return fc
    .tuple(
      fc.array(segment([AsPathSegmentType.AS_CONFED_SEQUENCE, AsPathSegmentType.AS_CONFED_SET], confedAsn), { maxLength: 2 }),
      // An empty AS_PATH from an eBGP peer is malformed (and tested as such elsewhere).
      fc.array(segment([AsPathSegmentType.AS_SEQUENCE, AsPathSegmentType.AS_SET], u32.filter((x) => x > 0)), {
        minLength: ibgp ? 0 : 1,
        maxLength: 4,
      }),
    )
    .map(([c, s]) => [...c, ...s]);
}

function attrsArb(ctx: CodecContext): fc.Arbitrary<PathAttributes> {
  return fc.record(
    {
      origin: fc.constantFrom(0, 1, 2),
      asPath: asPathArb(ctx.as4, ctx.ibgp),
      nextHop: unicastV4,
      med: u32,
      ...(ctx.ibgp ? { localPref: u32, originatorId: ipv4, clusterList: fc.array(ipv4, { minLength: 1, maxLength: 4 }) } : {}),
      atomicAggregate: fc.constant(true),
      aggregator: fc.record({ asn: u32, address: ipv4 }),
      communities: fc.array(u32, { minLength: 1, maxLength: 8 }),
      extCommunities: fc.array(bytes(8, 8), { minLength: 1, maxLength: 3 }),
      largeCommunities: fc.array(fc.record({ global: u32, local1: u32, local2: u32 }), { minLength: 1, maxLength: 3 }),
      unknown: fc
        .uniqueArray(fc.record({ flags: fc.constant(0xe0), type: fc.integer({ min: 100, max: 250 }), value: bytes(0, 300) }), {
          minLength: 1,
          maxLength: 3,
          selector: (u) => u.type,
        })
        .map((us) => us.sort((a, b) => a.type - b.type)),
    },
    { requiredKeys: [] },
  ) as fc.Arbitrary<PathAttributes>;
}

function updateArb(ctx: CodecContext): fc.Arbitrary<UpdateMessage> {
  const v4 = prefixArb(Afi.IPv4);
  const v6 = prefixArb(Afi.IPv6);
  const reachV6 = fc.record({
    afi: fc.constant(Afi.IPv6),
    safi: fc.constant(Safi.Unicast),
    nextHops: fc.oneof(fc.tuple(ipv6), fc.tuple(ipv6, ipv6)),
    nlri: fc.array(v6, { maxLength: 20 }),
  });
  const reachV4 = (ctx.extendedNextHop ?? []).length
    ? fc.record({ afi: fc.constant(Afi.IPv4), safi: fc.constant(Safi.Unicast), nextHops: fc.tuple(ipv6), nlri: fc.array(v4, { maxLength: 20 }) })
    : reachV6;
  return fc
    .record(
      {
        withdrawn: fc.array(v4, { maxLength: 20 }),
        attrs: attrsArb(ctx),
        nlri: fc.array(v4, { maxLength: 20 }),
        mpReach: fc.oneof(reachV6, reachV4),
        mpUnreach: fc.record({ afi: fc.constant(Afi.IPv6), safi: fc.constant(Safi.Unicast), withdrawn: fc.array(v6, { maxLength: 20 }) }),
      },
      { requiredKeys: ['withdrawn', 'attrs', 'nlri'] },
    )
    .map((u) => ({ type: MsgType.UPDATE, ...u }) as UpdateMessage);
}

const knownCapCodes = new Set([1, 2, 5, 6, 9, 64, 65, 69, 70, 71, 73, 75]);
const family = fc.constantFrom({ afi: Afi.IPv4, safi: Safi.Unicast }, { afi: Afi.IPv6, safi: Safi.Unicast });
const capsArb: fc.Arbitrary<Capabilities> = fc.record(
  {
    multiprotocol: fc.uniqueArray(family, { selector: (f) => f.afi, maxLength: 2 }),
    routeRefresh: fc.boolean(),
    enhancedRouteRefresh: fc.boolean(),
    extendedMessage: fc.boolean(),
    extendedNextHop: fc.array(
      fc.record({ afi: fc.constantFrom(Afi.IPv4, Afi.IPv6), safi: fc.constant(Safi.Unicast), nextHopAfi: fc.constantFrom(Afi.IPv4, Afi.IPv6) }),
      { maxLength: 3 },
    ),
    gracefulRestart: fc.record({
      restartState: fc.boolean(),
      notification: fc.boolean(),
      restartTime: fc.integer({ min: 0, max: 4095 }),
      families: fc.array(fc.record({ afi: fc.constantFrom(Afi.IPv4, Afi.IPv6), safi: fc.constant(Safi.Unicast), forwardingPreserved: fc.boolean() }), {
        maxLength: 2,
      }),
    }),
    fourOctetAs: fc.integer({ min: 1, max: 0xffffffff }),
    unknown: fc.array(fc.record({ code: fc.integer({ min: 0, max: 255 }).filter((c) => !knownCapCodes.has(c)), value: bytes(0, 255) }), {
      maxLength: 6,
    }),
  },
  { requiredKeys: ['multiprotocol', 'routeRefresh', 'enhancedRouteRefresh', 'extendedMessage', 'extendedNextHop', 'unknown'] },
);

const openArb = fc.record({
  type: fc.constant(MsgType.OPEN),
  version: fc.constant(4),
  myAs: fc.integer({ min: 1, max: 0xffff }).filter((a) => a !== 23456),
  holdTime: fc.oneof(fc.constant(0), fc.integer({ min: 3, max: 0xffff })),
  routerId: nonZeroV4,
  capabilities: capsArb,
});

const otherArb: fc.Arbitrary<BgpMessage> = fc.oneof(
  openArb,
  fc.record({ type: fc.constant(MsgType.NOTIFICATION), code: fc.integer({ min: 0, max: 255 }), subcode: fc.integer({ min: 0, max: 255 }), data: bytes(0, 100) }),
  fc.constant({ type: MsgType.KEEPALIVE } as BgpMessage),
  fc.record({ type: fc.constant(MsgType.ROUTE_REFRESH), afi: fc.constantFrom(Afi.IPv4, Afi.IPv6), subtype: fc.integer({ min: 0, max: 2 }), safi: fc.constant(Safi.Unicast) }),
) as fc.Arbitrary<BgpMessage>;

const msgWithCtx: fc.Arbitrary<[CodecContext, BgpMessage]> = ctxArb.chain((ctx) =>
  fc.tuple(fc.constant(ctx), fc.oneof({ weight: 3, arbitrary: updateArb(ctx) as fc.Arbitrary<BgpMessage> }, { weight: 1, arbitrary: otherArb })),
);

function checkTotal(r: DecodeResult): void {
  expect([ErrorAction.NONE, ErrorAction.ATTRIBUTE_DISCARD, ErrorAction.TREAT_AS_WITHDRAW, ErrorAction.AFISAFI_DISABLE, ErrorAction.SESSION_RESET]).toContain(
    r.action,
  );
  expect(r.ok).toBe(r.action <= ErrorAction.TREAT_AS_WITHDRAW);
  if (r.ok) expect(r.msg).toBeDefined();
  else expect(r.notification.code).toBeGreaterThan(0);
  for (const p of r.problems) {
    expect(p.reason).not.toMatch(/^internal decoder error/);
    expect(p.action).toBeLessThanOrEqual(r.action);
    expect(p.hex.length).toBeLessThanOrEqual(129);
  }
}

describe('round trips of random valid messages', () => {
  it('decode(encode(m)) deep-equals m', () => {
    fc.assert(
      fc.property(msgWithCtx, ([ctx, m]) => {
        const b = encodeMessage(m, ctx);
        const r = decodeMessage(b, ctx);
        expect(r.ok, JSON.stringify(r.problems)).toBe(true);
        expect(r.msg).toEqual(m);
      }),
      runs(400),
    );
  });

  it('encode(decode(bytes)) equals the canonical bytes', () => {
    fc.assert(
      fc.property(msgWithCtx, ([ctx, m]) => {
        const b = encodeMessage(m, ctx);
        const r = decodeMessage(b, ctx);
        expect(r.msg).toBeDefined();
        expect(encodeMessage(r.msg as BgpMessage, ctx).toString('hex')).toBe(b.toString('hex'));
      }),
      runs(400),
    );
  });

  it('a stream of messages cut at random points frames back to the same messages', () => {
    fc.assert(
      fc.property(
        ctxArb.chain((ctx) => fc.tuple(fc.constant(ctx), fc.array(updateArb(ctx), { minLength: 1, maxLength: 5 }), fc.array(fc.integer({ min: 1, max: 200 }), { minLength: 1 }))),
        ([ctx, msgs, cuts]) => {
          const wire = msgs.map((m) => encodeMessage(m, ctx));
          const all = Buffer.concat(wire);
          const reader = new MessageReader(() => ctx);
          const got: string[] = [];
          let pos = 0;
          for (let i = 0; pos < all.length; i++) {
            const n = cuts[i % cuts.length];
            reader.push(all.subarray(pos, pos + n));
            pos += n;
            for (let r = reader.next(); r; r = reader.next()) got.push(r.raw.toString('hex'));
          }
          expect(got).toEqual(wire.map((w) => w.toString('hex')));
        },
      ),
      runs(100),
    );
  });
});

describe('robustness', () => {
  const ctxs: CodecContext[] = [
    { as4: true, extendedMessage: false, ibgp: false },
    { as4: false, extendedMessage: true, ibgp: true, extendedNextHop: [{ afi: Afi.IPv4, safi: Safi.Unicast, nextHopAfi: Afi.IPv6 }] },
  ];

  it('random bytes behind a valid header never throw and give exactly one action', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), bytes(0, 300), fc.constantFrom(...ctxs), (type, body, ctx) => {
        const b = Buffer.alloc(19 + body.length, 0xff);
        b.writeUInt16BE(19 + body.length, 16);
        b[18] = type;
        b.set(body, 19);
        checkTotal(decodeMessage(b, ctx));
      }),
      runs(3000),
    );
  });

  it('fully random byte strings never throw', () => {
    fc.assert(
      fc.property(bytes(0, 100), fc.constantFrom(...ctxs), (b, ctx) => checkTotal(decodeMessage(Buffer.from(b), ctx))),
      runs(1000),
    );
  });

  it('mutated valid messages (byte flips, truncation, insertion) never throw', () => {
    const mutation = fc.record({
      flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
      cut: fc.option(fc.nat()),
      insert: fc.option(fc.tuple(fc.nat(), bytes(1, 8))),
      fixLength: fc.boolean(),
    });
    fc.assert(
      fc.property(msgWithCtx, mutation, ([ctx, m], mu) => {
        let b = Buffer.from(encodeMessage(m, ctx));
        // Keep the marker intact so that mutations reach the body decoders.
        for (const [at, v] of mu.flips) if (b.length > 16) b[16 + (at % (b.length - 16))] = v;
        if (mu.insert) {
          const at = mu.insert[0] % (b.length + 1);
          b = Buffer.concat([b.subarray(0, at), Buffer.from(mu.insert[1]), b.subarray(at)]);
        }
        if (mu.cut !== null) b = b.subarray(0, mu.cut % (b.length + 1));
        if (mu.fixLength && b.length >= 19 && b.length <= 0xffff) b.writeUInt16BE(b.length, 16);
        checkTotal(decodeMessage(b, ctx));
      }),
      runs(3000),
    );
  });
});
