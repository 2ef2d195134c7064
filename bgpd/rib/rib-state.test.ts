import { describe, expect, it } from 'vitest';
import { Afi } from '../wire/types';
import type { UpdateMessage } from '../wire/types';
import { prefixKey } from './prefix-key';
import type { BestChange } from './types';
import { adjRibIn, adjRibOut, locRibRoutes, lookup, page } from './queries';
import { addUpPeer, LOCAL_AS, makeRib, P, run, sent, seq, T, upd } from './test-kit';

describe('multipath and the change feed', () => {
  it('reports the ECMP set (up to maxPaths) with the peer and router id of each next hop', () => {
    const rib = makeRib({ maxPaths: 2 });
    const a = addUpPeer(rib, { address: '198.18.1.2', remoteAs: 65100 }, '10.1.0.2');
    const b = addUpPeer(rib, { address: '198.18.2.2', remoteAs: 65100 }, '10.2.0.2');
    const c = addUpPeer(rib, { address: '198.18.3.2', remoteAs: 65100 }, '10.3.0.2');
    const changes: BestChange[][] = [];
    rib.onBestChange((ch) => changes.push(ch));
    rib.update(c, upd(['10.1.0.0/24'], { asPath: seq(65100), nextHop: '198.18.3.2' }));
    rib.update(b, upd(['10.1.0.0/24'], { asPath: seq(65100), nextHop: '198.18.2.2' }));
    rib.update(a, upd(['10.1.0.0/24'], { asPath: seq(65100), nextHop: '198.18.1.2' }));
    run(rib);
    expect(changes).toHaveLength(1); // batched: one call for the batch, one entry for the prefix
    expect(changes[0]).toEqual([{
      afi: Afi.IPv4,
      prefix: P('10.1.0.0/24'),
      best: {
        local: false,
        nextHops: [
          { address: '198.18.1.2', peer: '198.18.1.2', routerId: '10.1.0.2' },
          { address: '198.18.2.2', peer: '198.18.2.2', routerId: '10.2.0.2' },
        ],
      },
    }]);
    const v = lookup(rib, Afi.IPv4, P('10.1.0.0/24'));
    expect(v?.paths.map((p) => [p.peer, p.best, p.multipath])).toEqual([[a, true, true], [b, false, true], [c, false, false]]);
    rib.update(a, upd([], {}, ['10.1.0.0/24']));
    rib.update(b, upd([], {}, ['10.1.0.0/24']));
    rib.update(c, upd([], {}, ['10.1.0.0/24']));
    run(rib);
    expect(changes.at(-1)).toEqual([{ afi: Afi.IPv4, prefix: P('10.1.0.0/24'), best: null }]);
  });

  it('marks local routes as local and does not report attribute-identical re-announcements', () => {
    const rib = makeRib();
    const changes: BestChange[] = [];
    rib.onBestChange((ch) => changes.push(...ch));
    rib.originate(Afi.IPv4, P('10.9.0.0/26'));
    run(rib);
    rib.originate(Afi.IPv4, P('10.9.0.0/26'));
    run(rib);
    expect(changes).toEqual([{ afi: Afi.IPv4, prefix: P('10.9.0.0/26'), best: { local: true, nextHops: [{ address: '', peer: null, routerId: '192.0.2.1' }] } }]);
  });
});

describe('max-prefix', () => {
  it('reports once and stops accepting new prefixes, but still takes updates to known ones', () => {
    const rib = makeRib();
    const p = addUpPeer(rib, { address: '198.18.1.2', remoteAs: 65100, maxPrefix: 3 }, '10.1.0.2');
    const events: number[] = [];
    rib.onMaxPrefixExceeded((peer) => events.push(peer));
    rib.update(p, upd(['10.0.1.0/24', '10.0.2.0/24', '10.0.3.0/24', '10.0.4.0/24', '10.0.5.0/24'], { asPath: seq(65100) }));
    rib.update(p, upd(['10.0.1.0/24'], { asPath: seq(65100), med: 4 }));
    run(rib);
    expect(events).toEqual([p]);
    expect(rib.peerStats(p)).toMatchObject({ accepted: 3, maxPrefixExceeded: true });
    expect(lookup(rib, Afi.IPv4, P('10.0.4.0/24'))).toBeNull();
    expect(lookup(rib, Afi.IPv4, P('10.0.1.0/24'))?.paths[0].med).toBe(4);
  });
});

