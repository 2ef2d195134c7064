// Which existing blocks a candidate block CIDR overlaps, for thousands of blocks: ranges sorted by start
// with a running maximum of their ends, so one binary search answers (O(log n) per question, O(n log n)
// to build). Blocks normally never overlap each other, but this must stay right when they do (a store
// written by an older version, or by hand), which is what the running maximum is for.
import type { Cidr } from './cidr';

/** First and last address of a CIDR as integers (BigInt for both families: one code path). */
export function cidrRange(c: Cidr): readonly [bigint, bigint] {
  const net = c.network;
  const start = net.family === 4 ? BigInt(net.v4) : net.v6;
  return [start, start + (1n << BigInt(c.bits - c.prefix)) - 1n];
}

export class BlockRanges {
  private readonly starts: bigint[] = [];
  private readonly ends: bigint[] = [];
  /** maxEnd[i] = the largest end among the first i+1 ranges. */
  private readonly maxEnd: bigint[] = [];
  private readonly cidrs: Cidr[] = [];

  constructor(blocks: readonly Cidr[]) {
    const rs = blocks.map((c) => ({ c, r: cidrRange(c) })).sort((a, b) => (a.r[0] < b.r[0] ? -1 : a.r[0] > b.r[0] ? 1 : 0));
    let max = -1n;
    for (const { c, r } of rs) {
      this.starts.push(r[0]);
      this.ends.push(r[1]);
      max = r[1] > max ? r[1] : max;
      this.maxEnd.push(max);
      this.cidrs.push(c);
    }
  }

  get size(): number {
    return this.cidrs.length;
  }

  /** A block sharing at least one address with `c` (of either family: the caller keeps one family), if any. */
  overlapping(c: Cidr): Cidr | undefined {
    const [lo, hi] = cidrRange(c);
    // last range starting at or before hi
    let l = 0;
    let r = this.starts.length - 1;
    let last = -1;
    while (l <= r) {
      const m = (l + r) >> 1;
      if (this.starts[m] <= hi) {
        last = m;
        l = m + 1;
      } else r = m - 1;
    }
    if (last < 0 || this.maxEnd[last] < lo) return undefined;
    // one of ranges 0..last ends at or after lo: walk back to it (it is the nearest one unless blocks overlap)
    for (let i = last; i >= 0; i--) if (this.ends[i] >= lo) return this.cidrs[i];
    return undefined;
  }
}
