// The CNI plugin's datastore paths (cni/ipam-plugin.ts: ADD, CHECK, DEL, STATUS, GC — everything the
// plugin does on the kubernetes datastore) run with a tortie-cni token against the fake apiserver
// enforcing deploy/rbac.yaml: nothing is refused, and the tortie-cni ClusterRole grants nothing the
// run did not use.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEnv } from '../../cni/env';
import { ipamAdd, ipamCheck, ipamDel, ipamGc, ipamStatus } from '../../cni/ipam-plugin';
import { nullLogger } from '../../cni/log';
import { parseNetconf } from '../../cni/netconf';
import { FakeCluster } from '../../ipam/k8s-pods-fake-cluster';
import { createPool, listPools } from '../../ipam/pools';
import type { KubernetesStore } from '../../ipam/store/kubernetes';
import { attributesOf, type RequestAttributes } from './fake-apiserver';
import { rbacAuthorizer, rulesFor, type PolicyRule } from './fake-rbac';
import { DEPLOY, readDocs } from './manifests';

const NS = 'tortie-system';
const CNI = { namespace: NS, name: 'tortie-cni' };
const docs = readDocs(join(DEPLOY, 'rbac.yaml'));

let cluster: FakeCluster;
let admin: KubernetesStore;
let dir: string;
let netconf: string;
const used: RequestAttributes[] = [];
const refused: string[] = [];

