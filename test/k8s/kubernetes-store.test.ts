// Runs twice: over client-node and over the lean node:http transport (opened as the CNI plugin opens it,
// from a kubeconfig file), so both answer every case the same way.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GROUP, VERSION } from '../../ipam/store/kubernetes-kinds';
import { KubernetesStore } from '../../ipam/store/kubernetes';
import type { KubeStore } from '../../ipam/store/kube-store';
import { openKubernetesStore } from '../../ipam/store/kubernetes-open';
import { datastoreContract, waitUntil } from '../../ipam/store/contract';
import type { WatchEvent } from '../../ipam/datastore';
import { Ipam } from '../../ipam/ipam';
import { createPool, listPools } from '../../ipam/pools';
import { checkIpam } from '../../ipam/cli/check';
import { kubeConfigFor } from './client';
import { compileCrdSchema, makeAjv } from './crd-schema';
import { FakeApiServer, type FakeApiServerOptions } from './fake-apiserver';
import { readCrds } from './manifests';

let api: FakeApiServer;
const stores: KubeStore[] = [];
const dir = mkdtempSync(join(tmpdir(), 'tk8-store-'));
type TransportName = 'client-node' | 'lean';
let transport: TransportName = 'client-node';

async function fresh(): Promise<KubeStore> {
  let s: KubeStore;
  if (transport === 'client-node') s = new KubernetesStore({ kubeConfig: kubeConfigFor(api.url), watchRetryMs: 20 });
  else {
    // the form install-cni writes (JSON); plain http needs insecure-skip-tls-verify, as for client-node
    const file = join(dir, `kubeconfig-${stores.length}`);
    writeFileSync(file, JSON.stringify({
      apiVersion: 'v1', kind: 'Config', 'current-context': 'c',
      clusters: [{ name: 'k', cluster: { server: api.url, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'u', user: { token: 'test-token' } }],
      contexts: [{ name: 'c', context: { cluster: 'k', user: 'u' } }],
    }));
    s = await openKubernetesStore(`kubernetes:${file}`, { watchRetryMs: 20 });
  }
  expect(s.transport.name).toBe(transport);
  stores.push(s);
  return s;
}

// The CRDs of deploy/crds, with their schemas enforced (strict, as kubectl's default field validation
// would): whatever the store writes must be acceptable to a real apiserver with these CRDs installed.
const ajv = makeAjv();
const crds = readCrds().map((c) => {
  const v = compileCrdSchema(ajv, c.schema);
  const validate = (obj: unknown): string[] => (v(obj) ? [] : (v.errors ?? []).map((e) => `${e.instancePath} ${e.message}`));
  return { type: { group: c.group, version: VERSION, plural: c.plural, kind: c.kind, namespaced: false }, validate };
});

function freshServer(opts: FakeApiServerOptions = {}): Promise<FakeApiServer> {
  return FakeApiServer.start(opts).then((s) => {
    for (const c of crds) s.register(c.type, { validate: c.validate });
    return s;
  });
}

beforeAll(async () => {
  api = await freshServer();
});
afterAll(async () => {
  for (const s of stores) await s.close();
  await api.close();
  rmSync(dir, { recursive: true, force: true });
});

for (const t of ['client-node', 'lean'] as const) {
describe(`over ${t}`, () => {
beforeAll(() => {
  transport = t;
});

// Each case gets a fresh apiserver so cases don't see each other's keys.
describe('KubernetesStore contract (fake apiserver)', () =>
  datastoreContract(async () => {
    await api.close();
    api = await freshServer();
    return fresh();
  }));

describe('KubernetesStore mapping', () => {
  it('stores IPAM keys as readable CRD objects, Calico-style names, JSON values as spec', async () => {
    const ds = await fresh();
    const block = { cidr: '10.244.0.0/26', affinity: 'host:node-1', allocations: [0, null], unallocated: [1], attributes: [{ handleId: 'h', owner: {} }], sequenceNumber: 1 };
    const aff = (node: string, cidr: string, state: string) => JSON.stringify({ node, cidr, state });
    await ds.create('/tortie/ipam/v2/assignment/ipv4/block/10.244.0.0-26', JSON.stringify(block));
    await ds.create('/tortie/ipam/v2/host/node-1/ipv4/block/10.244.0.0-26', aff('node-1', '10.244.0.0/26', 'confirmed'));
    await ds.create('/tortie/ipam/v2/host/node-2/ipv4/block/10.244.0.64-26', aff('node-2', '10.244.0.64/26', 'pending'));
    await ds.create('/tortie/ipam/v2/handle/k8s-pod-network.ABC', '{"handleId":"k8s-pod-network.ABC","block":{}}');
    await ds.create('/tortie/ipam/v2/assignment/ipv6/block/fd00::-122', JSON.stringify({ ...block, cidr: 'fd00::/122' }));
    const g = { group: GROUP, version: VERSION };
    const blocks = api.objects({ ...g, plural: 'ipamblocks' });
    expect(blocks.map((o) => o.metadata.name)).toEqual(['10-244-0-0-26', 'fd00---122']);
    expect(blocks[0].spec).toEqual(block);
    expect(api.objects({ ...g, plural: 'blockaffinities' }).map((o) => o.metadata.name)).toEqual(['node-1-10-244-0-0-26', 'node-2-10-244-0-64-26']);
    // Upper case is not allowed in names: readable stem + hash, the exact key kept in an annotation.
    const [h] = api.objects({ ...g, plural: 'ipamhandles' });
    expect(h.metadata.name).toMatch(/^k8s-pod-network.abc-[0-9a-f]{10}$/);
    expect(h.metadata.annotations?.['tortie.dev/key']).toBe('/tortie/ipam/v2/handle/k8s-pod-network.ABC');
    // A per-node affinity list is a label-selected list of one kind.
    api.requests.length = 0;
    const mine = await ds.list('/tortie/ipam/v2/host/node-1/');
    expect(mine.map((kv) => kv.value)).toEqual([aff('node-1', '10.244.0.0/26', 'confirmed')]);
    expect(api.requests).toEqual([expect.stringMatching(/^GET \/apis\/tortie.dev\/v1\/blockaffinities\?labelSelector=tortie.dev%2Fnode-hash%3D[0-9a-f]{40}$/)]);
    expect((await ds.list('/tortie/ipam/v2/')).length).toBe(5);
  });

  it('reads an IPPool an admin created with kubectl (no key annotation)', async () => {
    const ds = await fresh();
    await fetch(`${api.url}/apis/tortie.dev/v1/ippools`, {
      method: 'POST',
      body: JSON.stringify({ apiVersion: 'tortie.dev/v1', kind: 'IPPool', metadata: { name: 'default-ipv4' }, spec: { cidr: '10.65.0.0/16', blockSize: 26 } }),
    });
    const kv = await ds.get('/tortie/ipam/v2/pool/default-ipv4');
    expect(JSON.parse(kv!.value)).toEqual({ name: 'default-ipv4', cidr: '10.65.0.0/16', blockSize: 26 });
    expect((await ds.list('/tortie/ipam/v2/pool/')).map((k) => k.key)).toEqual(['/tortie/ipam/v2/pool/default-ipv4']);
  });

  it('carries real IPAM: pool, allocation, release (ipam/ on the Kubernetes store)', async () => {
    await api.close();
    api = await freshServer();
    const ds = await fresh();
    await createPool(ds, { name: 'p1', cidr: '10.70.0.0/24', blockSize: 28 });
    const ipam = new Ipam(ds);
    const got = await ipam.autoAssign({ handleId: 'net.c1', node: 'node-1', family: 4, owner: { namespace: 'default', pod: 'a', containerId: 'c1' } });
    expect(got[0].ip).toMatch(/^10\.70\.0\./);
    const again = await ipam.autoAssign({ handleId: 'net.c2', node: 'node-1', family: 4, owner: { namespace: 'default', pod: 'b', containerId: 'c2' } });
    expect(again[0].ip).not.toBe(got[0].ip);
    const g = { group: GROUP, version: VERSION };
    expect(api.objects({ ...g, plural: 'ipamblocks' }).map((o) => o.metadata.name)).toEqual([got[0].block.replace(/[./]/g, '-')]);
    expect(api.objects({ ...g, plural: 'blockaffinities' })[0].spec).toMatchObject({ node: 'node-1', state: 'confirmed' });
    expect(await ipam.releaseByHandle('net.c1')).toBe(1);
    expect(api.objects({ ...g, plural: 'ipamhandles' }).map((o) => o.metadata.name)).toEqual(['net.c2']);
    expect((await listPools(ds)).map((p) => p.value.name)).toEqual(['p1']);
  });

  it('keeps IPAM consistent under concurrent allocation from several clients (CAS through resourceVersion)', async () => {
    await api.close();
    api = await freshServer();
    const admin = await fresh();
    await createPool(admin, { name: 'p', cidr: '10.90.0.0/24', blockSize: 29 });
    // 4 independent clients (as 4 CNI processes would be), 2 nodes, 12 allocations each, all at once.
    const clients = await Promise.all([0, 1, 2, 3].map(async () => new Ipam(await fresh())));
    const got = await Promise.all(
      clients.flatMap((ipam, c) =>
        Array.from({ length: 12 }, (_, i) => ipam.autoAssign({ handleId: `net.c${c}-${i}`, node: `node-${c % 2}`, family: 4, owner: { pod: `p${c}-${i}` } })),
      ),
    );
    const ips = got.map((a) => a[0].ip);
    expect(new Set(ips).size).toBe(48);
    const report = await checkIpam(admin);
    expect(report.problems).toEqual([]);
    expect(report.allocations).toBe(48);
    // Release half concurrently; the rest stay accounted for.
    await Promise.all(clients.flatMap((ipam, c) => Array.from({ length: 6 }, (_, i) => ipam.releaseByHandle(`net.c${c}-${i}`))));
    const after = await checkIpam(admin);
    expect(after.problems).toEqual([]);
    expect(after.allocations).toBe(24);
  }, 120_000);

  it('surfaces a write the CRD schema refuses (422) as a DatastoreError naming the key', async () => {
    const ds = await fresh();
    await expect(ds.create('/tortie/ipam/v2/pool/bad', JSON.stringify({ name: 'bad', cidr: '10.0.0.0/33', blockSize: 26 }))).rejects.toThrow(
      /datastore error on \/tortie\/ipam\/v2\/pool\/bad: kubernetes \(HTTP 422\): .*\/spec\/cidr must match pattern/,
    );
  });

  it('hides a half-finished delete and lets a create finish it', async () => {
    const ds = await fresh();
    const c = await ds.create('/x/half', 'v');
    if (!c.ok) throw new Error('create failed');
    // Only the first step (the mark) reaches the server, as if the deleter died in between.
    api.setHook(({ method }) => (method === 'DELETE' ? { status: 503, body: { kind: 'Status', code: 503, message: 'unavailable' } } : undefined));
    await expect(ds.delete('/x/half', c.kv.revision)).rejects.toThrow(/HTTP 503/);
    api.setHook(undefined);
    expect(await ds.get('/x/half')).toBeUndefined();
    expect(await ds.list('/x/')).toEqual([]);
    expect((await ds.update('/x/half', 'w', c.kv.revision)).ok).toBe(false);
    const again = await ds.create('/x/half', 'new');
    expect(again.ok).toBe(true);
    expect((await ds.get('/x/half'))?.value).toBe('new');
  });

  it('a delete whose second step another client finished (and re-created the key) still succeeds', async () => {
    const a = await fresh();
    const b = await fresh();
    const c = await a.create('/x/race', 'v1');
    if (!c.ok) throw new Error('create failed');
    // Hold A's DELETE until B has finished the marked delete and created the key again.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let held = 0;
    api.setHook(({ method }) => (method === 'DELETE' && held++ === 0 ? gate.then(() => undefined) : undefined));
    const del = a.delete('/x/race', c.kv.revision);
    await waitUntil(() => held === 1);
    expect((await b.create('/x/race', 'v2')).ok).toBe(true);
    release();
    const r = await del;
    api.setHook(undefined);
    expect(r.ok).toBe(true);
    expect((await a.get('/x/race'))?.value).toBe('v2');
  });

  for (const expiredAs of ['http', 'event'] as const) {
    it(`reports a watch whose revision was compacted away (410 as ${expiredAs}) through onError, then follows on`, async () => {
      await api.close();
      api = await freshServer({ expiredAs });
      const ds = await fresh();
      const a = await ds.create('/z/a', '1');
      if (!a.ok) throw new Error('create failed');
      await ds.create('/z/b', '2');
      api.compact();
      const errors: Error[] = [];
      const seen: WatchEvent[] = [];
      const w = ds.watch('/z/', { fromRevision: a.kv.revision, onEvent: (e) => seen.push(e), onError: (e) => errors.push(e) });
      await waitUntil(() => errors.length === 1);
      expect(errors[0].message).toMatch(/expired \(410 Gone\)/);
      expect(seen).toEqual([]);
      // ... and the watch goes on from the current revision, once.
      await waitUntil(() => api.openWatches === 1);
      await ds.create('/z/c', '3');
      await waitUntil(() => seen.length === 1);
      await new Promise((r) => setTimeout(r, 100));
      w.close();
      expect(seen.map((e) => e.key)).toEqual(['/z/c']);
      expect(errors.length).toBe(1);
    });
  }

  it('reconnects a dropped watch from the last revision it saw, without repeats', async () => {
    const ds = await fresh();
    const seen: WatchEvent[] = [];
    // From the next revision: a watch still closing from the case before can make openWatches > 0 before
    // this one has started, and a create in between would then be missed.
    const w = ds.watch('/r/', { fromRevision: (await ds.revision()) + 1, onEvent: (e) => seen.push(e) });
    await ds.create('/r/1', 'a');
    await waitUntil(() => seen.length === 1);
    api.dropWatches();
    await ds.create('/r/2', 'b');
    await waitUntil(() => seen.length === 2);
    await new Promise((r) => setTimeout(r, 100));
    w.close();
    expect(seen.map((e) => e.key)).toEqual(['/r/1', '/r/2']);
  });
});
});
}
