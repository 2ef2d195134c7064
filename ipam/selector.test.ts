import { describe, expect, it } from 'vitest';
import { poolProblems } from './pools';
import { parseSelector, selectorSyntax } from './selector';

const r1 = { rack: 'r1', zone: 'a', gpu: '' };
const r2 = { rack: 'r2', zone: 'c', spot: 'true' };
const sel = (s: string) => {
  const f = parseSelector(s);
  if (!f) throw new Error(`rejected: ${s}`);
  return [f(r1), f(r2), f({})];
};

describe('Kubernetes label selectors', () => {
  it('equality, inequality, set membership, existence, joined with commas', () => {
    expect(sel('rack=r1')).toEqual([true, false, false]);
    expect(sel('rack==r1')).toEqual([true, false, false]);
    // != and notin also select nodes without the label, as in Kubernetes
    expect(sel('rack!=r1')).toEqual([false, true, true]);
    expect(sel('zone in (a,b)')).toEqual([true, false, false]);
    expect(sel('zone notin (a, b)')).toEqual([false, true, true]);
    expect(sel('gpu')).toEqual([true, false, false]);
    expect(sel('!spot')).toEqual([true, false, true]);
    expect(sel('rack=r1,zone in (a,b),!spot,gpu')).toEqual([true, false, false]);
    expect(sel('rack in (r1,r2),spot')).toEqual([false, true, false]);
    expect(sel('topology.kubernetes.io/zone!=x')).toEqual([true, true, true]);
  });

  it('rejects what the apiserver rejects instead of selecting nothing or everything', () => {
    for (const bad of ['zone in ()', 'zone in (a,)', 'zone in (a', 'rack=r1,', 'rack =~ r1', 'rack > 3', 'zone in a,b', '=r1', 'ra ck=r1', 'zone in (a b)']) {
      expect(parseSelector(bad), bad).toBeUndefined();
    }
  });
});

describe('the Calico subset (IPPool.nodeSelector)', () => {
  it('keeps working', () => {
    expect(sel('rack == "r1"')).toEqual([true, false, false]);
    expect(sel("rack != 'r1'")).toEqual([false, true, true]);
    expect(sel('has(gpu) && zone == "a"')).toEqual([true, false, false]);
    expect(sel('!has(spot)')).toEqual([true, false, true]);
    expect(sel('all()')).toEqual([true, true, true]);
    expect(sel('')).toEqual([true, true, true]);
    for (const bad of ['rack == r1 && has(x)', 'has(x) || has(y)', 'rack == "r1" , gpu']) expect(parseSelector(bad), bad).toBeUndefined();
  });

  it('is told apart from Kubernetes syntax by quotes, && and has()/all() alone', () => {
    expect(selectorSyntax('rack == "r1"')).toBe('calico');
    expect(selectorSyntax('has(x)')).toBe('calico');
    expect(selectorSyntax('all()')).toBe('calico');
    expect(selectorSyntax('rack==r1')).toBe('kubernetes');
    expect(selectorSyntax('has in (x)')).toBe('kubernetes');
    expect(selectorSyntax('all,has')).toBe('kubernetes');
    expect(sel('has in (x)')).toEqual([false, false, false]);
  });
});

describe('IPPool.nodeSelector validation (ipam/pools.ts) takes both syntaxes', () => {
  it('accepts a Kubernetes and a Calico selector, refuses one neither parses', () => {
    expect(poolProblems({ cidr: '10.244.0.0/16', nodeSelector: 'rack in (r1,r2),!spot' })).toEqual([]);
    expect(poolProblems({ cidr: '10.244.0.0/16', nodeSelector: 'rack == "r1" && has(gpu)' })).toEqual([]);
    expect(poolProblems({ cidr: '10.244.0.0/16', nodeSelector: 'rack in (r1' }).map((p) => p.field)).toEqual(['nodeSelector']);
  });
});
