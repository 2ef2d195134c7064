// Makes the bundle's `require('koffi')` cheap (stub side, builtins only). koffi's own entry costs ~6 ms
// of CPU per plugin start: resolving its package "exports" (which loads Node's ESM resolver),
// compiling its loader scripts, copying node:fs/node:util into ESM namespaces, resolving the platform
// package and reading node's ELF header to pick glibc or musl — all to end in one process.dlopen of
// koffi.node (~0.9 ms). Here that dlopen is done directly, and the result is registered exactly where
// Node's resolution of `koffi` from the bundle would land (require.cache under koffi's real entry
// file, plus the CommonJS resolver's path cache). The bundle still calls require('koffi') by name
// (so require hooks such as test/cni's module trap still see it) and gets koffi's native module.
//
// Only the standard npm layout is handled: `<node_modules>/koffi` with the prebuilt platform package
// `@koromix/koffi-<platform>-<arch>` beside it (koffi's real path, so pnpm's layout works too), a
// glibc build, and native version = package version (koffi's own check). Anything else — a nested
// copy, a source build, musl, another arch, --preserve-symlinks, a Node without these loader
// internals — leaves the caches alone and koffi loads itself the normal way.
// Difference to koffi's entry: the deprecated aliases koffi adds at load (lib.cdecl/stdcall/…,
// koffi.resolve/introspect, register with a `this`) are absent; tortie uses none of them.
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import Module from 'node:module';
import { dirname, join } from 'node:path';

interface LoaderInternals {
  _cache: Record<string, Module>;
  _pathCache?: Record<string, string>;
  _resolveLookupPaths?: (request: string, parent: Module) => string[] | null;
  _nodeModulePaths(dir: string): string[];
}

const loader = Module as unknown as LoaderInternals;

interface KoffiPackage {
  version?: unknown;
  exports?: { '.'?: Record<string, unknown> };
}

/**
 * `<dir>/koffi` of the first lookup dir that has it as a package, as Node's CommonJS resolver would
 * find it; undefined when something else named koffi (a file, a dir without package.json) comes first.
 */
function findKoffiDir(paths: readonly string[]): string | undefined {
  for (const dir of paths) {
    if (!existsSync(dir)) continue;
    if (existsSync(join(dir, 'koffi', 'package.json'))) return join(dir, 'koffi');
    if (['koffi', 'koffi.js', 'koffi.json', 'koffi.node'].some((f) => existsSync(join(dir, f)))) return undefined;
  }
  return undefined;
}

/** The file `require` would pick from koffi's "exports" (CommonJS conditions, in key order). */
function requireTarget(pkg: KoffiPackage): string | undefined {
  const dot = pkg.exports?.['.'];
  if (!dot || typeof dot !== 'object') return undefined;
  const first = Object.keys(dot).find((c) => ['require', 'node', 'node-addons', 'default', 'module-sync'].includes(c));
  const target = first === 'require' ? dot.require : undefined;
  return typeof target === 'string' && target.startsWith('./') ? target : undefined;
}

/**
 * Whether Node resolves modules with symlinks preserved (--preserve-symlinks on the command line or in
 * NODE_OPTIONS, or NODE_PRESERVE_SYMLINKS=1): require then caches koffi under its symlinked path, not
 * the real one registered here. Exact flag match: --preserve-symlinks-main only concerns the main
 * module, never how the bundle finds koffi.
 */
export function preservesSymlinks(execArgv: readonly string[], env: Readonly<Record<string, string | undefined>>): boolean {
  const flags = [...execArgv, ...(env.NODE_OPTIONS ?? '').split(/\s+/)];
  return flags.includes('--preserve-symlinks') || (env.NODE_PRESERVE_SYMLINKS ?? '').startsWith('1');
}

/**
 * Loads koffi's native module for `parent` (the bundle's module) and registers it as what
 * `require('koffi')` resolves to. Returns whether it did; false changes nothing.
 */
export function preloadKoffi(parent: Module): boolean {
  try {
    if (process.platform !== 'linux' || !['x64', 'arm64'].includes(process.arch) || preservesSymlinks(process.execArgv, process.env)) return false;
    if (typeof loader._resolveLookupPaths !== 'function' || typeof loader._pathCache !== 'object') return false;
    const lookup = loader._resolveLookupPaths('koffi', parent);
    const found = lookup && findKoffiDir(lookup);
    if (!found) return false;
    const koffiDir = realpathSync.native(found);
    const pkg = JSON.parse(readFileSync(join(koffiDir, 'package.json'), 'utf8')) as KoffiPackage;
    const entryRel = requireTarget(pkg);
    if (typeof pkg.version !== 'string' || !entryRel) return false;
    // koffi's loader looks for the platform package from inside koffi first (a nested copy wins).
    if (existsSync(join(koffiDir, 'node_modules'))) return false;
    const binary = join(dirname(koffiDir), '@koromix', `koffi-${process.platform}-${process.arch}`, `${process.platform}_${process.arch}`, 'koffi.node');
    if (!existsSync(binary)) return false;
    const entry = realpathSync.native(join(koffiDir, entryRel));
    const native = { exports: {} as { version?: unknown } };
    process.dlopen(native, binary); // throws on a musl host (glibc build): koffi then picks its musl build itself
    if (native.exports.version !== pkg.version) return false;
    const mod = new Module(entry, parent);
    mod.filename = entry;
    mod.paths = loader._nodeModulePaths(dirname(entry));
    mod.exports = native.exports;
    mod.loaded = true;
    loader._cache[entry] = mod;
    // The resolver's own cache key: request + NUL + lookup paths joined with NUL.
    loader._pathCache[`koffi\x00${lookup.join('\x00')}`] = entry;
    return true;
  } catch {
    return false;
  }
}
