import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Cidr } from '../../ipam/cidr';
import { compilePolicy } from '../rib/policy';
import type { PolicyChain, RouteSource } from '../rib/policy';
import { prefixKey } from '../rib/prefix-key';
import { Afi } from '../wire/types';
import { complement, parseBgpFilter, peerPolicies } from './k8s-filters';
import type { ParsedFilter } from './k8s-filters';

const filter = (name: string, spec: Record<string, unknown>): ParsedFilter => parseBgpFilter({ metadata: { name }, spec });
const verdict = (chain: PolicyChain, prefix: string, source: RouteSource = 'ebgp'): string => {
  const afi = prefix.includes(':') ? Afi.IPv6 : Afi.IPv4;
  return compilePolicy(chain, afi).evaluate({ prefix: prefixKey(afi, prefix), attrs: {}, source, localAs: 64512 }).verdict;
};

describe('parseBgpFilter', () => {
  it('translates each operator with Calico/BIRD meaning; unmatched routes pass on (builtin)', () => {
    const f = filter('f', {
      importV4: [
        { cidr: '10.0.0.0/8', matchOperator: 'Equal', action: 'Accept' },
        { cidr: '10.1.0.0/16', matchOperator: 'In', prefixLength: { min: 24, max: 26 }, action: 'Reject' },
        { cidr: '10.0.0.0/8', matchOperator: 'In', action: 'Accept' },
      ],
      exportV4: [{ cidr: '192.168.0.0/16', matchOperator: 'NotIn', action: 'Reject' }],
      importV6: [{ cidr: 'fd00::/8', matchOperator: 'NotEqual', action: 'Reject' }],
    });
    expect(f.problems).toEqual([]);
    const p = f.filter!.policies;
    expect(Object.keys(p).sort()).toEqual(['exportV4', 'importV4', 'importV6']);
    expect(verdict(p.importV4!, '10.0.0.0/8')).toBe('accept');
    expect(verdict(p.importV4!, '10.1.2.0/24')).toBe('reject');
    expect(verdict(p.importV4!, '10.1.2.0/27')).toBe('accept'); // out of 24..26: falls to the In /8 rule
    expect(verdict(p.importV4!, '11.0.0.0/8')).toBe('builtin');
    expect(verdict(p.exportV4!, '192.168.4.0/24')).toBe('builtin');
    expect(verdict(p.exportV4!, '192.0.0.0/8')).toBe('reject'); // a supernet is not "in"
    expect(verdict(p.exportV4!, '10.0.0.0/24')).toBe('reject');
    expect(verdict(p.importV6!, 'fd00::/8')).toBe('builtin');
    expect(verdict(p.importV6!, 'fd00::/64')).toBe('reject');
    // rules of a V4 list never see v6 routes
    expect(verdict(p.importV4!, 'fd00::/64')).toBe('builtin');
  });

  it('a rule without cidr matches every route of the family; source RemotePeers spares local routes', () => {
    const f = filter('f', { exportV4: [{ source: 'RemotePeers', action: 'Reject' }, { action: 'Accept' }] });
    const chain = f.filter!.policies.exportV4!;
    expect(verdict(chain, '10.9.0.0/16', 'ibgp')).toBe('reject');
    expect(verdict(chain, '10.9.0.0/16', 'local')).toBe('accept');
  });

  it('names the field of every problem and yields no filter', () => {
    const f = filter('bad', {
      importV4: [
        { cidr: 'fd00::/8', matchOperator: 'In', action: 'Accept' },
        { cidr: '10.0.0.0/8', matchOperator: 'Like', action: 'Accept' },
        { cidr: '10.0.0.0/8', matchOperator: 'Equal', prefixLength: { min: 8 }, action: 'Accept' },
        { cidr: '10.0.0.0/16', matchOperator: 'In', prefixLength: { min: 8, max: 24 }, action: 'Accept' },
        { cidr: '10.0.0.0/8', matchOperator: 'In', action: 'Drop' },
        { interface: 'eth*', action: 'Reject' },
        { matchOperator: 'In', action: 'Reject' },
        { cidr: '10.1.2.3/16', matchOperator: 'In', action: 'Reject' },
      ],
      exportV6: 'all',
    });
    expect(f.filter).toBeUndefined();
    expect(f.problems).toEqual([
      'spec.importV4[0].cidr: expected an IPv4 CIDR, found "fd00::/8"',
      'spec.importV4[1].matchOperator: expected one of Equal, NotEqual, In, NotIn, found "Like"',
      'spec.importV4[2].prefixLength: only valid with In or NotIn',
      'spec.importV4[3].prefixLength: expected 16 ≤ min ≤ max ≤ 32, found {"min":8,"max":24}',
      'spec.importV4[4].action: expected Accept or Reject, found "Drop"',
      'spec.importV4[5].interface: not supported by tortie (supported: cidr, matchOperator, prefixLength, source, action)',
      'spec.importV4[6]: matchOperator and prefixLength need a cidr',
      'spec.importV4[7].cidr: 10.1.2.3/16 has host bits set (did you mean 10.1.0.0/16?)',
      'spec.exportV6: expected a list of rules, found "all"',
    ]);
  });
});

