// Demo topology with a VXLAN pool: full ping matrix over vxlan.tortie.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Cluster } from './cluster';
import { bgpdCapabilities } from './manifest-caps';
import { confirmedBlocks } from './checks';

let cluster: Cluster;
beforeAll(async () => {
  // with only the DaemonSet's capabilities: the vxlan device, FDB and neighbour entries need nothing more
  cluster = await Cluster.create({ prefix: 'te2', nodes: 3, encap: 'vxlan', capabilities: bgpdCapabilities() });
}, 120_000);
afterAll(async () => cluster?.destroy(), 60_000);

it('vxlan: every pod pings every other pod, remote blocks go through vxlan.tortie', async () => {
  const m = await cluster.pingMatrix();
  expect(m.failed).toEqual([]);
  expect(m.ok).toBe(30);
  const blocks = await confirmedBlocks(cluster.store);
  const n1 = await cluster.nodes[0].routes();
  for (const b of blocks.filter((x) => x.node !== 'n1')) expect(n1.get(b.cidr)?.dev).toBe('vxlan.tortie');
  expect(await cluster.torPrefixes()).toEqual(blocks.map((b) => b.cidr).sort());
}, 60_000);
