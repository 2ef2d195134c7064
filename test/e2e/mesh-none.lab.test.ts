// Demo topology, no encapsulation: full mesh + FRR ToR; every pod reaches every other pod and the ToR
// holds exactly the confirmed pod blocks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cluster } from './cluster';
import { confirmedBlocks } from './checks';

let cluster: Cluster;
beforeAll(async () => {
  cluster = await Cluster.create({ prefix: 'te2', nodes: 3, encap: 'none' });
}, 120_000);
afterAll(async () => cluster?.destroy(), 60_000);

describe('full mesh, encapsulation none', () => {
  it('every pod pings every other pod', async () => {
    const m = await cluster.pingMatrix();
    expect(m.failed).toEqual([]);
    expect(m.ok).toBe(30);
  }, 60_000);

  it('the ToR receives exactly the pod blocks and nothing else', async () => {
    const blocks = (await confirmedBlocks(cluster.store)).map((b) => b.cidr).sort();
    expect(blocks).toHaveLength(3);
    expect(await cluster.torPrefixes()).toEqual(blocks);
  });

  it('each node has a blackhole for its own block and a route via the owner for every other block', async () => {
    const blocks = await confirmedBlocks(cluster.store);
    for (const n of cluster.nodes) {
      const routes = await n.routes();
      for (const b of blocks) {
        const r = routes.get(b.cidr);
        if (b.node === n.name) expect(r?.type).toBe('blackhole');
        else expect(r?.gateway).toBe(cluster.nodes.find((x) => x.name === b.node)!.spec.address);
      }
    }
  });
});