describe('complement', () => {
  it('matches exactly the prefixes the positive entry does not (property, v4)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 32 }), fc.integer({ min: 0, max: 32 }), fc.integer({ min: 0, max: 32 }), fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 32 }), (a, len, x, y, q, qlen) => {
        const c = Cidr.fromIp({ family: 4, v4: a >>> 0 }, len);
        const ge = Math.max(len, Math.min(x, y));
        const le = Math.max(ge, Math.max(x, y));
        const probe = Cidr.fromIp({ family: 4, v4: q >>> 0 }, qlen).toString();
        const pos = verdict({ rules: [{ match: { prefixList: [{ prefix: c.toString(), ge, le }] }, action: 'accept' }], defaultAction: 'builtin' }, probe);
        const neg = verdict({ rules: [{ match: { prefixList: complement(c, ge, le) }, action: 'accept' }], defaultAction: 'builtin' }, probe);
        expect(pos === 'accept').toBe(neg !== 'accept');
      }),
      { numRuns: 2000 },
    );
  });

  it('v6: fd00::/8 NotIn leaves fd12::/16 alone and catches 2001:db8::/32 and ::/0', () => {
    const c = Cidr.parse('fd00::/8')!;
    const chain = { rules: [{ match: { prefixList: complement(c, 8, 128) }, action: 'reject' as const }], defaultAction: 'builtin' as const };
    expect(verdict(chain, 'fd12::/16')).toBe('builtin');
    expect(verdict(chain, '2001:db8::/32')).toBe('reject');
    expect(verdict(chain, '::/0')).toBe('reject');
  });
});

describe('peerPolicies', () => {
  const filters = new Map<string, ParsedFilter>([
    ['a', filter('a', { importV4: [{ action: 'Accept' }], exportV4: [{ action: 'Reject' }], importV6: [{ action: 'Reject' }] })],
    ['b', filter('b', { exportV4: [{ action: 'Accept' }] })],
    ['broken', filter('broken', { importV4: [{ action: 'Maybe' }] })],
  ]);

  it('keeps the BGPPeer order per direction and only the lists of the session family', () => {
    const r = peerPolicies(['b', 'a'], filters, 4);
    expect(r.problems).toEqual([]);
    expect(r.policies!.importPolicy).toEqual(['BGPFilter/a/importV4']);
    expect(r.policies!.exportPolicy).toEqual(['BGPFilter/b/exportV4', 'BGPFilter/a/exportV4']);
    expect(Object.keys(r.policies!.policies).sort()).toEqual(['BGPFilter/a/exportV4', 'BGPFilter/a/importV4', 'BGPFilter/b/exportV4']);
    expect(peerPolicies(['a'], filters, 6).policies!.importPolicy).toEqual(['BGPFilter/a/importV6']);
  });

  it('a missing or invalid filter is a problem and yields no policies (the peer must be skipped)', () => {
    const r = peerPolicies(['a', 'nope', 'broken'], filters, 4);
    expect(r.policies).toBeUndefined();
    expect(r.problems).toEqual([
      'spec.filters[1]: BGPFilter "nope" does not exist; peer not configured',
      'spec.filters[2]: BGPFilter "broken" is invalid (1 problem(s) reported on it); peer not configured',
    ]);
  });
});
