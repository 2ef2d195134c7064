import { describe, it, expect } from 'vitest';
import { compilePolicy } from '../rib/policy';
import { Afi } from '../wire/types';
import { prefixKey } from '../rib/prefix-key';
import { communityValue, mapPolicy, policyChain, mapPolicies } from './policy-map';

describe('config policy → RIB policy', () => {
  const cfg = {
    name: 'tor-in',
    defaultAction: 'reject' as const,
    rules: [
      { match: { prefixes: [{ cidr: '10.0.0.0/8', ge: 16, le: 24 }], communities: ['65000:1', 'no-export'] }, action: 'next' as const, set: { localPref: 200, removeCommunities: ['65000:*', '65001:7'] } },
      { match: { asPath: { origin: [65010] }, family: 'ipv4' as const }, action: 'accept' as const, set: { prepend: { count: 2 }, addLargeCommunities: ['65000:1:2'] } },
    ],
  };

  it('maps matches and sets field by field', () => {
    const p = mapPolicy(cfg);
    expect(p.defaultAction).toBe('reject');
    expect(p.rules[0]).toMatchObject({
      name: 'tor-in[0]', action: 'next',
      match: { prefixList: [{ prefix: '10.0.0.0/8', ge: 16, le: 24 }], community: [0xfde80001, 0xffffff01] },
      actions: { setLocalPref: 200, removeCommunities: [0xfde90007], removeCommunitiesMatching: [{ asn: 65000 }] },
    });
    expect(p.rules[1]).toMatchObject({
      match: { asPathOriginatesFrom: [65010], family: Afi.IPv4 },
      actions: { prepend: { count: 2 }, addLargeCommunities: [{ global: 65000, local1: 1, local2: 2 }] },
    });
    expect(communityValue('blackhole')).toBe(0xffff029a);
  });

  it('the mapped policy evaluates as the config means it', () => {
    const compiled = compilePolicy(mapPolicy(cfg), Afi.IPv4);
    const base = { source: 'ebgp' as const, localAs: 64512 };
    const inRange = compiled.evaluate({ ...base, prefix: prefixKey(Afi.IPv4, '10.1.0.0/20'), attrs: { communities: [0xfde80001], asPath: [{ type: 2, asns: [65010] }] } });
    expect(inRange.verdict).toBe('accept');
    expect(inRange.attrs.localPref).toBe(200);
    expect(inRange.attrs.communities ?? []).toEqual([]);
    const other = compiled.evaluate({ ...base, prefix: prefixKey(Afi.IPv4, '192.168.0.0/24'), attrs: { asPath: [{ type: 2, asns: [65020] }] } });
    expect(other.verdict).toBe('reject');
  });

  it('chains resolve names in order and drop to undefined when empty', () => {
    const byName = mapPolicies([cfg, { name: 'b', rules: [], defaultAction: 'accept' }]);
    expect(policyChain(['b', 'tor-in'], byName)?.map((p) => p.defaultAction)).toEqual(['accept', 'reject']);
    expect(policyChain([], byName)).toBeUndefined();
  });
});
