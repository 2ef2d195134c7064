// The assembled image tree the install-cni tests run tortie-install from: the CNI entries and
// tortie-install bundled the way scripts/build.mjs does (into a private dist, so a concurrent build of
// dist/ does not matter), then scripts/assemble-image.sh.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleLikeDist } from '../bundle';

export const ROOT = join(import.meta.dirname, '../..');

export async function buildDist(dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{"type":"commonjs"}\n');
  const entries: Record<string, string> = { tortie: 'cni/main.ts', 'tortie-ipam': 'cni/ipam-main.ts', 'tortie-install': 'cni/install-main.ts' };
  if (existsSync(join(ROOT, 'cni/tortie-impl.ts'))) entries['tortie.impl.js'] = 'cni/tortie-impl.ts';
  if (existsSync(join(ROOT, 'cni/ipam-impl.ts'))) entries['tortie-ipam.impl.js'] = 'cni/ipam-impl.ts';
  await Promise.all(
    Object.entries(entries).map(async ([name, entry]) => {
      await bundleLikeDist(join(ROOT, entry), join(dir, name), {
        ...(name.endsWith('.impl.js') ? {} : { banner: { js: '#!/usr/bin/env node' } }),
      });
      chmodSync(join(dir, name), 0o755);
    }),
  );
}

/** Builds into `<work>/dist` and assembles the image tree at `<work>/image`; returns the image dir. */
export async function assembleImage(work: string): Promise<string> {
  await buildDist(join(work, 'dist'));
  const image = join(work, 'image');
  execFileSync('sh', [join(ROOT, 'scripts/assemble-image.sh'), image], { env: { ...process.env, DIST: join(work, 'dist') }, stdio: 'pipe' });
  return image;
}