describe('graceful restart (RIB side)', () => {
  function setup() {
    const rib = makeRib();
    const g = addUpPeer(rib, { address: '198.18.1.2', remoteAs: 65100 }, '10.1.0.2');
    const watcher = addUpPeer(rib, { address: '198.18.0.2', remoteAs: LOCAL_AS }, '10.0.0.2');
    rib.update(g, upd(['10.1.0.0/24', '10.2.0.0/24', '10.3.0.0/24'], { asPath: seq(65100) }));
    run(rib);
    sent(rib);
    return { rib, g, watcher };
  }

  it('keeps stale routes best across the restart; EoR removes the ones not re-learned', () => {
    const { rib, g, watcher } = setup();
    const changes: BestChange[] = [];
    rib.onBestChange((ch) => changes.push(...ch));
    rib.peerDown(g, { graceful: true });
    run(rib);
    expect(lookup(rib, Afi.IPv4, P('10.1.0.0/24'))?.paths[0]).toMatchObject({ stale: true, best: true });
    expect(changes).toEqual([]);
    expect(sent(rib).get(watcher)).toBeUndefined();
    rib.peerUp(g, { routerId: '10.1.0.2', ctx: { as4: true, extendedMessage: false, ibgp: false }, families: [Afi.IPv4], localAddress: {} });
    rib.update(g, upd(['10.1.0.0/24'], { asPath: seq(65100) }));
    run(rib);
    expect(lookup(rib, Afi.IPv4, P('10.1.0.0/24'))?.paths[0].stale).toBe(false);
    expect(lookup(rib, Afi.IPv4, P('10.2.0.0/24'))?.paths[0].stale).toBe(true);
    rib.endOfRib(g, Afi.IPv4);
    run(rib);
    expect(lookup(rib, Afi.IPv4, P('10.1.0.0/24'))?.paths[0].best).toBe(true);
    expect(lookup(rib, Afi.IPv4, P('10.2.0.0/24'))).toBeNull();
    expect(lookup(rib, Afi.IPv4, P('10.3.0.0/24'))).toBeNull();
    const w = sent(rib).get(watcher) ?? [];
    expect(w.flatMap((u) => u.withdrawn.map(T)).sort()).toEqual(['10.2.0.0/24', '10.3.0.0/24']);
    expect(rib.peerStats(g)).toMatchObject({ received: 1, accepted: 1 });
  });

  it('the stale timer removes every remaining stale route; a plain down removes at once', () => {
    const { rib, g } = setup();
    rib.peerDown(g, { graceful: true });
    rib.staleTimeout(g);
    run(rib);
    expect([...locRibRoutes(rib, Afi.IPv4)]).toHaveLength(0);
    const again = setup();
    again.rib.peerDown(again.g);
    run(again.rib);
    expect([...locRibRoutes(again.rib, Afi.IPv4)]).toHaveLength(0);
    expect(again.rib.peerStats(again.g)).toMatchObject({ received: 0, accepted: 0 });
  });

  it('a down queued before a new session does not remove the new session\'s routes', () => {
    const { rib, g } = setup();
    rib.peerDown(g);
    rib.peerUp(g, { routerId: '10.1.0.2', ctx: { as4: true, extendedMessage: false, ibgp: false }, families: [Afi.IPv4], localAddress: {} });
    rib.update(g, upd(['10.1.0.0/24'], { asPath: seq(65100) }));
    run(rib, 1);
    expect([...locRibRoutes(rib, Afi.IPv4)].map((r) => T(r.prefix))).toEqual(['10.1.0.0/24']);
  });
});

