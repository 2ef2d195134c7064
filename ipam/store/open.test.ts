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
    // kubernetes: goes to the Kubernetes store, which reads the kubeconfig named in the spec: the
    // error is that file's ENOENT (not "unsupported datastore", not a file store created there).
    const missing = `${dir}/no-such-kubeconfig`;
    const err = await openDatastore(`kubernetes:${missing}`).then(
      () => undefined,
      (e: unknown) => e as NodeJS.ErrnoException,
    );
    expect(err?.message).toBe(`ENOENT: no such file or directory, open '${missing}'`);
    expect(err).toMatchObject({ code: 'ENOENT', syscall: 'open', path: missing });
    const etcd = await openDatastore('etcd:http://127.0.0.1:1');
    expect(etcd.kind).toBe('etcd');
    await etcd.close();
  });
});
