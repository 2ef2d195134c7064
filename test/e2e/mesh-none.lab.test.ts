// Demo topology, no encapsulation: full mesh + FRR ToR; every pod reaches every other pod and the ToR
// holds exactly the confirmed pod blocks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cluster } from './cluster';
import { confirmedBlocks } from './checks';
import { waitFor } from '../lab/wait-for';

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

describe('health endpoint inside a node', () => {
  const get = async (path: string): Promise<{ code: number; body: string }> => {
    const r = await cluster.nodes[0].host.exec('busybox', ['wget', '-q', '-O', '-', `http://127.0.0.1:9099${path}`], { allowFailure: true });
    return { code: r.code ?? -1, body: r.stdout };
  };

  it('/readyz is ready and /metrics reports sessions, prefixes, kernel ops and IPAM usage', async () => {
    expect((await get('/healthz')).body).toBe('ok\n');
    const ready = await get('/readyz');
    expect(ready.code).toBe(0);
    expect(JSON.parse(ready.body)).toMatchObject({ ready: true, datastore: true });
    // IPAM usage comes from the agent's last sync; a watch event lost between namespaces is caught by
    // its 5 s resync, so allow for one
    const m = await waitFor(async () => {
      const body = (await get('/metrics')).body;
      return /tortie_ipam_addresses_allocated\{pool="10.65.0.0\/16"\} 6/.test(body) ? body : undefined;
    }, { what: 'IPAM usage metric at 6', timeoutMs: 8000, intervalMs: 500 });
    expect(m).toContain('tortie_bgp_sessions{state="Established"} 3');
    expect(m).toMatch(/tortie_bgp_prefixes_accepted\{peer="Mesh_198_18_1_2",address="198.18.1.2"\} 1/);
    // each node sends the ToR its own blocks only (iBGP-learned routes are not passed on)
    expect(m).toMatch(/tortie_bgp_prefixes_sent\{peer="tor",address="198.18.1.4"\} 1/);
    expect(m).toMatch(/tortie_kernel_route_operations_total\{op="add"\} [1-9]/);
  });
});
