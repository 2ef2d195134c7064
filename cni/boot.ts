// Starts a plugin's real bundle through a V8 code cache. Node 20 has no compile cache of its own, and
// compiling the ~190 KB bundle plus the functions a command runs costs ~8 ms of CPU on every pod
// start (measured: ADD 50 → 42 ms CPU). The cache is one file per command beside the bundle
// (`<bundle>.<COMMAND>.cache`), written atomically on the first run of that command; V8 rejects a cache
// from another V8 version or another source text, and then it is simply rewritten. A bin dir that is
// not writable only means no cache. Builtins only: this file (and koffi-preload.ts) must stay tiny.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { dirname } from 'node:path';
import { Script } from 'node:vm';
import { preloadKoffi } from './koffi-preload';

export function bootFromCache(bundle: string): void {
  const command = /^[A-Z]{2,10}$/.test(process.env.CNI_COMMAND ?? '') ? process.env.CNI_COMMAND : 'OTHER';
  const cacheFile = `${bundle}.${command}.cache`;
  // The loader strips a shebang for files it loads; we compile the text ourselves (the build writes
  // none into the bundles, so normally there is nothing to copy).
  let source = readFileSync(bundle, 'utf8');
  if (source.startsWith('#!')) source = source.replace(/^#!.*/, '');
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    // first run of this command
  }
  const script = new Script(Module.wrap(source), { filename: bundle, cachedData });
  if (!cachedData || script.cachedDataRejected) {
    // At exit the functions this command needed are compiled too, so they land in the cache.
    process.once('exit', () => {
      try {
        const tmp = `${cacheFile}.${process.pid}.tmp`;
        writeFileSync(tmp, script.createCachedData());
        renameSync(tmp, cacheFile);
      } catch {
        // read-only bin dir: run without a cache
      }
    });
  }
  const mod = new Module(bundle);
  mod.filename = bundle;
  // Module._nodeModulePaths is how the CommonJS loader finds node_modules (koffi, etcd3) from a dir.
  (mod as unknown as { paths: string[] }).paths = (Module as unknown as { _nodeModulePaths(d: string): string[] })._nodeModulePaths(dirname(bundle));
  const wrapper = script.runInThisContext() as (exports: unknown, require: (id: string) => unknown, module: unknown, filename: string, dirname: string) => void;
  let koffiTried = false;
  const load = (id: string): unknown => {
    // koffi's own loader costs ~5 ms more than its dlopen (koffi-preload.ts); still required by name.
    if (id === 'koffi' && !koffiTried) koffiTried = preloadKoffi(mod) || true;
    return mod.require(id);
  };
  wrapper.call(mod.exports, mod.exports, load, mod, bundle, dirname(bundle));
}
