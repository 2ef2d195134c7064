// Demo topology with an IPIP pool: full ping matrix over tunl0. Where the host kernel has the ipip driver
// the cluster is built in namespaces here; this VM's kernel has none, so the same cluster (cluster.ts:
// 3 nodes with dist/bgpd, FRR ToR, 2 pods per node through the CNI plugin) is built inside user-mode-linux
// by uml-ipip-guest.ts, which prints its checks as one JSON line on the console.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureUml, runInUml } from '../../dataplane/programmer/uml/uml';
import { Cluster } from './cluster';
import { confirmedBlocks } from './checks';
import { parseGuestResult } from './uml-result';

const ipipWorks = spawnSync('unshare', ['-n', 'ip', 'link', 'add', 't0', 'type', 'ipip', 'remote', '198.18.9.9']).status === 0;

if (ipipWorks) describe('ipip in namespaces (host kernel has the ipip driver)', () => {
  let cluster: Cluster | undefined;
  beforeAll(async () => {
    cluster = await Cluster.create({ prefix: 'te2', nodes: 3, encap: 'ipip' });
  }, 120_000);
  afterAll(async () => cluster?.destroy(), 60_000);

  it('every pod pings every other pod, remote blocks go through tunl0', async () => {
    const c = cluster!;
    const blocks = await confirmedBlocks(c.store);
    const n1 = await c.nodes[0].routes();
    for (const b of blocks.filter((x) => x.node !== 'n1')) expect(n1.get(b.cidr)?.dev).toBe('tunl0');
    const m = await c.pingMatrix();
    expect(m.failed).toEqual([]);
    expect(m.ok).toBe(30);
    expect(await c.torPrefixes()).toEqual(blocks.map((b) => b.cidr).sort());
  }, 60_000);
});

else describe('ipip inside user-mode-linux (host kernel has no ipip driver)', () => {
  const kernel = ensureUml();
  const guest = fileURLToPath(new URL('./uml-ipip-guest.ts', import.meta.url));

  it.skipIf(typeof kernel === 'string')(`3 nodes + FRR ToR, 2 pods each: routes via tunl0 onlink, tunl0 MTU underlay-20, 30/30 pings through tunl0${typeof kernel === 'string' ? ` (skipped: ${kernel})` : ''}`, async () => {
    if (typeof kernel === 'string') return;
    const run = await runInUml(kernel, guest, { memMb: 1536, timeoutMs: 170_000 });
    const res = parseGuestResult(run.output);
    expect(res, `no result line; UML exit ${run.code}, output tail:\n${run.output.slice(-3000)}`).toBeDefined();
    const failed = res!.checks.filter((c) => !c.ok);
    expect(failed).toEqual([]);
    const names = res!.checks.map((c) => c.name);
    // per node: tunl0 + one route per remote block (2); plus blocks, ping matrix, tunl0 traffic, ToR
    expect(names.length).toBe(3 * 3 + 4);
    for (const want of ['one confirmed block per node', 'n1: tunl0 up, mtu underlay-20', 'ping matrix: 30 of 30 pod pairs',
      'pod traffic between nodes left through tunl0', 'ToR (FRR) learned every block']) expect(names).toContain(want);
    expect(names.filter((n) => / via n\d dev tunl0 onlink$/.test(n))).toHaveLength(6);
    console.log(`UML ipip cluster: ${(run.ms / 1000).toFixed(1)} s boot to poweroff; guest phases (ms) ${JSON.stringify(res!.phases)}`);
  }, 180_000);
});
