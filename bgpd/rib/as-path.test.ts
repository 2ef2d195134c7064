import { describe, expect, it } from 'vitest';
import { AsPathSegmentType as T } from '../wire/types';
import { asPathLength, asPathString, countAs, neighborAs, originAs, prependAs } from './as-path';

const path = [
  { type: T.AS_CONFED_SEQUENCE, asns: [64512, 64513] },
  { type: T.AS_SEQUENCE, asns: [65001, 65002] },
  { type: T.AS_SET, asns: [65003, 65004, 65005] },
];

describe('as-path facts', () => {
  it('counts an AS_SET as 1 and confederation segments as 0', () => {
    expect(asPathLength(path)).toBe(3);
    expect(asPathLength(undefined)).toBe(0);
  });
  it('finds the neighbour AS past confederation segments, and the origin AS', () => {
    expect(neighborAs(path)).toBe(65001);
    expect(originAs(path)).toBe(0); // ends in a set
    expect(originAs([{ type: T.AS_SEQUENCE, asns: [1, 2, 3] }])).toBe(3);
  });
  it('prints the path and counts an AS', () => {
    expect(asPathString(path)).toBe('(64512 64513) 65001 65002 {65003,65004,65005}');
    expect(countAs(path, 65004)).toBe(1);
  });
  it('prepends into the leading sequence without touching the input', () => {
    const p = [{ type: T.AS_SEQUENCE, asns: [2] }];
    expect(prependAs(p, 1, 2)).toEqual([{ type: T.AS_SEQUENCE, asns: [1, 1, 2] }]);
    expect(p[0].asns).toEqual([2]);
    expect(prependAs([{ type: T.AS_SET, asns: [5] }], 7, 1)[0]).toEqual({ type: T.AS_SEQUENCE, asns: [7] });
  });
});
