// Demo topology with an IPIP pool: full ping matrix over tunl0. Kernels without the ipip driver (this
// VM's) cannot run it in namespaces: the test is skipped there (the route programmer's own IPIP test
// runs inside User-Mode Linux instead, dataplane/programmer/ipip-uml.lab.test.ts).
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Cluster } from './cluster';
import { confirmedBlocks } from './checks';

const ipipWorks = spawnSync('unshare', ['-n', 'ip', 'link', 'add', 't0', 'type', 'ipip', 'remote', '198.18.9.9']).status === 0;

let cluster: Cluster | undefined;
beforeAll(async () => {
  if (ipipWorks) cluster = await Cluster.create({ prefix: 'te2', nodes: 3, encap: 'ipip' });
}, 120_000);
afterAll(async () => cluster?.destroy(), 60_000);

it.skipIf(!ipipWorks)('ipip: every pod pings every other pod, remote blocks go through tunl0 (skipped: no ipip driver in this kernel)', async () => {
  const c = cluster!;
  const blocks = await confirmedBlocks(c.store);
  const n1 = await c.nodes[0].routes();
  for (const b of blocks.filter((x) => x.node !== 'n1')) expect(n1.get(b.cidr)?.dev).toBe('tunl0');
  const m = await c.pingMatrix();
  expect(m.failed).toEqual([]);
  expect(m.ok).toBe(30);
  expect(await c.torPrefixes()).toEqual(blocks.map((b) => b.cidr).sort());
}, 60_000);
