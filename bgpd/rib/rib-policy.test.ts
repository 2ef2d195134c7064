import { describe, expect, it } from 'vitest';
import { Afi } from '../wire/types';
import { lookup } from './queries';
import { addUpPeer, announced, LOCAL_AS, makeRib, P, run, sent, seq, upd, withdrawnOf } from './test-kit';

describe('policy changes on a live session', () => {
  it('an export policy change moves the peer to a new group and withdraws what it no longer gets', () => {
    const rib = makeRib();
    const a = addUpPeer(rib, { address: '198.18.0.2', remoteAs: LOCAL_AS }, '10.0.0.2');
    const b = addUpPeer(rib, { address: '198.18.0.3', remoteAs: LOCAL_AS }, '10.0.0.3');
    rib.originate(Afi.IPv4, P('10.1.0.0/24'));
    rib.originate(Afi.IPv4, P('10.2.0.0/24'));
    run(rib);
    sent(rib);
    rib.setPolicies(a, {
      exportPolicy: {
        rules: [{ match: { prefixList: [{ prefix: '10.2.0.0/24' }] }, action: 'reject' }],
        defaultAction: 'accept',
      },
    });
    run(rib);
    const out = sent(rib);
    expect(withdrawnOf(out.get(a))).toEqual(['10.2.0.0/24']);
    expect([...announced(out.get(a)).keys()]).toEqual(['10.1.0.0/24']);
    expect(out.get(b)).toBeUndefined();
    expect(rib.peer(a).groups.get(Afi.IPv4)).not.toBe(rib.peer(b).groups.get(Afi.IPv4));
    rib.originate(Afi.IPv4, P('10.2.0.0/24'), { med: 1 });
    run(rib);
    const later = sent(rib);
    expect(announced(later.get(a)).size).toBe(0);
    expect(announced(later.get(b)).has('10.2.0.0/24')).toBe(true);
  });

  it('an export policy can set MED, communities and prepend toward eBGP', () => {
    const rib = makeRib();
    const e = addUpPeer(rib, {
      address: '198.18.1.2', remoteAs: 65100,
      exportPolicy: { rules: [{ match: {}, action: 'accept', actions: { setMed: 10, prepend: { count: 2 }, addCommunities: [0xfde80001] } }], defaultAction: 'reject' },
    }, '10.1.0.2');
    rib.originate(Afi.IPv4, P('10.9.0.0/26'));
    run(rib);
    expect(announced(sent(rib).get(e)).get('10.9.0.0/26')).toMatchObject({
      med: 10, communities: [0xfde80001], asPath: seq(LOCAL_AS, LOCAL_AS, LOCAL_AS),
    });
  });

  it('an import policy change applies to routes received afterwards (route refresh)', () => {
    const rib = makeRib();
    const p = addUpPeer(rib, { address: '198.18.1.2', remoteAs: 65100 }, '10.1.0.2');
    rib.update(p, upd(['10.1.0.0/24'], { asPath: seq(65100) }));
    run(rib);
    rib.setPolicies(p, { importPolicy: { rules: [], defaultAction: 'reject' } });
    rib.update(p, upd(['10.1.0.0/24'], { asPath: seq(65100) }));
    run(rib);
    expect(lookup(rib, Afi.IPv4, P('10.1.0.0/24'))?.paths[0].filtered).toBe(true);
    expect(rib.peerStats(p)).toMatchObject({ received: 1, accepted: 0 });
  });
});

describe('next hop self set by policy', () => {
  it('on export resolves to our session address; on import keeps the received next hop', () => {
    const rib = makeRib();
    const self = { rules: [{ match: {}, action: 'accept' as const, actions: { setNextHop: 'self' } }], defaultAction: 'accept' as const };
    const e = addUpPeer(rib, { address: '198.18.1.2', remoteAs: 65100, importPolicy: self }, '10.1.0.2');
    const i = addUpPeer(rib, { address: '198.18.0.2', remoteAs: LOCAL_AS, exportPolicy: self }, '10.0.0.2');
    rib.update(e, upd(['10.1.0.0/24'], { asPath: seq(65100), nextHop: '198.18.1.2' }));
    run(rib);
    expect(lookup(rib, Afi.IPv4, P('10.1.0.0/24'))?.paths[0].nextHop).toBe('198.18.1.2');
    expect(announced(sent(rib).get(i)).get('10.1.0.0/24')?.nextHop).toBe('198.18.0.1');
  });
});

describe('explicit export accept vs built-in rules', () => {
  it('an accepting export policy sends learned routes to eBGP (no-transit is only the built-in default), NO_EXPORT still wins', () => {
    const rib = makeRib();
    const i = addUpPeer(rib, { address: '198.18.0.2', remoteAs: LOCAL_AS }, '10.0.0.2');
    const pol = { rules: [{ match: { prefixList: [{ prefix: '10.3.0.0/16', le: 24 }] }, action: 'accept' as const }], defaultAction: 'builtin' as const };
    const e = addUpPeer(rib, { address: '198.18.1.2', remoteAs: 65100, exportPolicy: [pol] }, '10.1.0.2');
    rib.update(i, upd(['10.3.1.0/24', '10.4.1.0/24'], {}));
    rib.update(i, upd(['10.3.2.0/24'], { communities: [0xffffff01] }));
    rib.originate(Afi.IPv4, P('10.9.0.0/26'));
    run(rib);
    expect([...announced(sent(rib).get(e)).keys()].sort()).toEqual(['10.3.1.0/24', '10.9.0.0/26']);
  });
});
