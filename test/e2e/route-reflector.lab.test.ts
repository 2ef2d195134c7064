// Demo topology with n1 as route reflector: clients keep one iBGP session (to n1) and still reach
// every pod.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Cluster } from './cluster';

let cluster: Cluster;
beforeAll(async () => {
  cluster = await Cluster.create({ prefix: 'te2', nodes: 3, encap: 'none', rr: true });
}, 120_000);
afterAll(async () => cluster?.destroy(), 60_000);

it('route reflector: clients peer only with n1, the ping matrix is full', async () => {
  const [rr, c2, c3] = cluster.nodes;
  expect((await c2.peers()).map((p) => `${p.name} ${p.type}`).sort()).toEqual(['Mesh_198_18_1_1 rr', 'tor global']);
  expect((await c3.peers()).map((p) => `${p.name} ${p.type}`).sort()).toEqual(['Mesh_198_18_1_1 rr', 'tor global']);
  expect((await rr.peers()).map((p) => `${p.name} ${p.type}`).sort()).toEqual(['Mesh_198_18_1_2 rr-client', 'Mesh_198_18_1_3 rr-client', 'tor global']);
  const m = await cluster.pingMatrix();
  expect(m.failed).toEqual([]);
  expect(m.ok).toBe(30);
}, 60_000);
