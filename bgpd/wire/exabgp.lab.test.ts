// Cross-check with an independent decoder: ExaBGP 4.2 (`exabgp --decode HEX`) must read the
// UPDATEs we encode as the same routes and attributes. Needs the exabgp binary (Debian package),
// no root and no network: ExaBGP only parses the hex given on its command line.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { Afi, AsPathSegmentType, MsgType, Safi } from './types';
import type { CodecContext, UpdateMessage } from './types';
import { encodeMessage } from './message';
import { formatPrefix, prefixKeyFromAddress } from './prefix';
import { formatIPv4, formatIPv6 } from './addr';

const hasExabgp = spawnSync('sh', ['-c', 'command -v exabgp']).status === 0;
const CTX: CodecContext = { as4: true, extendedMessage: false, ibgp: true };

const u32 = fc.integer({ min: 0, max: 0xffffffff });
const v4 = fc.tuple(fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.integer({ min: 1, max: 32 })).map(([a, l]) => prefixKeyFromAddress(a, l));
const v6 = fc.tuple(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.integer({ min: 1, max: 128 })).map(([a, l]) => prefixKeyFromAddress(a, l));
const nh4 = fc.tuple(fc.integer({ min: 1, max: 223 }).filter((x) => x !== 127), fc.uint8Array({ minLength: 3, maxLength: 3 })).map(([a, r]) => formatIPv4(Uint8Array.of(a, ...r)));
const nh6 = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => formatIPv6(Uint8Array.of(0x20, 0x01, ...b.subarray(2))));

const updateArb: fc.Arbitrary<UpdateMessage> = fc
  .record({
    withdrawn: fc.array(v4, { maxLength: 3 }),
    nlri: fc.array(v4, { minLength: 1, maxLength: 6 }),
    v6: fc.option(fc.record({ nh: nh6, nlri: fc.array(v6, { minLength: 1, maxLength: 3 }) })),
    unreach: fc.array(v6, { maxLength: 3 }),
    origin: fc.constantFrom(0, 1, 2),
    asns: fc.array(fc.integer({ min: 1, max: 0xffffffff }), { minLength: 1, maxLength: 5 }),
    nextHop: nh4,
    med: fc.option(u32),
    localPref: fc.option(u32),
    communities: fc.option(fc.array(u32, { minLength: 1, maxLength: 4 })),
    large: fc.option(fc.array(fc.record({ global: u32, local1: u32, local2: u32 }), { minLength: 1, maxLength: 3 })),
  })
  .map((r) => {
    const m: UpdateMessage = {
      type: MsgType.UPDATE,
      withdrawn: r.withdrawn,
      nlri: r.nlri,
      attrs: { origin: r.origin, asPath: [{ type: AsPathSegmentType.AS_SEQUENCE, asns: r.asns }], nextHop: r.nextHop },
    };
    if (r.med !== null) m.attrs.med = r.med;
    if (r.localPref !== null) m.attrs.localPref = r.localPref;
    if (r.communities) m.attrs.communities = r.communities;
    if (r.large) m.attrs.largeCommunities = r.large;
    if (r.v6) m.mpReach = { afi: Afi.IPv6, safi: Safi.Unicast, nextHops: [r.v6.nh], nlri: r.v6.nlri };
    if (r.unreach.length) m.mpUnreach = { afi: Afi.IPv6, safi: Safi.Unicast, withdrawn: r.unreach };
    return m;
  });

interface ExaUpdate {
  attribute?: Record<string, unknown>;
  announce?: Record<string, Record<string, { nlri: string }[]>>;
  withdraw?: Record<string, { nlri: string }[]>;
}

