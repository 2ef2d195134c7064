import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BlockRanges } from './block-ranges';
import { Cidr } from './cidr';

// CIDRs inside 10.0.0.0/24 (v4) or fd00::/120 (v6), of any length from /24 (/120) to /32 (/128)
const cidrIn = (family: 4 | 6) =>
  fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 8 })).map(([host, extra]) => {
    const text = family === 4 ? `10.0.0.${host}/${24 + extra}` : `fd00::${host.toString(16)}/${120 + extra}`;
    return Cidr.parse(text, false)!;
  });

describe('BlockRanges', () => {
  for (const family of [4, 6] as const) {
    it(`IPv${family}: finds an overlapping block exactly when a linear scan does, overlapping blocks included`, () => {
      fc.assert(
        fc.property(fc.array(cidrIn(family), { maxLength: 30 }), cidrIn(family), (blocks, probe) => {
          const got = new BlockRanges(blocks).overlapping(probe);
          const want = blocks.some((b) => b.overlaps(probe));
          expect(got !== undefined).toBe(want);
          if (got) expect(got.overlaps(probe)).toBe(true);
        }),
        { numRuns: 300 },
      );
    });
  }

  it('answers in microseconds for thousands of blocks', () => {
    const pool = Cidr.parse('10.0.0.0/12')!;
    const blocks = Array.from({ length: 8000 }, (_, i) => pool.subnet(26, i * 2));
    const t0 = process.cpuUsage();
    const idx = new BlockRanges(blocks);
    let hits = 0;
    for (let i = 0; i < 16000; i++) if (idx.overlapping(pool.subnet(28, i * 4))) hits++;
    const us = process.cpuUsage(t0);
    expect(hits).toBe(8000); // every other /26 exists: the /28s of the even ones overlap
    expect(idx.overlapping(Cidr.parse('10.0.0.64/28')!)).toBeUndefined();
    const big = Cidr.parse('10.0.0.0/20')!;
    expect(big.containsCidr(idx.overlapping(big)!)).toBe(true);
    expect(idx.overlapping(Cidr.parse('10.15.255.0/24')!)).toBeUndefined(); // past the last block
    // generous bound (noisy shared box); a linear scan would be ~128M compares
    expect((us.user + us.system) / 1000).toBeLessThan(1000);
  });
});