describe('import policy and counters', () => {
  it('per-prefix import policy keeps rejected prefixes as filtered markers, counted as received', () => {
    const rib = makeRib();
    const p = addUpPeer(rib, {
      address: '198.18.1.2', remoteAs: 65100,
      importPolicy: { rules: [{ match: { prefixList: [{ prefix: '10.0.0.0/8', le: 24 }] }, action: 'accept', actions: { setLocalPref: 50 } }], defaultAction: 'reject' },
    }, '10.1.0.2');
    rib.update(p, upd(['10.1.0.0/24', '192.168.0.0/24'], { asPath: seq(65100) }));
    run(rib);
    expect(rib.peerStats(p)).toMatchObject({ received: 2, accepted: 1 });
    expect(lookup(rib, Afi.IPv4, P('10.1.0.0/24'))?.paths[0].localPref).toBe(50);
    expect([...adjRibIn(rib, p, Afi.IPv4)].map((r) => [T(r.prefix), r.paths[0].filtered])).toEqual([
      ['10.1.0.0/24', false], ['192.168.0.0/24', true],
    ]);
    rib.update(p, upd([], {}, ['192.168.0.0/24', '10.1.0.0/24']));
    run(rib);
    expect(rib.peerStats(p)).toMatchObject({ received: 0, accepted: 0 });
    expect(rib.attrs.size).toBe(0);
  });
});

describe('queries', () => {
  it('pages through the Loc-RIB and a peer\'s Adj-RIB-Out', () => {
    const rib = makeRib();
    const i = addUpPeer(rib, { address: '198.18.0.2', remoteAs: LOCAL_AS }, '10.0.0.2');
    for (let n = 0; n < 25; n++) rib.originate(Afi.IPv4, P(`10.0.${n}.0/24`));
    run(rib);
    const it1 = locRibRoutes(rib, Afi.IPv4);
    const p1 = page(it1, 10);
    const p2 = page(it1, 10);
    const p3 = page(it1, 10);
    expect([p1.items.length, p2.items.length, p3.items.length, p3.done]).toEqual([10, 10, 5, true]);
    expect(p1.items[0].paths[0]).toMatchObject({ best: true, peerAddress: null });
    expect(rib.lookup(Afi.IPv4, P('10.0.3.0/24'))).toEqual(lookup(rib, Afi.IPv4, P('10.0.3.0/24')));
    expect([...rib.locRibRoutes(Afi.IPv4)]).toHaveLength(25);
    expect([...rib.adjRibOut(i, Afi.IPv4)]).toHaveLength(25);
    const out = [...adjRibOut(rib, i, Afi.IPv4)];
    expect(out).toHaveLength(25);
    expect(out[0].attrs).toMatchObject({ localPref: 100, nextHop: '198.18.0.1' });
    expect(rib.peerStats(i).advertised).toBe(25);
    expect(rib.stats()).toMatchObject({ prefixes: { ipv4: 25, ipv6: 0 }, paths: 25, attrSets: 1, updateGroups: 2, queued: 0 });
  });
});

describe('RFC 7606 treat-as-withdraw', () => {
  it('removes the announced prefixes instead of installing them', () => {
    const rib = makeRib();
    const p = addUpPeer(rib, { address: '198.18.1.2', remoteAs: 65100 }, '10.1.0.2');
    rib.update(p, upd(['10.1.0.0/24', '10.2.0.0/24'], { asPath: seq(65100) }));
    run(rib);
    rib.update(p, upd(['10.1.0.0/24', '10.3.0.0/24'], { asPath: seq(65100) }), { treatAsWithdraw: true });
    run(rib);
    expect(lookup(rib, Afi.IPv4, P('10.1.0.0/24'))).toBeNull();
    expect(lookup(rib, Afi.IPv4, P('10.3.0.0/24'))).toBeNull();
    expect(rib.peerStats(p)).toMatchObject({ received: 1, accepted: 1 });
  });
});

