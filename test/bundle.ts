// Bundles an entry point as scripts/build.mjs bundles dist/ (same externals and format), for tests that
// need the bundled form of code from the working tree rather than a possibly stale dist/.
import { build } from 'esbuild';
import type { BuildOptions } from 'esbuild';
import { BUNDLE_BASE } from '../scripts/bundle-options.mjs';

export async function bundleLikeDist(entry: string, outfile: string, extra: BuildOptions = {}): Promise<void> {
  await build({ ...BUNDLE_BASE, entryPoints: [entry], outfile, logLevel: 'error', ...extra });
}
