import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runIpamCommand } from '../../bgpd/bgpctl/ipam-cmd';
import { Block } from '../block';
import { Cidr } from '../cidr';
import type { Datastore } from '../datastore';
import { Ipam } from '../ipam';
import { blockKey } from '../keys';
import { createPool } from '../pools';
import { FileStore } from '../store/file-store';
import { MemoryStore } from '../store/memory-store';
import { checkIpam, overlappingBlockPairs, renderCheck } from './check';

const c = (t: string): { cidr: Cidr } => ({ cidr: Cidr.parse(t)! });
const names = (pairs: [{ cidr: Cidr }, { cidr: Cidr }][]): string[] => pairs.map(([o, i]) => `${o.cidr} > ${i.cidr}`).sort();

/** A block written straight into the store, as an older version or a hand edit could have. */
async function putBlock(ds: Datastore, cidr: string, affinity: string | null = null): Promise<void> {
  const block = Block.create(Cidr.parse(cidr)!, affinity);
  await ds.create(blockKey(cidr, block.cidr.family), JSON.stringify(block.toRecord()));
}

describe('overlappingBlockPairs', () => {
  it('lists each nested pair once, larger first; disjoint blocks and the other family never pair', () => {
    const blocks = ['10.0.0.64/28', '10.0.0.0/24', '10.0.1.0/26', '10.0.0.64/26', '10.0.0.0/26', '::/120', 'fd00::/122', 'fd00::40/122', 'fd00::/120'].map(c);
    expect(names(overlappingBlockPairs(blocks))).toEqual(
      ['10.0.0.0/24 > 10.0.0.0/26', '10.0.0.0/24 > 10.0.0.64/26', '10.0.0.0/24 > 10.0.0.64/28', '10.0.0.64/26 > 10.0.0.64/28', 'fd00::/120 > fd00::/122', 'fd00::/120 > fd00::40/122'].sort(),
    );
    expect(overlappingBlockPairs(['10.0.0.0/26', '10.0.0.64/26', '10.0.0.128/25'].map(c))).toEqual([]);
  });

  it('agrees with comparing every pair (fast-check)', () => {
    const block = fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 24, max: 30 })).map(([host, prefix]) => Cidr.parse(`10.9.0.${host}/${prefix}`, false)!);
    fc.assert(
      fc.property(fc.uniqueArray(block, { selector: (x) => x.toString(), maxLength: 12 }), (cidrs) => {
        const blocks = cidrs.map((cidr) => ({ cidr }));
        const brute: string[] = [];
        for (const a of blocks) for (const b of blocks) if (a !== b && a.cidr.prefix < b.cidr.prefix && a.cidr.overlaps(b.cidr)) brute.push(`${a.cidr} > ${b.cidr}`);
        expect(names(overlappingBlockPairs(blocks))).toEqual(brute.sort());
      }),
      { numRuns: 300 },
    );
  });
});

describe('checkIpam: overlapping blocks', () => {
  it('reports a hand-written /24 over an allocator /26 as one problem on the smaller block, and renders it', async () => {
    const ds = new MemoryStore();
    await createPool(ds, { name: 'p4', cidr: '10.0.0.0/16' });
    const [a] = await new Ipam(ds).autoAssign({ handleId: 'h1', node: 'n1', family: 4, owner: { namespace: 'default', pod: 'web-1' } });
    expect((await checkIpam(ds)).problems).toEqual([]);
    const small = Cidr.parse(`${a.ip}/26`, false)!.toString(); // the pool's default block size
    const big = Cidr.parse(`${a.ip}/24`, false)!.toString();
    await putBlock(ds, big);

    const r = await checkIpam(ds);
    expect(r.problems).toEqual([
      expect.objectContaining({
        kind: 'overlapping-blocks',
        key: blockKey(small, 4),
        block: small,
        overlaps: big,
        detail: `block ${small} (host:n1, 1 allocated) lies inside block ${big} (no affinity, 0 allocated): its addresses can be assigned from both`,
      }),
    ]);
    expect(renderCheck(r)).toContain(`overlapping-blocks: 1\n  block ${small} (host:n1`);
  });
});

describe('bgpctl ipam check with overlapping blocks', () => {
  const dir = mkdtempSync('/tmp/tortie-ipam-check-');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 1 and lists every pair', async () => {
    const ds = new FileStore(join(dir, 'store'), { durable: false });
    await putBlock(ds, '10.0.0.0/24');
    await putBlock(ds, '10.0.0.0/26');
    await putBlock(ds, '10.0.0.192/26');
    await putBlock(ds, '10.0.1.0/26');
    let out = '';
    const code = await runIpamCommand(['check'], { out: (t) => (out += t), err: () => undefined, env: { TORTIE_DATASTORE: `file:${dir}/store?nosync` } });
    expect(code).toBe(1);
    expect(out).toContain('overlapping-blocks: 2\n');
    expect(out).toContain('block 10.0.0.0/26 (no affinity, 0 allocated) lies inside block 10.0.0.0/24');
    expect(out).toContain('block 10.0.0.192/26 (no affinity, 0 allocated) lies inside block 10.0.0.0/24');
    expect(out).not.toContain('10.0.1.0/26 (');
    expect(out).toContain('Check complete; found 2 problems.');
  });
});
