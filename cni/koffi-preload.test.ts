import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { preloadKoffi, preservesSymlinks } from './koffi-preload';

const REPO_MODULES = join(import.meta.dirname, '..', 'node_modules');
const loader = Module as unknown as { _cache: Record<string, Module>; _load(request: string, parent: Module): unknown };
const koffiVersion = (JSON.parse(readFileSync(join(REPO_MODULES, 'koffi', 'package.json'), 'utf8')) as { version: string }).version;

const tmp = mkdtempSync(join(tmpdir(), 't1-koffi-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A module that lives in `dir`, looking up node_modules from there only. */
function parentIn(dir: string, paths: string[]): Module {
  const m = new Module(join(dir, 'bundle.js'));
  m.filename = join(dir, 'bundle.js');
  m.paths = paths;
  return m;
}

/** A private node_modules: a copy of koffi's package.json (patched) beside the real platform package. */
function fakeLayout(name: string, patch: (pkg: Record<string, unknown>) => void, nested = false): string {
  const nm = join(tmp, name, 'node_modules');
  mkdirSync(join(nm, 'koffi'), { recursive: true });
  const pkg = JSON.parse(readFileSync(join(REPO_MODULES, 'koffi', 'package.json'), 'utf8')) as Record<string, unknown>;
  patch(pkg);
  writeFileSync(join(nm, 'koffi', 'package.json'), JSON.stringify(pkg));
  writeFileSync(join(nm, 'koffi', 'index.cjs'), 'throw new Error("koffi\'s own loader ran");\n');
  if (nested) mkdirSync(join(nm, 'koffi', 'node_modules'));
  mkdirSync(join(nm, '@koromix'));
  cpSync(join(REPO_MODULES, '@koromix', `koffi-${process.platform}-${process.arch}`), join(nm, '@koromix', `koffi-${process.platform}-${process.arch}`), { recursive: true });
  return nm;
}

describe('preloadKoffi', () => {
  it("makes require('koffi') return koffi's native module without running koffi's loader", () => {
    const parent = parentIn(tmp, [join(tmp, 'node_modules'), REPO_MODULES]);
    expect(preloadKoffi(parent)).toBe(true);
    const koffi = loader._load('koffi', parent) as { version: string; load: unknown; errno: unknown };
    expect(koffi.version).toBe(koffiVersion);
    expect(typeof koffi.load).toBe('function');
    expect(typeof koffi.errno).toBe('function');
    // koffi's entry requires its loader script; nothing did.
    expect(Object.keys(loader._cache).filter((f) => f.includes(join('koffi', 'src')))).toEqual([]);
  });

  it('the preloaded module works: libc calls through it', () => {
    const parent = parentIn(tmp, [REPO_MODULES]);
    preloadKoffi(parent);
    const koffi = loader._load('koffi', parent) as { load(lib: string): { func(proto: string): () => number } };
    expect(koffi.load('libc.so.6').func('int getpid()')()).toBe(process.pid);
  });

  it('finds a layout whose index.cjs is never run (the stand-in throws if it is)', () => {
    const nm = fakeLayout('ok', () => {});
    const parent = parentIn(join(tmp, 'ok'), [nm]);
    expect(preloadKoffi(parent)).toBe(true);
    expect((loader._load('koffi', parent) as { version: string }).version).toBe(koffiVersion);
  });

  it('leaves everything alone when the package and the binary disagree on the version', () => {
    const nm = fakeLayout('mismatch', (p) => (p.version = '0.0.1-other'));
    const parent = parentIn(join(tmp, 'mismatch'), [nm]);
    expect(preloadKoffi(parent)).toBe(false);
    expect(loader._cache[join(nm, 'koffi', 'index.cjs')]).toBeUndefined();
    expect(() => loader._load('koffi', parent)).toThrow(/koffi's own loader ran/);
  });

  it('leaves a nested copy, an unexpected exports map and a missing koffi to koffi itself', () => {
    const nested = fakeLayout('nested', () => {}, true);
    expect(preloadKoffi(parentIn(join(tmp, 'nested'), [nested]))).toBe(false);
    const nodeFirst = fakeLayout('node-first', (p) => (p.exports = { '.': { node: './index.cjs', require: './index.cjs' } }));
    expect(preloadKoffi(parentIn(join(tmp, 'node-first'), [nodeFirst]))).toBe(false);
    expect(preloadKoffi(parentIn(join(tmp, 'none'), [join(tmp, 'none', 'node_modules')]))).toBe(false);
  });

  it('respects lookup order: a koffi file earlier on the path wins, so nothing is preloaded', () => {
    const early = join(tmp, 'early', 'node_modules');
    mkdirSync(early, { recursive: true });
    writeFileSync(join(early, 'koffi.js'), 'module.exports = "shadow";\n');
    symlinkSync(REPO_MODULES, join(tmp, 'early', 'later'));
    const parent = parentIn(join(tmp, 'early'), [early, join(tmp, 'early', 'later')]);
    expect(preloadKoffi(parent)).toBe(false);
    expect(loader._load('koffi', parent)).toBe('shadow');
  });

  it('--preserve-symlinks (argv, NODE_OPTIONS or NODE_PRESERVE_SYMLINKS=1) turns it off; --preserve-symlinks-main does not', () => {
    expect(preservesSymlinks(['--preserve-symlinks'], {})).toBe(true);
    expect(preservesSymlinks([], { NODE_OPTIONS: '--use-openssl-ca --preserve-symlinks' })).toBe(true);
    expect(preservesSymlinks([], { NODE_PRESERVE_SYMLINKS: '1' })).toBe(true);
    expect(preservesSymlinks(['--preserve-symlinks-main'], {})).toBe(false);
    expect(preservesSymlinks([], { NODE_OPTIONS: '--preserve-symlinks-main --use-openssl-ca' })).toBe(false);
    expect(preservesSymlinks([], { NODE_PRESERVE_SYMLINKS: '0' })).toBe(false);
    expect(preservesSymlinks([], {})).toBe(false);
    // and preloadKoffi reads this process's flags through it
    const saved = process.env.NODE_OPTIONS;
    try {
      const parent = parentIn(tmp, [REPO_MODULES]);
      process.env.NODE_OPTIONS = '--preserve-symlinks-main';
      expect(preloadKoffi(parent)).toBe(true);
      process.env.NODE_OPTIONS = '--preserve-symlinks';
      expect(preloadKoffi(parent)).toBe(false);
    } finally {
      if (saved === undefined) delete process.env.NODE_OPTIONS;
      else process.env.NODE_OPTIONS = saved;
    }
  });
});
