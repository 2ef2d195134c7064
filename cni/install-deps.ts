// Which packages the CNI plugins load at run time, and copying only those to the host. The bundles keep
// three packages external (scripts/build.mjs): everything else they use is inside the bundle. So the
// host needs those three and whatever they require, resolved the way Node resolves it — nothing else of
// the image's node_modules (bgpd's gRPC server side, ajv, prom-client, yaml, zod, …).
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { join, sep } from 'node:path';

/** The packages the plugin bundles `require` by name (their esbuild externals). */
export const PLUGIN_RUNTIME_PACKAGES = ['koffi', 'etcd3', '@kubernetes/client-node'] as const;

interface PackageJson {
  readonly dependencies?: Record<string, string>;
  readonly optionalDependencies?: Record<string, string>;
}

/**
 * The package directories (relative to `nodeModules`, e.g. `etcd3/node_modules/@grpc/proto-loader`)
 * that `roots` need, following `dependencies` and the `optionalDependencies` that are installed (koffi's
 * platform binary is one). `@types/*` carry declarations only and are left out. A required package
 * that cannot be found throws: a plugin missing it would fail on a node, not here.
 */
export function runtimeClosure(nodeModules: string, roots: readonly string[] = PLUGIN_RUNTIME_PACKAGES): string[] {
  const found = new Set<string>();
  const visit = (rel: string): void => {
    if (found.has(rel)) return;
    found.add(rel);
    const pkg = JSON.parse(readFileSync(join(nodeModules, rel, 'package.json'), 'utf8')) as PackageJson;
    const deps: [string, boolean][] = [
      ...Object.keys(pkg.dependencies ?? {}).map((n): [string, boolean] => [n, true]),
      ...Object.keys(pkg.optionalDependencies ?? {}).map((n): [string, boolean] => [n, false]),
    ];
    for (const [name, required] of deps) {
      if (name.startsWith('@types/')) continue;
      const dep = resolveFrom(nodeModules, rel, name);
      if (dep !== undefined) visit(dep);
      else if (required) throw new Error(`${rel} needs ${name}, which is not in ${nodeModules}`);
    }
  };
  for (const r of roots) {
    if (!existsSync(join(nodeModules, r, 'package.json'))) throw new Error(`${r} is not in ${nodeModules}`);
    visit(r);
  }
  return [...found].sort();
}

/** Node's lookup: `<pkg>/node_modules/<name>`, then each enclosing node_modules up to the top one. */
function resolveFrom(nodeModules: string, fromRel: string, name: string): string | undefined {
  let dir = fromRel;
  for (;;) {
    const candidate = dir === '' ? name : `${dir}/node_modules/${name}`;
    if (existsSync(join(nodeModules, candidate, 'package.json'))) return candidate;
    if (dir === '') return undefined;
    // Up one package: strip "/node_modules/<name or @scope/name>" from the end, or reach the top.
    const i = dir.lastIndexOf('/node_modules/');
    dir = i < 0 ? '' : dir.slice(0, i);
  }
}

/**
 * Copies each package directory without its own nested node_modules (the nested packages it needs are
 * in `packages` themselves), dereferencing symlinks. Type declarations, source maps and docs are never
 * loaded at run time and are left behind.
 */
export function copyPackages(fromNodeModules: string, toNodeModules: string, packages: readonly string[]): void {
  for (const rel of packages) {
    const src = join(fromNodeModules, rel);
    const nested = src + sep + 'node_modules';
    cpSync(src, join(toNodeModules, rel), {
      recursive: true,
      dereference: true,
      filter: (f) => f !== nested && !f.startsWith(nested + sep) && !/\.(d\.[cm]?ts|map|md)$/.test(f),
    });
  }
}
