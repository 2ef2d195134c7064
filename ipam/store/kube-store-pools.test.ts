// Which of two overlapping IPPools the Kubernetes store's readers use: the older creationTimestamp, whatever
// was written last (resourceVersion); ties (the timestamp has whole seconds) by name, then uid.
import { describe, expect, it } from 'vitest';
import { POOL_PREFIX } from '../keys';
import { listPools } from '../pools';
import { KubeStore } from './kube-store';
import type { KubeRequest, KubeResponse, KubeTransport } from './kube-transport';

interface Obj {
  name: string;
  uid: string;
  rv: number;
  ts: string;
  spec: Record<string, unknown>;
}

/** Answers the IPPool list only: kubectl-made pools (no key annotation, name in metadata only). */
function storeOf(objs: readonly Obj[]): KubeStore {
  const transport: KubeTransport = {
    name: 'stub',
    close: () => undefined,
    request: async (req: KubeRequest): Promise<KubeResponse> => {
      expect(req.path).toMatch(/\/ippools$/);
      const items = objs.map((o) => ({
        apiVersion: 'tortie.dev/v1',
        kind: 'IPPool',
        metadata: { name: o.name, uid: o.uid, resourceVersion: String(o.rv), creationTimestamp: o.ts },
        spec: o.spec,
      }));
      return { status: 200, body: { items } };
    },
  };
  return new KubeStore(transport);
}

const T1 = '2026-01-01T00:00:01Z';
const T2 = '2026-01-01T00:00:02Z';

describe('Kubernetes store: overlapping IPPools', () => {
  it('the older creationTimestamp wins even when it was written last', async () => {
    const ds = storeOf([
      { name: 'young', uid: 'u1', rv: 10, ts: T2, spec: { cidr: '10.0.0.0/24', blockSize: 28 } },
      { name: 'old', uid: 'u2', rv: 99, ts: T1, spec: { cidr: '10.0.0.0/24', blockSize: 26 } },
    ]);
    expect((await ds.list(POOL_PREFIX)).map((kv) => [kv.key.slice(POOL_PREFIX.length), kv.created, kv.uid])).toEqual([
      ['old', Date.parse(T1), 'u2'],
      ['young', Date.parse(T2), 'u1'],
    ]);
    expect((await listPools(ds)).map((p) => p.value.name)).toEqual(['old']);
  });

  it('the same second: by name; an invalid older pool still holds its range', async () => {
    const same = storeOf([
      { name: 'b', uid: 'u1', rv: 1, ts: T1, spec: { cidr: '10.0.0.0/24', blockSize: 26 } },
      { name: 'a', uid: 'u2', rv: 2, ts: T1, spec: { cidr: '10.0.0.0/25', blockSize: 26 } },
    ]);
    expect((await listPools(same)).map((p) => p.value.name)).toEqual(['a']);
    const broken = storeOf([
      { name: 'old', uid: 'u1', rv: 5, ts: T1, spec: { cidr: '10.0.0.0/24', blockSize: 19 } },
      { name: 'young', uid: 'u2', rv: 2, ts: T2, spec: { cidr: '10.0.0.0/24', blockSize: 28 } },
    ]);
    expect(await listPools(broken)).toEqual([]);
  });
});
