import { describe, expect, it } from 'vitest';
import { Afi, WellKnownCommunity } from '../wire/types';
import { lookup } from './queries';
import { announced, addUpPeer, LOCAL_AS, ME, makeRib, P, run, SELF4, sent, seq, upd, withdrawnOf } from './test-kit';

describe('iBGP full mesh', () => {
  it('does not pass iBGP-learned routes to other iBGP peers, but sends local routes with next-hop-self and LOCAL_PREF', () => {
    const rib = makeRib();
    const a = addUpPeer(rib, { address: '198.18.0.2', remoteAs: LOCAL_AS }, '10.0.0.2');
    const b = addUpPeer(rib, { address: '198.18.0.3', remoteAs: LOCAL_AS }, '10.0.0.3');
    run(rib);
    sent(rib);
    rib.update(a, upd(['10.2.0.0/26'], { localPref: 100 }));
    rib.originate(Afi.IPv4, P('10.9.0.0/26'));
    run(rib);
    const out = sent(rib);
    const toB = announced(out.get(b));
    expect([...toB.keys()]).toEqual(['10.9.0.0/26']);
    expect(toB.get('10.9.0.0/26')).toMatchObject({ nextHop: SELF4, localPref: 100, origin: 0 });
    expect(toB.get('10.9.0.0/26')?.asPath ?? []).toEqual([]);
    expect(announced(out.get(a)).has('10.2.0.0/26')).toBe(false);
  });
});

describe('eBGP', () => {
  it('prepends our AS, sets next hop self, drops LOCAL_PREF, keeps our own MED', () => {
    const rib = makeRib();
    const e = addUpPeer(rib, { address: '198.18.1.2', remoteAs: 65100 }, '10.1.0.2');
    rib.originate(Afi.IPv4, P('10.9.0.0/26'), { med: 5, localPref: 300, nextHop: '10.200.0.1' });
    run(rib);
    const a = announced(sent(rib).get(e)).get('10.9.0.0/26');
    expect(a).toMatchObject({ asPath: seq(LOCAL_AS), nextHop: SELF4, med: 5 });
    expect(a?.localPref).toBeUndefined();
  });

  it('exports only local routes to eBGP by default; with allowTransit strips MED, LOCAL_PREF, RR attributes', () => {
    const rib = makeRib();
    const i = addUpPeer(rib, { address: '198.18.0.2', remoteAs: LOCAL_AS }, '10.0.0.2');
    const e1 = addUpPeer(rib, { address: '198.18.1.2', remoteAs: 65100 }, '10.1.0.2');
    const e2 = addUpPeer(rib, { address: '198.18.2.2', remoteAs: 65200, allowTransit: true }, '10.2.0.2');
    rib.update(i, upd(['10.3.0.0/24'], { med: 9, localPref: 120, asPath: seq(65300), originatorId: '10.0.0.9', clusterList: ['1.1.1.1'] }));
    run(rib);
    const out = sent(rib);
    expect(announced(out.get(e1)).size).toBe(0);
    const t = announced(out.get(e2)).get('10.3.0.0/24');
    expect(t).toMatchObject({ asPath: seq(LOCAL_AS, 65300), nextHop: SELF4 });
    expect(t?.med).toBeUndefined();
    expect(t?.localPref).toBeUndefined();
    expect(t?.originatorId).toBeUndefined();
    expect(t?.clusterList).toBeUndefined();
  });

  it('does not send a route to an eBGP peer whose AS is already in its AS_PATH (sender-side loop check)', () => {
    const rib = makeRib();
    const gen = addUpPeer(rib, { address: '198.18.1.2', remoteAs: 65001, allowTransit: true }, '10.1.0.2');
    const mon = addUpPeer(rib, { address: '198.18.2.2', remoteAs: 65002, allowTransit: true }, '10.2.0.2');
    // same AS as gen on another session: shares gen's view of the loop
    const gen2 = addUpPeer(rib, { address: '198.18.1.3', remoteAs: 65001, allowTransit: true }, '10.1.0.2');
    run(rib);
    sent(rib);
    rib.update(gen, upd(['10.3.0.0/24'], { asPath: seq(65001) }));
    rib.update(mon, upd(['10.4.0.0/24'], { asPath: seq(65002, 65001) }));
    run(rib);
    const out = sent(rib);
    expect([...announced(out.get(mon)).keys()]).toEqual(['10.3.0.0/24']);
    expect(announced(out.get(gen)).size).toBe(0);
    expect(announced(out.get(gen2)).size).toBe(0);
    expect(lookup(rib, Afi.IPv4, P('10.4.0.0/24'))).not.toBeNull();
  });

  it('passes MED to other ASes when sendMed is configured', () => {
    const rib = makeRib();
    const i = addUpPeer(rib, { address: '198.18.0.2', remoteAs: LOCAL_AS }, '10.0.0.2');
    const e = addUpPeer(rib, { address: '198.18.2.2', remoteAs: 65200, allowTransit: true, sendMed: true }, '10.2.0.2');
    rib.update(i, upd(['10.3.0.0/24'], { med: 9 }));
    run(rib);
    expect(announced(sent(rib).get(e)).get('10.3.0.0/24')?.med).toBe(9);
  });

  it('drops routes whose AS path holds our AS more often than allowed, and ignores eBGP LOCAL_PREF', () => {
    const rib = makeRib();
    const strict = addUpPeer(rib, { address: '198.18.1.2', remoteAs: 65100 }, '10.1.0.2');
    const lax = addUpPeer(rib, { address: '198.18.2.2', remoteAs: 65200, allowOwnAs: 1 }, '10.2.0.2');
    rib.update(strict, upd(['10.5.0.0/24'], { asPath: seq(65100, LOCAL_AS, 65101) }));
    rib.update(strict, upd(['10.6.0.0/24'], { asPath: seq(65100), localPref: 999 }));
    rib.update(lax, upd(['10.7.0.0/24'], { asPath: seq(65200, LOCAL_AS) }));
    rib.update(lax, upd(['10.8.0.0/24'], { asPath: seq(65200, LOCAL_AS, LOCAL_AS) }));
    run(rib);
    expect(rib.peerStats(strict)).toMatchObject({ received: 2, accepted: 1 });
    expect(rib.peerStats(lax)).toMatchObject({ received: 2, accepted: 1 });
    expect(lookup(rib, Afi.IPv4, P('10.5.0.0/24'))?.paths[0]).toMatchObject({ filtered: true, best: false });
    expect(lookup(rib, Afi.IPv4, P('10.6.0.0/24'))?.paths[0].localPref).toBeUndefined();
    expect(lookup(rib, Afi.IPv4, P('10.7.0.0/24'))?.paths[0].best).toBe(true);
    expect(lookup(rib, Afi.IPv4, P('10.8.0.0/24'))?.paths[0].filtered).toBe(true);
  });

  it('keep-next-hop passes the learned next hop to eBGP', () => {
    const rib = makeRib();
    const i = addUpPeer(rib, { address: '198.18.0.2', remoteAs: LOCAL_AS }, '10.0.0.2');
    const e = addUpPeer(rib, { address: '198.18.2.2', remoteAs: 65200, allowTransit: true, nextHop: 'keep' }, '10.2.0.2');
    rib.update(i, upd(['10.3.0.0/24'], { nextHop: '198.18.0.77' }));
    run(rib);
    expect(announced(sent(rib).get(e)).get('10.3.0.0/24')?.nextHop).toBe('198.18.0.77');
  });
});

