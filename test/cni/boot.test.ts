// The stub executables run their bundle through a per-command V8 code cache (cni/boot.ts): written on
// first use, reused after, and a corrupt or foreign cache is replaced rather than breaking the plugin.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DIST } from './lab';

const dir = mkdtempSync(join(tmpdir(), 'tcn-boot-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A private copy of the dist layout (stub + impl), so the test controls the cache files.
for (const f of ['tortie', 'tortie.impl.js', 'package.json']) copyFileSync(join(DIST, f), join(dir, f));
symlinkSync(join(DIST, '..', 'node_modules'), join(dir, 'node_modules'));

const version = (): { status: number | null; out: unknown } => {
  const r = spawnSync(join(dir, 'tortie'), [], { input: '{"cniVersion":"1.0.0"}', env: { PATH: process.env.PATH, CNI_COMMAND: 'VERSION' }, encoding: 'utf8' });
  return { status: r.status, out: JSON.parse(r.stdout) };
};

describe('code-cache boot', () => {
  const cache = join(dir, 'tortie.impl.js.VERSION.cache');
  it('writes the cache on first run and answers the same with it', () => {
    expect(existsSync(cache)).toBe(false);
    const first = version();
    expect(first.status).toBe(0);
    expect(existsSync(cache)).toBe(true);
    const bytes = readFileSync(cache);
    const second = version();
    expect(second).toEqual(first);
    expect(readFileSync(cache).equals(bytes)).toBe(true); // accepted, not rewritten
  });
  it('replaces a corrupt cache instead of failing', () => {
    writeFileSync(cache, 'garbage');
    const r = version();
    expect(r.status).toBe(0);
    expect(r.out).toMatchObject({ cniVersion: '1.0.0' });
    expect(readFileSync(cache).length).toBeGreaterThan(1000);
  });
});
