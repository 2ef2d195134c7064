// The Kubernetes datastore must cost nothing to code that does not use it: bundled like dist/ is
// (esbuild, CommonJS, client-node external), a program that merely can open it runs where
// @kubernetes/client-node cannot even be resolved, and fails only when a kubernetes: spec is opened.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'tk8-lazy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('lazy loading of the Kubernetes datastore', () => {
  it('loads client-node only when a kubernetes: spec is opened', async () => {
    const entry = join(dir, 'entry.ts');
    writeFileSync(
      entry,
      `import { openAnyDatastore } from ${JSON.stringify(join(import.meta.dirname, '../../ipam/store/kubernetes-open'))};
const spec = process.argv[2];
openAnyDatastore(spec).then((ds) => { console.log('opened ' + ds.kind); return ds.close(); }, (e) => { console.log('failed ' + e.message.split('\\n')[0]); });
`,
    );
    const out = join(dir, 'prog.cjs');
    await build({ entryPoints: [entry], outfile: out, bundle: true, platform: 'node', target: 'node20', format: 'cjs', external: ['koffi', 'etcd3', '@kubernetes/client-node'], logLevel: 'error' });
    // the file store needs koffi (flock): make exactly that one package resolvable, not client-node
    const mods = join(dir, 'mods');
    mkdirSync(mods);
    symlinkSync(join(import.meta.dirname, '../../node_modules/koffi'), join(mods, 'koffi'));
    const run = (spec: string) => spawnSync(process.execPath, [out, spec], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH, NODE_PATH: mods } }).stdout.trim();
    expect(run(`file:${join(dir, 'store')}?nosync`)).toBe('opened file');
    expect(run('kubernetes:/nonexistent')).toMatch(/^failed Cannot find module '@kubernetes\/client-node'/);
  }, 60_000);
});
