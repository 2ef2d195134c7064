import { describe, expect, it } from 'vitest';
import type { Candidate } from './decision';
import { rankPaths } from './decision';

const base: Candidate = {
  localPref: 100, local: false, asPathLen: 2, origin: 0, med: 0, neighborAs: 65001, ebgp: true,
  routerId: 10, clusterLen: 0, peerAddr: '4c6120001',
};
const c = (over: Partial<Candidate>): Candidate => ({ ...base, ...over });
const opts = { maxPaths: 1, alwaysCompareMed: false };
const best = (cs: Candidate[], o = opts): number => rankPaths(cs, o).order[0];

describe('decision process, one tie-break at a time', () => {
  it('prefers the higher LOCAL_PREF over everything after it', () => {
    expect(best([c({ localPref: 100, asPathLen: 1 }), c({ localPref: 200, asPathLen: 9 })])).toBe(1);
  });
  it('prefers a locally originated route at equal LOCAL_PREF', () => {
    expect(best([c({ asPathLen: 0 }), c({ local: true, ebgp: false, asPathLen: 3 })])).toBe(1);
  });
  it('prefers the shorter AS path', () => {
    expect(best([c({ asPathLen: 3, origin: 0 }), c({ asPathLen: 2, origin: 2 })])).toBe(1);
  });
  it('prefers the lower ORIGIN', () => {
    expect(best([c({ origin: 2, med: 0 }), c({ origin: 1, med: 50 })])).toBe(1);
  });
  it('prefers the lower MED between routes from the same neighbour AS', () => {
    expect(best([c({ med: 20, routerId: 1 }), c({ med: 10, routerId: 2 })])).toBe(1);
  });
  it('ignores MED between different neighbour ASes unless always-compare is set', () => {
    const cs = [c({ med: 20, neighborAs: 1, routerId: 1 }), c({ med: 10, neighborAs: 2, routerId: 2 })];
    expect(best(cs)).toBe(0); // decided by router id
    expect(best(cs, { maxPaths: 1, alwaysCompareMed: true })).toBe(1);
  });
  it('applies MED per neighbour AS group (non-transitive case follows the RFC elimination)', () => {
    // A(AS1, med 10) beats B(AS1, med 20); C(AS2, med 5) is not comparable to them by MED.
    const cs = [c({ neighborAs: 1, med: 20, routerId: 1 }), c({ neighborAs: 2, med: 5, routerId: 3 }), c({ neighborAs: 1, med: 10, routerId: 2 })];
    const r = rankPaths(cs, opts);
    expect(r.order[0]).toBe(2); // B eliminated by A; then A vs C by router id (2 < 3)
  });
  it('prefers eBGP over iBGP', () => {
    expect(best([c({ ebgp: false, routerId: 1 }), c({ ebgp: true, routerId: 9 })])).toBe(1);
  });
  it('prefers the lower router id, using ORIGINATOR_ID when present', () => {
    expect(best([c({ routerId: 20 }), c({ routerId: 5 })])).toBe(1);
  });
  it('prefers the shorter CLUSTER_LIST', () => {
    expect(best([c({ clusterLen: 2, peerAddr: '4a' }), c({ clusterLen: 1, peerAddr: '4b' })])).toBe(1);
  });
  it('finally prefers the lower peer address', () => {
    expect(best([c({ peerAddr: '4c6120002' }), c({ peerAddr: '4c6120001' })])).toBe(1);
  });
});

describe('multipath set', () => {
  it('contains the paths equal through the eBGP/iBGP step, capped at maxPaths, best first', () => {
    const cs = [c({ routerId: 3 }), c({ routerId: 1 }), c({ routerId: 2 }), c({ asPathLen: 5 })];
    expect(rankPaths(cs, { maxPaths: 8, alwaysCompareMed: false })).toEqual({ order: [1, 2, 0, 3], multipath: 3 });
    expect(rankPaths(cs, { maxPaths: 2, alwaysCompareMed: false }).multipath).toBe(2);
    expect(rankPaths(cs, { maxPaths: 1, alwaysCompareMed: false }).multipath).toBe(1);
  });
  it('does not mix eBGP and iBGP paths', () => {
    const r = rankPaths([c({ ebgp: false, routerId: 1 }), c({ routerId: 2 })], { maxPaths: 4, alwaysCompareMed: false });
    expect(r).toEqual({ order: [1, 0], multipath: 1 });
  });
});