describe('peer removal and input errors', () => {
  it('removePeer drops its routes and ignores later inputs for it', () => {
    const rib = makeRib();
    const p = addUpPeer(rib, { address: '198.18.1.2', remoteAs: 65100 }, '10.1.0.2');
    rib.update(p, upd(['10.1.0.0/24'], { asPath: seq(65100) }));
    rib.removePeer(p);
    rib.update(p, upd(['10.2.0.0/24'], { asPath: seq(65100) }));
    run(rib);
    expect([...locRibRoutes(rib, Afi.IPv4)]).toHaveLength(0);
    expect(rib.attrs.size).toBe(0);
  });

  it('an input that throws is dropped and reported; later inputs still run', () => {
    const rib = makeRib();
    const errors: unknown[] = [];
    rib.onError((e) => errors.push(e));
    rib.update(99, upd(['10.1.0.0/24']));
    rib.originate(Afi.IPv4, P('10.9.0.0/24'));
    run(rib);
    expect(errors).toHaveLength(1);
    expect(lookup(rib, Afi.IPv4, P('10.9.0.0/24'))?.paths[0].best).toBe(true);
  });
});

describe('IPv6 via MP_REACH / MP_UNREACH', () => {
  it('installs, exports and withdraws IPv6 routes with the MP next hop', () => {
    const rib = makeRib();
    const e = addUpPeer(rib, { address: '2001:db8::2', remoteAs: 65100 }, '10.1.0.2');
    const i = addUpPeer(rib, { address: 'fd00::2', remoteAs: LOCAL_AS, nextHop: 'self' }, '10.0.0.2');
    run(rib);
    sent(rib);
    const k = prefixKey(Afi.IPv6, 'fd10:1::/64');
    rib.update(e, {
      type: 2, withdrawn: [], nlri: [], attrs: { origin: 0, asPath: seq(65100) },
      mpReach: { afi: Afi.IPv6, safi: 1, nextHops: ['2001:db8::2', 'fe80::2'], nlri: [k] },
    } as UpdateMessage);
    run(rib);
    expect(lookup(rib, Afi.IPv6, k)?.paths[0]).toMatchObject({ best: true, nextHop: '2001:db8::2' });
    const out = sent(rib).get(i) ?? [];
    expect(out[0]).toMatchObject({ afi: Afi.IPv6, nlri: [k], nextHops: ['fd00::1'] });
    rib.update(e, { type: 2, withdrawn: [], nlri: [], attrs: {}, mpUnreach: { afi: Afi.IPv6, safi: 1, withdrawn: [k] } } as UpdateMessage);
    run(rib);
    expect(lookup(rib, Afi.IPv6, k)).toBeNull();
    expect(sent(rib).get(i)?.[0]).toMatchObject({ afi: Afi.IPv6, withdrawn: [k] });
  });
});

describe('unsupported families', () => {
  it('ignores MP_REACH for a family without a table and keeps the rest of the UPDATE', () => {
    const rib = makeRib();
    const errors: unknown[] = [];
    rib.onError((e) => errors.push(e));
    const p = addUpPeer(rib, { address: '198.18.1.2', remoteAs: 65100 }, '10.1.0.2');
    rib.update(p, { ...upd(['10.1.0.0/24'], { asPath: seq(65100) }), mpReach: { afi: 25 as Afi, safi: 65, nextHops: ['198.18.1.2'], nlri: ['\x08\x0a'] } } as unknown as UpdateMessage);
    run(rib);
    expect(errors).toEqual([]);
    expect(lookup(rib, Afi.IPv4, P('10.1.0.0/24'))?.paths[0].best).toBe(true);
  });
});
