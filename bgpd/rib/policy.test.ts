import { describe, expect, it } from 'vitest';
import { Afi, AsPathSegmentType as T } from '../wire/types';
import type { PathAttributes } from '../wire/types';
import type { Policy, PolicyInput } from './policy';
import { compileAsPathRegex, compilePolicy, parseCommunity } from './policy';
import { prefixKey } from './prefix-key';

const attrs: PathAttributes = {
  origin: 0,
  asPath: [{ type: T.AS_SEQUENCE, asns: [65001, 65002, 65003] }],
  nextHop: '198.18.0.2',
  communities: [parseCommunity('65000:1'), parseCommunity('65000:2')],
  largeCommunities: [{ global: 65000, local1: 1, local2: 2 }],
};
const inp = (prefix: string, a: PathAttributes = attrs): PolicyInput => ({
  prefix: prefixKey(Afi.IPv4, prefix), attrs: a, source: 'ebgp', localAs: 65000,
});
const run = (p: Policy, prefix = '10.1.0.0/16', a?: PathAttributes) => compilePolicy(p, Afi.IPv4).evaluate(inp(prefix, a));
const only = (match: Policy['rules'][0]['match']): Policy => ({ rules: [{ match, action: 'accept' }], defaultAction: 'reject' });

describe('policy matching', () => {
  it('prefix lists: exact by default, ge/le ranges, other family ignored', () => {
    const exact = only({ prefixList: [{ prefix: '10.1.0.0/16' }] });
    expect(run(exact, '10.1.0.0/16').accept).toBe(true);
    expect(run(exact, '10.1.2.0/24').accept).toBe(false);
    const range = only({ prefixList: [{ prefix: '10.0.0.0/8', ge: 24, le: 26 }] });
    expect(run(range, '10.9.9.0/24').accept).toBe(true);
    expect(run(range, '10.9.9.0/27').accept).toBe(false);
    expect(run(range, '10.9.0.0/16').accept).toBe(false);
    expect(run(range, '11.9.9.0/24').accept).toBe(false);
    const v6 = only({ prefixList: [{ prefix: 'fd00::/8', le: 128 }] });
    expect(compilePolicy(v6, Afi.IPv4).prefixDependent).toBe(true);
    expect(run(v6, '10.1.0.0/16').accept).toBe(false);
    expect(compilePolicy(v6, Afi.IPv6).evaluate({ ...inp('10.0.0.0/8'), prefix: prefixKey(Afi.IPv6, 'fd12::/64') }).accept).toBe(true);
  });
  it('non-octet-aligned prefix list lengths compare only the covered bits', () => {
    const p = only({ prefixList: [{ prefix: '10.1.128.0/17', le: 32 }] });
    expect(run(p, '10.1.200.0/24').accept).toBe(true);
    expect(run(p, '10.1.100.0/24').accept).toBe(false);
  });
  it('community and large-community match (any of)', () => {
    expect(run(only({ community: [parseCommunity('65000:9'), parseCommunity('65000:2')] })).accept).toBe(true);
    expect(run(only({ community: [parseCommunity('65000:9')] })).accept).toBe(false);
    expect(run(only({ largeCommunity: [{ global: 65000, local1: 1, local2: 2 }] })).accept).toBe(true);
    expect(run(only({ largeCommunity: [{ global: 65000, local1: 1, local2: 3 }] })).accept).toBe(false);
  });
  it('AS path: contains, originates from, regex-lite with _ boundaries', () => {
    expect(run(only({ asPathContains: 65002 })).accept).toBe(true);
    expect(run(only({ asPathContains: 65009 })).accept).toBe(false);
    expect(run(only({ asPathOriginatesFrom: 65003 })).accept).toBe(true);
    expect(run(only({ asPathOriginatesFrom: 65001 })).accept).toBe(false);
    expect(run(only({ asPathRegex: '^65001_' })).accept).toBe(true);
    expect(run(only({ asPathRegex: '_6500_' })).accept).toBe(false);
    expect(run(only({ asPathRegex: '_65003$' })).accept).toBe(true);
    expect(() => compileAsPathRegex('a{1}')).toThrow();
  });
  it('route source', () => {
    expect(run(only({ source: ['ebgp'] })).accept).toBe(true);
    expect(run(only({ source: ['local', 'ibgp'] })).accept).toBe(false);
  });
});

describe('policy actions and order', () => {
  it('first match wins, then the default action', () => {
    const p: Policy = {
      rules: [
        { match: { asPathContains: 65002 }, action: 'reject' },
        { match: {}, action: 'accept', actions: { setLocalPref: 300 } },
      ],
      defaultAction: 'accept',
    };
    expect(run(p).accept).toBe(false);
    const r = run(p, '10.0.0.0/8', { ...attrs, asPath: [] });
    expect(r.accept).toBe(true);
    expect(r.attrs.localPref).toBe(300);
    expect(run({ rules: [], defaultAction: 'reject' }).accept).toBe(false);
  });
  it('sets LOCAL_PREF, MED, next hop and prepends, reporting what it set', () => {
    const r = run({
      rules: [{ match: {}, action: 'accept', actions: { setLocalPref: 50, setMed: 7, setNextHop: '198.18.0.9', prepend: { count: 2 } } }],
      defaultAction: 'reject',
    });
    expect(r.attrs.localPref).toBe(50);
    expect(r.attrs.med).toBe(7);
    expect(r.attrs.nextHop).toBe('198.18.0.9');
    expect(r.attrs.asPath?.[0].asns).toEqual([65000, 65000, 65001, 65002, 65003]);
    expect(r.setMed && r.setNextHop).toBe(true);
    expect(attrs.asPath?.[0].asns).toEqual([65001, 65002, 65003]); // input untouched
  });
  it('adds and removes communities and large communities', () => {
    const r = run({
      rules: [{
        match: {},
        action: 'accept',
        actions: {
          removeCommunities: [parseCommunity('65000:1')],
          addCommunities: [parseCommunity('no-export')],
          removeLargeCommunities: [{ global: 65000, local1: 1, local2: 2 }],
          addLargeCommunities: [{ global: 1, local1: 2, local2: 3 }],
        },
      }],
      defaultAction: 'reject',
    });
    expect(r.attrs.communities).toEqual([parseCommunity('65000:2'), 0xffffff01]);
    expect(r.attrs.largeCommunities).toEqual([{ global: 1, local1: 2, local2: 3 }]);
  });
  it('parses communities', () => {
    expect(parseCommunity('65000:100')).toBe(0xfde80064);
    expect(parseCommunity('NO_ADVERTISE')).toBe(0xffffff02);
    expect(() => parseCommunity('70000:1')).toThrow();
  });
});
