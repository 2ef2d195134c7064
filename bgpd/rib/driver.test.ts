import { describe, expect, it } from 'vitest';
import { Afi } from '../wire/types';
import { RibDriver } from './driver';
import { decodeTestUpdate } from './testing-encoder';
import { addUpPeer, LOCAL_AS, makeRib, P } from './test-kit';

describe('RibDriver', () => {
  it('works the queue off in several macrotasks, delivering output per batch', async () => {
    const rib = makeRib({ coalescePrefixes: 1 });
    const got: { peer: number; n: number }[] = [];
    const driver = new RibDriver(rib, (peer, msgs) => got.push({ peer, n: msgs.map(decodeTestUpdate).reduce((s, u) => s + u.nlri.length, 0) }), 100);
    const a = addUpPeer(rib, { address: '198.18.0.2', remoteAs: LOCAL_AS }, '10.0.0.2');
    for (let i = 0; i < 1000; i++) rib.originate(Afi.IPv4, P(`10.${i >> 8}.${i & 255}.0/24`));
    await driver.whenIdle();
    expect(got.filter((g) => g.peer === a).reduce((s, g) => s + g.n, 0)).toBe(1000);
    expect(got.length).toBeGreaterThanOrEqual(9);
    expect(rib.pending).toBe(false);
    await driver.whenIdle(); // resolves at once when idle
  });
});
