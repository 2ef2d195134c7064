// The allocator's functional suite (testing/allocator-suite.ts, the same cases the memory store runs)
// against the Kubernetes store on the in-process fake apiserver, one fresh apiserver per case.
import { afterEach, describe, vi } from 'vitest';
import { FakeCluster } from './k8s-pods-fake-cluster';
import { allocatorSuite } from './testing/allocator-suite';

// Every store operation is an HTTP round trip here: the 120-operation concurrency case takes 4 s idle and
// up to 14 s on this 2-core machine under load (CAS fights retry with backoff), close to the 30 s default.
vi.setConfig({ testTimeout: 90_000 });

const clusters: FakeCluster[] = [];
afterEach(async () => {
  for (const c of clusters.splice(0)) await c.close();
});

describe('allocator (kubernetes store, fake apiserver)', () =>
  allocatorSuite(async () => {
    const c = await FakeCluster.start();
    clusters.push(c);
    return c.store();
  }, { schemaChecked: true }));
