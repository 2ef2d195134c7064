import { describe, expect, it } from 'vitest';
import { Ipam } from './ipam';
import { createPool } from './pools';
import { borrowedAddresses, routableBlocks } from './routes';
import { MemoryStore } from './store/memory-store';

describe('routable state', () => {
  it('lists confirmed blocks only, and borrowed addresses', async () => {
    const ds = new MemoryStore();
    await createPool(ds, { cidr: '10.0.0.0/26', blockSize: 26 });
    const ipam = new Ipam(ds);
    await ipam.res.setConfig({ maxBlocksPerHost: 1 });
    await ipam.autoAssign({ handleId: 'a', node: 'n1', family: 4 });
    // n2 finds no free block (one-block pool) and borrows from n1's block.
    const [b] = await ipam.autoAssign({ handleId: 'b', node: 'n2', family: 4 });
    // A pending claim on a block nobody created yet must not be routable.
    await ipam.res.setAffinity('n3', '10.0.0.64/26', 'pending');
    expect(await routableBlocks(ds)).toEqual([{ cidr: '10.0.0.0/26', node: 'n1' }]);
    expect(await borrowedAddresses(ds)).toEqual([{ ip: b.ip, node: 'n2', block: '10.0.0.0/26', blockNode: 'n1' }]);
  });
});