describe('route reflection (RFC 4456)', () => {
  function rr() {
    const rib = makeRib({ clusterId: '1.1.1.1' });
    const c1 = addUpPeer(rib, { address: '198.18.0.11', remoteAs: LOCAL_AS, rrClient: true }, '10.0.0.11');
    const c2 = addUpPeer(rib, { address: '198.18.0.12', remoteAs: LOCAL_AS, rrClient: true }, '10.0.0.12');
    const n1 = addUpPeer(rib, { address: '198.18.0.21', remoteAs: LOCAL_AS }, '10.0.0.21');
    const n2 = addUpPeer(rib, { address: '198.18.0.22', remoteAs: LOCAL_AS }, '10.0.0.22');
    run(rib);
    sent(rib);
    return { rib, c1, c2, n1, n2 };
  }

  it('reflects client routes to clients and non-clients with ORIGINATOR_ID and CLUSTER_LIST, keeping the next hop', () => {
    const { rib, c1, c2, n1 } = rr();
    rib.update(c1, upd(['10.1.1.0/26'], { nextHop: '198.18.0.11' }));
    run(rib);
    const out = sent(rib);
    for (const p of [c2, n1]) {
      expect(announced(out.get(p)).get('10.1.1.0/26')).toMatchObject({
        originatorId: '10.0.0.11', clusterList: ['1.1.1.1'], nextHop: '198.18.0.11', localPref: 100,
      });
    }
  });

  it('reflects non-client routes to clients only', () => {
    const { rib, c1, n1, n2 } = rr();
    rib.update(n1, upd(['10.2.2.0/26'], { nextHop: '198.18.0.21', clusterList: ['9.9.9.9'], originatorId: '10.0.0.99' }));
    run(rib);
    const out = sent(rib);
    expect(announced(out.get(c1)).get('10.2.2.0/26')).toMatchObject({ originatorId: '10.0.0.99', clusterList: ['1.1.1.1', '9.9.9.9'] });
    expect(announced(out.get(n2)).size).toBe(0);
  });

  it('drops routes carrying our cluster id or our router id as originator', () => {
    const { rib, c1, n1 } = rr();
    rib.update(c1, upd(['10.3.0.0/24'], { clusterList: ['1.1.1.1'] }));
    rib.update(n1, upd(['10.4.0.0/24'], { originatorId: ME }));
    rib.update(n1, upd(['10.5.0.0/24'], { originatorId: '10.0.0.11', clusterList: ['2.2.2.2'] }));
    run(rib);
    expect(lookup(rib, Afi.IPv4, P('10.3.0.0/24'))?.paths[0].filtered).toBe(true);
    expect(lookup(rib, Afi.IPv4, P('10.4.0.0/24'))?.paths[0].filtered).toBe(true);
    expect(lookup(rib, Afi.IPv4, P('10.5.0.0/24'))?.paths[0].best).toBe(true);
  });

  it('prefers the path with the lower ORIGINATOR_ID, then the shorter CLUSTER_LIST', () => {
    const { rib, c1, c2 } = rr();
    rib.update(c1, upd(['10.6.0.0/24'], { originatorId: '10.0.0.50' }));
    rib.update(c2, upd(['10.6.0.0/24'], { originatorId: '10.0.0.40' }));
    rib.update(c1, upd(['10.7.0.0/24'], { originatorId: '10.0.0.40', clusterList: ['3.3.3.3', '4.4.4.4'] }));
    rib.update(c2, upd(['10.7.0.0/24'], { originatorId: '10.0.0.40', clusterList: ['3.3.3.3'] }));
    run(rib);
    expect(lookup(rib, Afi.IPv4, P('10.6.0.0/24'))?.paths[0]).toMatchObject({ peer: c2, best: true });
    expect(lookup(rib, Afi.IPv4, P('10.7.0.0/24'))?.paths[0]).toMatchObject({ peer: c2, best: true });
  });
});

