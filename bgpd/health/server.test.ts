import { afterEach, describe, expect, it } from 'vitest';
import { HealthServer } from './server';
import type { HealthSources, PeerHealth } from './types';

const peer = (over: Partial<PeerHealth>): PeerHealth => ({
  name: 'Mesh_198_18_1_2', address: '198.18.1.2', state: 'Established', since: Date.now() - 1000,
  prefixesReceived: 3, prefixesAccepted: 2, prefixesSent: 4, updatesIn: 7, updatesOut: 5, ...over,
});

const servers: HealthServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function serve(sources: HealthSources, graceMs = 10_000): Promise<string> {
  const s = new HealthServer({ address: '127.0.0.1', port: 0, sources, graceMs, datastoreTimeoutMs: 200, processMetrics: false });
  servers.push(s);
  return `http://127.0.0.1:${await s.listen()}`;
}

describe('HealthServer', () => {
  it('answers /healthz and 404 elsewhere', async () => {
    const base = await serve({ peers: () => [], datastoreReachable: async () => true });
    const r = await fetch(`${base}/healthz`);
    expect(r.status).toBe(200);
    expect(await r.text()).toBe('ok\n');
    expect((await fetch(`${base}/nope`)).status).toBe(404);
  });

  it('/readyz: ready with established peers and a reachable datastore', async () => {
    const base = await serve({ peers: () => [peer({})], datastoreReachable: async () => true });
    const r = await fetch(`${base}/readyz`);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ ready: true, datastore: true, peersSynced: true, phase: 'converged', established: 1, peers: 1, notReady: [] });
  });

  it('/readyz: no peers is not ready while the peer source has not completed its first sync', async () => {
    let synced = false;
    const base = await serve({ peers: () => [], datastoreReachable: async () => true, peersSynced: () => synced });
    const r = await fetch(`${base}/readyz`);
    expect(r.status).toBe(503);
    expect(await r.json()).toMatchObject({ ready: false, peersSynced: false, peers: 0 });
    synced = true;
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
  });

  it('/readyz: a fresh start waits for the first convergence (not Ready at once), then one Established peer is enough; /healthz stays 200', async () => {
    let torState = 'Active';
    const base = await serve({ peers: () => [peer({}), peer({ name: 'tor', state: torState })], datastoreReachable: async () => true }, 60_000);
    const r = await fetch(`${base}/readyz`);
    expect(r.status).toBe(503);
    const body = (await r.json()) as { phase: string; notReady: { name: string; state: string }[] };
    expect(body.phase).toBe('converging');
    expect(body.notReady.map((p) => `${p.name} ${p.state}`)).toEqual(['tor Active']);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    torState = 'Established';
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    torState = 'Idle';
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
  });

  it('/readyz: an unreachable or hanging datastore fails readiness', async () => {
    const failing = await serve({ peers: () => [], datastoreReachable: async () => { throw new Error('ECONNREFUSED'); } });
    expect((await fetch(`${failing}/readyz`)).status).toBe(503);
    const hanging = await serve({ peers: () => [], datastoreReachable: () => new Promise(() => {}) });
    const r = await fetch(`${hanging}/readyz`);
    expect(r.status).toBe(503);
    expect(((await r.json()) as { datastore: boolean }).datastore).toBe(false);
  });

  it('/metrics: sessions by state, per-peer prefixes and updates, kernel ops and errors, IPAM usage', async () => {
    let adds = 10;
    const base = await serve({
      peers: () => [peer({}), peer({ name: 'tor', address: '198.18.0.1', state: 'Active', prefixesReceived: 0, updatesIn: 0 })],
      datastoreReachable: async () => true,
      kernelRoutes: () => ({ routeAdds: adds, routeReplaces: 1, routeDels: 2, errors: { EEXIST: 3 } }),
      ipamUsage: () => [{ pool: '10.65.0.0/16', allocated: 6, capacity: 192, blocks: 3 }],
    });
    const r = await fetch(`${base}/metrics`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('text/plain');
    const text = await r.text();
    expect(text).toContain('tortie_bgp_sessions{state="Established"} 1');
    expect(text).toContain('tortie_bgp_sessions{state="Active"} 1');
    expect(text).toContain('tortie_bgp_sessions{state="Idle"} 0');
    expect(text).toContain('tortie_bgp_prefixes_received{peer="Mesh_198_18_1_2",address="198.18.1.2"} 3');
    expect(text).toContain('tortie_bgp_prefixes_accepted{peer="Mesh_198_18_1_2",address="198.18.1.2"} 2');
    expect(text).toContain('tortie_bgp_prefixes_sent{peer="tor",address="198.18.0.1"} 4');
    expect(text).toContain('tortie_bgp_updates_received_total{peer="Mesh_198_18_1_2",address="198.18.1.2"} 7');
    expect(text).toContain('tortie_bgp_updates_sent_total{peer="tor",address="198.18.0.1"} 5');
    expect(text).toContain('tortie_kernel_route_operations_total{op="add"} 10');
    expect(text).toContain('tortie_kernel_route_errors_total{errno="EEXIST"} 3');
    expect(text).toContain('tortie_ipam_addresses_allocated{pool="10.65.0.0/16"} 6');
    expect(text).toContain('tortie_ipam_blocks{pool="10.65.0.0/16"} 3');
    // values are read at scrape time, not accumulated
    adds = 12;
    expect(await (await fetch(`${base}/metrics`)).text()).toContain('tortie_kernel_route_operations_total{op="add"} 12');
  });
});
