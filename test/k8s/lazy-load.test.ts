// The Kubernetes datastore must cost nothing to code that does not use it, and the CNI plugin's form of
// it must not need @kubernetes/client-node: bundled like dist/ is (esbuild, CommonJS, client-node
// external), a program that can open any datastore runs where client-node cannot even be resolved; a
// JSON token kubeconfig (what install-cni writes) works through the lean transport, and only a kubeconfig
// the lean one cannot read (here YAML) reaches for client-node.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleLikeDist } from '../bundle';
import { afterAll, describe, expect, it } from 'vitest';
import { ALL_KINDS, GROUP, VERSION } from '../../ipam/store/kubernetes-kinds';
import { FakeApiServer } from './fake-apiserver';

const dir = mkdtempSync(join(tmpdir(), 'tk8-lazy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('lazy loading of the Kubernetes datastore', () => {
  it('loads client-node only when a kubernetes: spec needs it', async () => {
    const entry = join(dir, 'entry.ts');
    writeFileSync(
      entry,
      `import { openAnyDatastore } from ${JSON.stringify(join(import.meta.dirname, '../../ipam/store/kubernetes-open'))};
const spec = process.argv[2];
openAnyDatastore(spec)
  .then(async (ds) => { const r = await ds.revision(); await ds.close(); console.log('opened ' + ds.kind + ' rev ' + r); })
  .catch((e) => { console.log('failed ' + e.message.split('\\n')[0]); });
`,
    );
    const out = join(dir, 'prog.cjs');
    await bundleLikeDist(entry, out);
    // the file store needs koffi (flock): make exactly that one package resolvable, not client-node
    const mods = join(dir, 'mods');
    mkdirSync(mods);
    symlinkSync(join(import.meta.dirname, '../../node_modules/koffi'), join(mods, 'koffi'));
    // async spawn: the fake apiserver answers from this process meanwhile
    const run = (spec: string) =>
      new Promise<string>((resolve, reject) => {
        const c = spawn(process.execPath, [out, spec], { cwd: dir, env: { PATH: process.env.PATH, NODE_PATH: mods } });
        let text = '';
        c.stdout.on('data', (b: Buffer) => (text += b.toString()));
        c.on('error', reject);
        c.on('close', () => resolve(text.trim()));
      });
    const api = await FakeApiServer.start();
    try {
      for (const k of ALL_KINDS) api.register({ group: GROUP, version: VERSION, plural: k.plural, kind: k.kind, namespaced: false });
      const ctx = { 'current-context': 'c', contexts: [{ name: 'c', context: { cluster: 'k', user: 'u' } }] };
      const json = join(dir, 'kubeconfig.json');
      writeFileSync(json, JSON.stringify({ ...ctx, clusters: [{ name: 'k', cluster: { server: api.url, 'insecure-skip-tls-verify': true } }], users: [{ name: 'u', user: { token: 't' } }] }));
      const yaml = join(dir, 'kubeconfig.yaml');
      writeFileSync(yaml, `current-context: c\ncontexts: [{name: c, context: {cluster: k, user: u}}]\nclusters: [{name: k, cluster: {server: "${api.url}", insecure-skip-tls-verify: true}}]\nusers: [{name: u, user: {token: t}}]\n`);
      expect(await run(`file:${join(dir, 'store')}?nosync`)).toBe('opened file rev 0');
      expect(await run(`kubernetes:${json}`)).toMatch(/^opened kubernetes rev \d+$/);
      expect(api.requests).toEqual(['GET /apis/tortie.dev/v1/datastoreentries?limit=1']);
      expect(await run(`kubernetes:${yaml}`)).toMatch(/^failed Cannot find module '@kubernetes\/client-node'/);
      expect(await run('kubernetes:/nonexistent')).toMatch(/^failed ENOENT: no such file or directory, open '\/nonexistent'/);
    } finally {
      await api.close();
    }
  }, 60_000);
});
