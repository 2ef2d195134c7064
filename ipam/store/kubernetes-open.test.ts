// Which transport openKubernetesStore picks: lean for the kubeconfigs it reads when the caller does not
// watch, client-node otherwise; forcing lean on a form it cannot read says why.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openKubernetesStore } from './kubernetes-open';

const dir = mkdtempSync(join(tmpdir(), 't13-open-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ctx = { 'current-context': 'c', contexts: [{ name: 'c', context: { cluster: 'k', user: 'u' } }] };
const json = join(dir, 'json');
writeFileSync(json, JSON.stringify({ ...ctx, clusters: [{ name: 'k', cluster: { server: 'https://127.0.0.1:1' } }], users: [{ name: 'u', user: { token: 't' } }] }));
const exec = join(dir, 'exec');
writeFileSync(exec, JSON.stringify({ ...ctx, clusters: [{ name: 'k', cluster: { server: 'https://127.0.0.1:1' } }], users: [{ name: 'u', user: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: 'true' } } }] }));

describe('openKubernetesStore', () => {
  it('picks lean for a JSON token kubeconfig, client-node when the caller watches or the kubeconfig needs it', async () => {
    const picks: string[] = [];
    for (const [spec, opts] of [[`kubernetes:${json}`, {}], [`kubernetes:${json}`, { watches: true }], [`kubernetes:${exec}`, {}], [`kubernetes:${json}`, { transport: 'client-node' as const }]] as const) {
      const ds = await openKubernetesStore(spec, opts);
      picks.push(ds.transport.name);
      await ds.close();
    }
    expect(picks).toEqual(['lean', 'client-node', 'client-node', 'client-node']);
  });

  it('says why when lean is forced on a form it does not read; throws fs errors as they are', async () => {
    await expect(openKubernetesStore(`kubernetes:${exec}`, { transport: 'lean' })).rejects.toThrow(/lean transport cannot use this kubeconfig: .*exec: uses exec/);
    await expect(openKubernetesStore(`kubernetes:${dir}/missing`)).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(openKubernetesStore('etcd:http://x')).rejects.toThrow(/not a kubernetes datastore spec/);
  });

});
