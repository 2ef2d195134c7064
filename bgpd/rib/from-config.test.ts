import { describe, expect, it } from 'vitest';
import type { PeerConfig, PolicyConfig } from '../../config/types';
import { Afi } from '../wire/types';
import { policyFromConfig, ribPeerFromConfig } from './from-config';
import { compilePolicy, parseCommunity } from './policy';
import { prefixKey } from './prefix-key';
import { addUpPeer, makeRib, run, seq, upd } from './test-kit';

const cfgPolicy: PolicyConfig = {
  name: 'tor-in',
  rules: [
    { match: { prefixes: [{ cidr: '10.96.0.0/12', ge: 12, le: 32 }] }, action: 'reject' },
    { match: { communities: ['65001:1'], asPath: { origin: [65001], maxLength: 3 }, family: 'ipv4' }, action: 'next', set: { localPref: 200, removeCommunities: ['65001:*'], addLargeCommunities: ['65000:1:2'] } },
    { match: { largeCommunities: ['65000:1:2'] }, action: 'accept', set: { prepend: { count: 1, asNumber: 64999 } } },
  ],
  defaultAction: 'builtin',
};

describe('config -> RIB mapping', () => {
  it('maps a config policy onto the RIB policy model with the same meaning', () => {
    const p = compilePolicy(policyFromConfig(cfgPolicy), Afi.IPv4);
    const attrs = { origin: 0, asPath: seq(65001), communities: [parseCommunity('65001:1'), parseCommunity('65002:1')] };
    const inp = (prefix: string) => ({ prefix: prefixKey(Afi.IPv4, prefix), attrs, source: 'ebgp' as const, localAs: 65000 });
    expect(p.evaluate(inp('10.96.4.0/24')).verdict).toBe('reject');
    const r = p.evaluate(inp('10.244.0.0/26'));
    expect(r.verdict).toBe('accept');
    expect(r.attrs).toMatchObject({ localPref: 200, communities: [parseCommunity('65002:1')], largeCommunities: [{ global: 65000, local1: 1, local2: 2 }] });
    expect(r.attrs.asPath).toEqual(seq(64999, 65001));
    expect(compilePolicy(policyFromConfig(cfgPolicy), Afi.IPv6).evaluate({ ...inp('10.0.0.0/8'), prefix: prefixKey(Afi.IPv6, 'fd00::/64') }).verdict).toBe('builtin');
  });

  it('maps a peer, and max-prefix "warn" only reports', () => {
    const peer = {
      name: 'tor', address: '198.18.1.2', asNumber: 65100, routeReflectorClient: false, nextHopSelf: true, allowAsIn: 1,
      importPolicy: ['tor-in'], exportPolicy: [], maxPrefix: { limit: 1, action: 'warn' },
    } as unknown as PeerConfig;
    const policies = new Map([['tor-in', policyFromConfig(cfgPolicy)]]);
    const rc = ribPeerFromConfig(peer, policies);
    expect(rc).toMatchObject({ address: '198.18.1.2', remoteAs: 65100, nextHop: 'self', allowOwnAs: 1, maxPrefix: 1, maxPrefixWarnOnly: true });
    expect(rc.importPolicy).toEqual([policies.get('tor-in')]);
    expect(() => ribPeerFromConfig({ ...peer, importPolicy: ['nope'] }, policies)).toThrow(/nope/);
    const rib = makeRib();
    const events: number[] = [];
    rib.onMaxPrefixExceeded((p) => events.push(p));
    const id = addUpPeer(rib, rc, '10.1.0.2');
    rib.update(id, upd(['10.1.0.0/24', '10.2.0.0/24', '10.3.0.0/24'], { asPath: seq(65100) }));
    run(rib);
    expect(events).toEqual([id]);
    expect(rib.peerStats(id)).toMatchObject({ accepted: 3, maxPrefixExceeded: true });
  });
});