beforeAll(async () => {
  cluster = await FakeCluster.start();
  admin = cluster.store();
  // Admin-made pools: small blocks, so a few pods need more than one block (block create, affinity claim).
  await createPool(admin, { name: 'p4', cidr: '10.70.0.0/26', blockSize: 30 });
  await createPool(admin, { name: 'p6', cidr: 'fd70::/120', blockSize: 126 });
  cluster.api.addToken('cni-token', CNI);
  // The admin store (FakeCluster's client) stands in for an operator: anything goes.
  cluster.api.addToken('test-token', { namespace: 'kube-system', name: 'admin' });
  const rbac = rbacAuthorizer(docs);
  cluster.api.setAuthorizer((who, attrs) => {
    if (who.name === 'admin') return true;
    const ok = rbac(who, attrs);
    if (who.name === CNI.name) used.push(attrs);
    if (!ok) refused.push(`${attrs.verb} ${attrs.group}/${attrs.resource}${attrs.subresource ? `/${attrs.subresource}` : ''} ${attrs.name ?? ''}`);
    return ok;
  });
  dir = mkdtempSync(join(tmpdir(), 'tk8-cnirbac-'));
  const kubeconfig = join(dir, 'kubeconfig');
  // What install-cni writes, plus skip-TLS for the fake's plain http (client-node refuses http otherwise).
  writeFileSync(
    kubeconfig,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'local', cluster: { server: cluster.api.url, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'tortie-cni', user: { token: 'cni-token' } }],
      contexts: [{ name: 'tortie-cni', context: { cluster: 'local', user: 'tortie-cni' } }],
      'current-context': 'tortie-cni',
    }),
  );
  netconf = JSON.stringify({
    cniVersion: '1.0.0',
    name: 'k8s-pod-network',
    type: 'tortie',
    nodename: 'node-a',
    datastore: `kubernetes:${kubeconfig}`,
    ipam: { type: 'tortie-ipam', assign_ipv4: 'true', assign_ipv6: 'true' },
  });
}, 30_000);
afterAll(async () => {
  await cluster?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const triple = (a: { verb: string; group: string; resource: string; subresource?: string }) => `${a.verb} ${a.group}/${a.resource}${a.subresource ? `/${a.subresource}` : ''}`;

/** Every verb/group/resource a rule list grants (no wildcards in our manifests: checked in manifests.test.ts). */
function granted(rules: readonly PolicyRule[]): string[] {
  return rules.flatMap((r) => r.apiGroups.flatMap((group) => r.resources.flatMap((res) => r.verbs.map((verb) => triple({ verb, group, resource: res })))));
}

const env = (command: string, id: string, pod: string) =>
  readEnv({ CNI_COMMAND: command, CNI_CONTAINERID: id, CNI_NETNS: `/var/run/netns/${id}`, CNI_IFNAME: 'eth0', CNI_PATH: '/opt/cni/bin', CNI_ARGS: `K8S_POD_NAMESPACE=default;K8S_POD_NAME=${pod}` });

describe('the CNI plugin on the kubernetes datastore, with the tortie-cni token and deploy/rbac.yaml', () => {
  it('ADD, repeated ADD, CHECK, DEL, GC and STATUS are all allowed', async () => {
    const conf = () => parseNetconf(netconf);
    const held: string[][] = [];
    // 6 pods: 4-address blocks fill, so new blocks are claimed for this node.
    for (let i = 0; i < 6; i++) held.push((await ipamAdd(conf(), env('ADD', `c${i}`, `pod-${i}`), nullLogger)).addresses.map((a) => a.ip));
    expect(new Set(held.flat()).size).toBe(12);
    expect((await ipamAdd(conf(), env('ADD', 'c0', 'pod-0'), nullLogger)).existing).toBe(true);
    expect(await ipamCheck(conf(), env('CHECK', 'c1', 'pod-1'), held[1])).toEqual([]);
    expect(await ipamDel(conf(), env('DEL', 'c2', 'pod-2'), nullLogger)).toBe(2);
    await ipamStatus(conf());
    const gc = parseNetconf(JSON.stringify({ ...JSON.parse(netconf), cniVersion: '1.1.0', 'cni.dev/valid-attachments': [{ containerID: 'c0', ifname: 'eth0' }] }));
    expect((await ipamGc(gc, nullLogger)).sort()).toEqual(['k8s-pod-network.c1', 'k8s-pod-network.c3', 'k8s-pod-network.c4', 'k8s-pod-network.c5']);
    // An operator disables the pool and adds another: the next ADD gives up this node's empty blocks of
    // the old pool (block and affinity deletes, with the store's delete marks).
    const p4 = (await listPools(admin)).find((p) => p.value.name === 'p4')!;
    expect((await admin.update(p4.key, JSON.stringify({ ...p4.value, disabled: true }), p4.revision)).ok).toBe(true);
    await createPool(admin, { name: 'p4b', cidr: '10.71.0.0/26', blockSize: 30 });
    const moved = (await ipamAdd(conf(), env('ADD', 'c9', 'pod-9'), nullLogger)).addresses.map((a) => a.ip);
    expect(moved.find((ip) => !ip.includes(':'))).toMatch(/^10\.71\./);
    expect(refused).toEqual([]);
    expect(used.length).toBeGreaterThan(0);
    expect(used.every((a) => a.namespace === undefined)).toBe(true);
  }, 60_000);

  it('an expired token fails ADD with 11 (try again later), naming the 401', async () => {
    const expired = netconf.replace(/"datastore":"kubernetes:([^"]+)"/, (_m, path: string) => {
      const other = join(dir, 'expired-kubeconfig');
      writeFileSync(other, readFileSync(path, 'utf8').replace('cni-token', 'expired-token'));
      return `"datastore":"kubernetes:${other}"`;
    });
    cluster.api.addToken('expired-token', CNI, Date.now() - 1000);
    await expect(ipamAdd(parseNetconf(expired), env('ADD', 'cx', 'pod-x'), nullLogger)).rejects.toMatchObject({ code: 11, message: expect.stringMatching(/HTTP 401/) });
  });

  it('the tortie-cni ClusterRole grants exactly what that run used', () => {
    const { cluster: rules, namespaced } = rulesFor(docs, CNI);
    expect(namespaced.size).toBe(0);
    expect(granted(rules).sort()).toEqual([...new Set(used.map(triple))].sort());
  });
});
