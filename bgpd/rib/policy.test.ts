import { describe, expect, it } from 'vitest';
import { Afi, AsPathSegmentType as T } from '../wire/types';
import type { PathAttributes } from '../wire/types';
import type { Policy, PolicyInput } from './policy';
import { compileAsPathRegex, compilePolicy, parseCommunity, parseLargeCommunity } from './policy';
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
    expect(run(exact, '10.1.0.0/16').verdict).toBe('accept');
    expect(run(exact, '10.1.2.0/24').verdict).toBe('reject');
    const range = only({ prefixList: [{ prefix: '10.0.0.0/8', ge: 24, le: 26 }] });
    expect(run(range, '10.9.9.0/24').verdict).toBe('accept');
    expect(run(range, '10.9.9.0/27').verdict).toBe('reject');
    expect(run(range, '10.9.0.0/16').verdict).toBe('reject');
    expect(run(range, '11.9.9.0/24').verdict).toBe('reject');
    const v6 = only({ prefixList: [{ prefix: 'fd00::/8', le: 128 }] });
    expect(compilePolicy(v6, Afi.IPv4).prefixDependent).toBe(true);
    expect(run(v6, '10.1.0.0/16').verdict).toBe('reject');
    expect(compilePolicy(v6, Afi.IPv6).evaluate({ ...inp('10.0.0.0/8'), prefix: prefixKey(Afi.IPv6, 'fd12::/64') }).verdict).toBe('accept');
  });
  it('non-octet-aligned prefix list lengths compare only the covered bits', () => {
    const p = only({ prefixList: [{ prefix: '10.1.128.0/17', le: 32 }] });
    expect(run(p, '10.1.200.0/24').verdict).toBe('accept');
    expect(run(p, '10.1.100.0/24').verdict).toBe('reject');
  });
  it('community and large-community match (any of)', () => {
    expect(run(only({ community: [parseCommunity('65000:9'), parseCommunity('65000:2')] })).verdict).toBe('accept');
    expect(run(only({ community: [parseCommunity('65000:9')] })).verdict).toBe('reject');
    expect(run(only({ largeCommunity: [{ global: 65000, local1: 1, local2: 2 }] })).verdict).toBe('accept');
    expect(run(only({ largeCommunity: [{ global: 65000, local1: 1, local2: 3 }] })).verdict).toBe('reject');
  });
  it('AS path: contains, originates from, regex-lite with _ boundaries', () => {
    expect(run(only({ asPathContains: 65002 })).verdict).toBe('accept');
    expect(run(only({ asPathContains: 65009 })).verdict).toBe('reject');
    expect(run(only({ asPathOriginatesFrom: 65003 })).verdict).toBe('accept');
    expect(run(only({ asPathOriginatesFrom: 65001 })).verdict).toBe('reject');
    expect(run(only({ asPathRegex: '^65001_' })).verdict).toBe('accept');
    expect(run(only({ asPathRegex: '_6500_' })).verdict).toBe('reject');
    expect(run(only({ asPathRegex: '_65003$' })).verdict).toBe('accept');
    expect(() => compileAsPathRegex('a{1}')).toThrow();
  });
  it('route source', () => {
    expect(run(only({ source: ['ebgp'] })).verdict).toBe('accept');
    expect(run(only({ source: ['local', 'ibgp'] })).verdict).toBe('reject');
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
    expect(run(p).verdict).toBe('reject');
    const r = run(p, '10.0.0.0/8', { ...attrs, asPath: [] });
    expect(r.verdict).toBe('accept');
    expect(r.attrs.localPref).toBe(300);
    expect(run({ rules: [], defaultAction: 'reject' }).verdict).toBe('reject');
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

describe('policy chains and the config schema shapes', () => {
  it("'next' rules apply their actions and go on; 'builtin' defaults pass to the next policy, then to the caller", () => {
    const tag: Policy = { rules: [{ match: {}, action: 'next', actions: { addCommunities: [parseCommunity('65000:9')], setMed: 3 } }], defaultAction: 'builtin' };
    const lp: Policy = { rules: [{ match: { community: [parseCommunity('65000:9')] }, action: 'next', actions: { setLocalPref: 70 } }], defaultAction: 'builtin' };
    const r = compilePolicy([tag, lp], Afi.IPv4).evaluate(inp('10.0.0.0/8'));
    expect(r.verdict).toBe('builtin');
    expect(r.attrs).toMatchObject({ localPref: 70, med: 3 });
    expect(r.attrs.communities).toContain(parseCommunity('65000:9'));
    expect(r.setMed).toBe(true);
    const rejectAll: Policy = { rules: [], defaultAction: 'reject' };
    expect(compilePolicy([tag, rejectAll, lp], Afi.IPv4).evaluate(inp('10.0.0.0/8')).verdict).toBe('reject');
    expect(compilePolicy([], Afi.IPv4).evaluate(inp('10.0.0.0/8')).verdict).toBe('builtin');
  });
  it('AS path lists and max length, family, community wildcards, large community text', () => {
    expect(run(only({ asPathContains: [1, 65003] })).verdict).toBe('accept');
    expect(run(only({ asPathOriginatesFrom: [1, 2] })).verdict).toBe('reject');
    expect(run(only({ asPathMaxLength: 3 })).verdict).toBe('accept');
    expect(run(only({ asPathMaxLength: 2 })).verdict).toBe('reject');
    expect(run(only({ family: Afi.IPv6 })).verdict).toBe('reject');
    expect(run(only({ family: Afi.IPv4 })).verdict).toBe('accept');
    const r = run({ rules: [{ match: {}, action: 'accept', actions: { removeCommunitiesMatching: [{ asn: 65000 }] } }], defaultAction: 'reject' },
      '10.0.0.0/8', { ...attrs, communities: [...(attrs.communities ?? []), parseCommunity('65001:1')] });
    expect(r.attrs.communities).toEqual([parseCommunity('65001:1')]);
    expect(parseLargeCommunity('65000:1:4294967295')).toEqual({ global: 65000, local1: 1, local2: 4294967295 });
    expect(() => parseLargeCommunity('1:2')).toThrow();
  });
});