/** What ExaBGP should report for `m`, in its JSON vocabulary. */
function expected(m: UpdateMessage): ExaUpdate {
  const a = m.attrs;
  const attribute: Record<string, unknown> = {
    origin: ['igp', 'egp', 'incomplete'][a.origin ?? 0],
    'as-path': a.asPath?.[0].asns,
    'confederation-path': [],
  };
  if (a.med !== undefined) attribute.med = a.med;
  if (a.localPref !== undefined) attribute['local-preference'] = a.localPref;
  if (a.communities) attribute.community = a.communities.map((c) => [c >>> 16, c & 0xffff]);
  if (a.largeCommunities) attribute['large-community'] = a.largeCommunities.map((l) => [l.global, l.local1, l.local2]);
  const announce: ExaUpdate['announce'] = { 'ipv4 unicast': { [a.nextHop as string]: m.nlri.map((k) => ({ nlri: formatPrefix(Afi.IPv4, k) })) } };
  if (m.mpReach) announce['ipv6 unicast'] = { [m.mpReach.nextHops[0]]: m.mpReach.nlri.map((k) => ({ nlri: formatPrefix(Afi.IPv6, k) })) };
  const out: ExaUpdate = { attribute, announce };
  const withdraw: NonNullable<ExaUpdate['withdraw']> = {};
  if (m.withdrawn.length) withdraw['ipv4 unicast'] = m.withdrawn.map((k) => ({ nlri: formatPrefix(Afi.IPv4, k) }));
  if (m.mpUnreach) withdraw['ipv6 unicast'] = m.mpUnreach.withdrawn.map((k) => ({ nlri: formatPrefix(Afi.IPv6, k) }));
  if (Object.keys(withdraw).length) out.withdraw = withdraw;
  return out;
}

/** ExaBGP merges duplicate NLRI per next hop; compare as sorted sets of strings. */
function normalise(u: ExaUpdate): unknown {
  const sortNlri = (l: { nlri: string }[]): string[] => [...new Set(l.map((x) => x.nlri))].sort();
  return {
    attribute: u.attribute,
    announce: Object.fromEntries(
      Object.entries(u.announce ?? {}).map(([fam, byNh]) => [fam, Object.fromEntries(Object.entries(byNh).map(([nh, l]) => [nh, sortNlri(l)]))]),
    ),
    withdraw: Object.fromEntries(Object.entries(u.withdraw ?? {}).map(([fam, l]) => [fam, sortNlri(l)])),
  };
}

describe.skipIf(!hasExabgp)('ExaBGP decodes what we encode', () => {
  it('60 random UPDATEs (IPv4 + IPv6 MP, withdrawals, communities, large communities, 4-octet ASNs)', () => {
    const msgs = fc.sample(updateArb, { seed: 4271, numRuns: 60 });
    const dir = mkdtempSync(join(tmpdir(), 'tortie-wire-exa-'));
    try {
      const conf = join(dir, 'exabgp.conf');
      writeFileSync(
        conf,
        `neighbor 198.18.0.2 { router-id 198.18.0.1; local-address 198.18.0.1; local-as 65000; peer-as 65000;
           family { ipv4 unicast; ipv6 unicast; } capability { asn4 enable; } }\n`,
      );
      // ExaBGP 4.2.21 reads the length of a --decode message as (byte16 << 16) + byte17, so a
      // message of 256 bytes or more swallows everything after it. Each invocation therefore ends
      // at the first such message (the last one still parses: it simply takes the rest).
      const batches: string[][] = [[]];
      for (const m of msgs) {
        const b = encodeMessage(m, CTX);
        batches[batches.length - 1].push(b.toString('hex'));
        if (b.length >= 256) batches.push([]);
      }
      let out = '';
      let stderr = '';
      for (const batch of batches.filter((x) => x.length > 0)) {
        const run = spawnSync('exabgp', [...batch.flatMap((h) => ['--decode', h]), conf], {
          cwd: dir,
          env: { ...process.env, 'exabgp.log.destination': 'stdout', 'exabgp.daemon.user': 'root', 'exabgp.api.cli': 'false' },
          encoding: 'utf8',
          timeout: 60_000,
        });
        out += run.stdout;
        stderr += run.stderr;
      }
      // ExaBGP logs a parse failure and stops; keep its complaints for the assertion message.
      const complaints = out.split('\n').filter((l) => /error|could not|problem/i.test(l) && !l.includes('update json'));
      const decoded = out
        .split('\n')
        .filter((l) => l.includes('update json'))
        .map((l) => (JSON.parse(l.slice(l.indexOf("{"))) as { neighbor: { message: { update: ExaUpdate } } }).neighbor.message.update);
      expect(decoded, `${complaints.slice(0, 5).join(' | ')} ${stderr.slice(0, 500)}`).toHaveLength(msgs.length);
      decoded.forEach((d, i) => expect(normalise(d), `message ${i}`).toEqual(normalise(expected(msgs[i]))));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
