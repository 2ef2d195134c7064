// Rough cost of the Kubernetes datastore against the fake apiserver (HTTP round trips on loopback,
// no etcd behind it — a real apiserver adds its own latency): npx tsx test/k8s/measure-store.ts [N]
import { Ipam } from '../../ipam/ipam';
import { createPool } from '../../ipam/pools';
import { ALL_KINDS, GROUP, VERSION } from '../../ipam/store/kubernetes-kinds';
import { KubernetesStore } from '../../ipam/store/kubernetes';
import { kubeConfigFor } from './client';
import { FakeApiServer } from './fake-apiserver';

const n = Number(process.argv[2] ?? 300);
const api = await FakeApiServer.start();
for (const k of ALL_KINDS) api.register({ group: GROUP, version: VERSION, plural: k.plural, kind: k.kind, namespaced: false });
const ds = new KubernetesStore({ kubeConfig: kubeConfigFor(api.url) });

async function time(label: string, count: number, fn: (i: number) => Promise<unknown>): Promise<void> {
  const t0 = performance.now();
  for (let i = 0; i < count; i++) await fn(i);
  const ms = performance.now() - t0;
  console.log(`${label.padEnd(28)} ${count} in ${ms.toFixed(0)} ms = ${(ms / count).toFixed(2)} ms/op`);
}

const revs: number[] = [];
await time('create', n, async (i) => {
  const r = await ds.create(`/m/k${i}`, JSON.stringify({ i }));
  if (r.ok) revs[i] = r.kv.revision;
});
await time('get', n, (i) => ds.get(`/m/k${i}`));
await time('update (CAS)', n, async (i) => {
  const r = await ds.update(`/m/k${i}`, JSON.stringify({ i, x: 1 }), revs[i]);
  if (r.ok) revs[i] = r.kv.revision;
});
await time('list (prefix, all keys)', 20, () => ds.list('/m/'));
await time('delete (mark + delete)', n, (i) => ds.delete(`/m/k${i}`, revs[i]));
await createPool(ds, { name: 'p', cidr: '10.80.0.0/16', blockSize: 26 });
const ipam = new Ipam(ds);
await time('ipam autoAssign (1 node)', n, (i) => ipam.autoAssign({ handleId: `net.c${i}`, node: 'node-1', family: 4, owner: { pod: `p${i}` } }));
await time('ipam releaseByHandle', n, (i) => ipam.releaseByHandle(`net.c${i}`));
console.log(`requests served: ${api.requests.length}, rss ${(process.memoryUsage().rss / 1048576).toFixed(0)} MB`);
await ds.close();
await api.close();
