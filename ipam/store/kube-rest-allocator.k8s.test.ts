// The allocator's functional suite (testing/allocator-suite.ts) on the Kubernetes store over the lean
// transport — the one the CNI plugin uses — against the same fake apiserver with the CRD schemas enforced
// that ipam/ipam.k8s.test.ts runs it on over client-node.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, vi } from 'vitest';
import { FakeCluster } from '../k8s-pods-fake-cluster';
import { allocatorSuite } from '../testing/allocator-suite';
import { openKubernetesStore } from './kubernetes-open';

vi.setConfig({ testTimeout: 90_000 });

const dir = mkdtempSync(join(tmpdir(), 't13-alloc-'));
const clusters: FakeCluster[] = [];
let n = 0;
afterEach(async () => {
  for (const c of clusters.splice(0)) await c.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('allocator (kubernetes store, lean transport, fake apiserver)', () =>
  allocatorSuite(async () => {
    const c = await FakeCluster.start();
    clusters.push(c);
    const file = join(dir, `kubeconfig-${n++}`);
    writeFileSync(file, JSON.stringify({
      'current-context': 'c',
      clusters: [{ name: 'k', cluster: { server: c.api.url, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'u', user: { token: 't' } }],
      contexts: [{ name: 'c', context: { cluster: 'k', user: 'u' } }],
    }));
    const ds = await openKubernetesStore(`kubernetes:${file}`);
    expect(ds.transport.name).toBe('lean');
    return ds;
  }, { schemaChecked: true }));
