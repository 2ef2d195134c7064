// The allocator's functional suite (testing/allocator-suite.ts, the same cases the memory store runs)
// against the Kubernetes store on the in-process fake apiserver, one fresh apiserver per case.
import { afterEach, describe } from 'vitest';
import { FakeCluster } from './k8s-pods-fake-cluster';
import { allocatorSuite } from './testing/allocator-suite';

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