describe('well-known communities', () => {
  it('NO_EXPORT stays inside the AS, NO_ADVERTISE goes nowhere', () => {
    const rib = makeRib();
    const i = addUpPeer(rib, { address: '198.18.0.2', remoteAs: LOCAL_AS }, '10.0.0.2');
    const e = addUpPeer(rib, { address: '198.18.1.2', remoteAs: 65100 }, '10.1.0.2');
    rib.originate(Afi.IPv4, P('10.1.0.0/24'), { communities: [WellKnownCommunity.NO_EXPORT] });
    rib.originate(Afi.IPv4, P('10.2.0.0/24'), { communities: [WellKnownCommunity.NO_ADVERTISE] });
    rib.originate(Afi.IPv4, P('10.3.0.0/24'));
    run(rib);
    const out = sent(rib);
    expect([...announced(out.get(i)).keys()].sort()).toEqual(['10.1.0.0/24', '10.3.0.0/24']);
    expect([...announced(out.get(e)).keys()]).toEqual(['10.3.0.0/24']);
  });

  it('GRACEFUL_SHUTDOWN sets LOCAL_PREF 0 on import so another path wins', () => {
    const rib = makeRib();
    const a = addUpPeer(rib, { address: '198.18.1.2', remoteAs: 65100 }, '10.1.0.2');
    const b = addUpPeer(rib, { address: '198.18.2.2', remoteAs: 65200 }, '10.2.0.2');
    rib.update(a, upd(['10.1.0.0/24'], { asPath: seq(65100), communities: [WellKnownCommunity.GRACEFUL_SHUTDOWN] }));
    rib.update(b, upd(['10.1.0.0/24'], { asPath: seq(65200, 1, 2, 3) }));
    run(rib);
    const v = lookup(rib, Afi.IPv4, P('10.1.0.0/24'));
    expect(v?.paths[0]).toMatchObject({ peer: b, best: true });
    expect(v?.paths[1]).toMatchObject({ peer: a, localPref: 0 });
  });

  it('withdraws from eBGP when a route gains NO_EXPORT', () => {
    const rib = makeRib();
    const e = addUpPeer(rib, { address: '198.18.1.2', remoteAs: 65100 }, '10.1.0.2');
    rib.originate(Afi.IPv4, P('10.1.0.0/24'));
    run(rib);
    sent(rib);
    rib.originate(Afi.IPv4, P('10.1.0.0/24'), { communities: [WellKnownCommunity.NO_EXPORT] });
    run(rib);
    expect(withdrawnOf(sent(rib).get(e))).toEqual(['10.1.0.0/24']);
  });
});

describe('becoming a route reflector at run time', () => {
  it('re-evaluates existing groups when the first client is added', () => {
    const rib = makeRib();
    const a = addUpPeer(rib, { address: '198.18.0.2', remoteAs: LOCAL_AS }, '10.0.0.2');
    const b = addUpPeer(rib, { address: '198.18.0.3', remoteAs: LOCAL_AS }, '10.0.0.3');
    rib.update(a, upd(['10.1.0.0/24']));
    run(rib);
    expect(announced(sent(rib).get(b)).size).toBe(0); // plain iBGP: no reflection
    const c = addUpPeer(rib, { address: '198.18.0.4', remoteAs: LOCAL_AS, rrClient: true }, '10.0.0.4');
    run(rib);
    const out = sent(rib);
    expect(announced(out.get(c)).get('10.1.0.0/24')).toMatchObject({ originatorId: '10.0.0.2', clusterList: [ME] });
    expect(announced(out.get(b)).size).toBe(0); // non-client to non-client: still not reflected
  });
});
