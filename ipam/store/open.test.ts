import { mkdtempSync, rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatastore } from './open';

const dir = mkdtempSync('/tmp/tortie-ipam-open-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('openDatastore', () => {
  it('opens file stores with and without the scheme and rejects unknown schemes', async () => {
    expect((await openDatastore(`file:${dir}/a`)).kind).toBe('file');
    expect((await openDatastore(`${dir}/b?nosync`)).kind).toBe('file');
    await expect(openDatastore('k8s:default')).rejects.toThrow(/unsupported datastore 'k8s:'/);
    // kubernetes: goes to the Kubernetes store (a missing kubeconfig fails there, not as a file path).
    const k = await openDatastore(`kubernetes:${dir}/no-such-kubeconfig`).then(
      (ds) => ds.kind,
      (err: Error) => err.message,
    );
    expect(k).not.toMatch(/unsupported datastore/);
    expect(k === 'kubernetes' || /kubeconfig|no-such-kubeconfig|ENOENT/i.test(k)).toBe(true);
    const etcd = await openDatastore('etcd:http://127.0.0.1:1');
    expect(etcd.kind).toBe('etcd');
    await etcd.close();
  });
});
