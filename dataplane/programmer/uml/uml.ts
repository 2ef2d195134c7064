// Boots user-mode-linux with a bundled Node script as its workload (the host kernel has no IPIP, UML's
// has it as a module). The UML package is fetched with apt-get download and unpacked into a cache dir,
// never installed.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const UML_CACHE = process.env.TORTIE_UML_CACHE ?? '/var/cache/tortie-uml';

export interface UmlKernel {
  linux: string;
  /** .../modules/<version>/kernel */
  modules: string;
}

/** The unpacked UML kernel, downloading it on first use; a string says why it is not available. */
export function ensureUml(cache = UML_CACHE): UmlKernel | string {
  const root = path.join(cache, 'root');
  const linux = path.join(root, 'usr/bin/linux.uml');
  if (!fs.existsSync(linux)) {
    fs.mkdirSync(cache, { recursive: true });
    let deb = fs.readdirSync(cache).find((f) => /^user-mode-linux_.*\.deb$/.test(f));
    if (!deb) {
      const dl = spawnSync('apt-get', ['download', 'user-mode-linux'], { cwd: cache, encoding: 'utf8' });
      deb = fs.readdirSync(cache).find((f) => /^user-mode-linux_.*\.deb$/.test(f));
      if (!deb) return `apt-get download user-mode-linux failed (exit ${dl.status}): ${(dl.stderr ?? '').slice(-300)}`;
    }
    const x = spawnSync('dpkg-deb', ['-x', path.join(cache, deb), root], { encoding: 'utf8' });
    if (x.status !== 0 || !fs.existsSync(linux)) return `dpkg-deb -x ${deb} failed: ${x.stderr}`;
  }
  const modRoot = path.join(root, 'usr/lib/uml/modules');
  const version = fs.existsSync(modRoot) ? fs.readdirSync(modRoot)[0] : undefined;
  if (!version) return `no modules under ${modRoot}`;
  return { linux, modules: path.join(modRoot, version, 'kernel') };
}

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../../..');

/** Bundles a guest entry (TypeScript) to one CommonJS file, koffi external (resolved via NODE_PATH). */
export async function bundleGuest(entry: string, outFile: string): Promise<void> {
  const esbuild = await import('esbuild');
  await esbuild.build({
    entryPoints: [entry], outfile: outFile, bundle: true, platform: 'node', format: 'cjs', target: 'node20',
    external: ['koffi'], logLevel: 'error', plugins: [importMetaAsSource],
  });
}

// CommonJS has no import.meta (esbuild leaves it empty): modules that locate files next to their source
// (test/e2e/node.ts finds dist/ through import.meta.dirname) get their source path as a literal instead.
const importMetaAsSource = {
  name: 'import-meta-as-source',
  setup(build: { onLoad(o: { filter: RegExp }, cb: (a: { path: string }) => { contents: string; loader: 'ts' } | undefined): void }): void {
    build.onLoad({ filter: /\.ts$/ }, (args) => {
      const src = fs.readFileSync(args.path, 'utf8');
      if (!src.includes('import.meta')) return undefined;
      const contents = src
        .replaceAll('import.meta.dirname', JSON.stringify(path.dirname(args.path)))
        .replaceAll('import.meta.filename', JSON.stringify(args.path))
        .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href));
      return { contents, loader: 'ts' };
    });
  },
};

export interface UmlRun {
  output: string;
  code: number | null;
  ms: number;
}

/** Boots UML with guest-init.sh running the bundled guest; resolves with the console output. */
export async function runInUml(kernel: UmlKernel, guestTs: string, opts: { timeoutMs?: number; memMb?: number } = {}): Promise<UmlRun> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tpg-uml-'));
  try {
    const guest = path.join(dir, 'guest.cjs');
    await bundleGuest(guestTs, guest);
    const args = [
      `mem=${opts.memMb ?? 512}M`, 'root=/dev/root', 'rootfstype=hostfs', 'rootflags=/', 'ro',
      `init=${path.join(here, 'guest-init.sh')}`, 'con=null', 'con0=fd:0,fd:1',
      `TPG_MODULES=${kernel.modules}`, `TPG_GUEST=${guest}`, `TPG_NODE_PATH=${path.join(repoRoot, 'node_modules')}`,
    ];
    const t0 = performance.now();
    // UML keeps guest memory in a file under TMPDIR: a private dir, removed below
    const child = spawn(kernel.linux, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TMPDIR: dir } });
    let output = '';
    child.stdout.on('data', (d: Buffer) => { output += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { output += d.toString(); });
    const code = await new Promise<number | null>((resolve) => {
      const t = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
      child.on('exit', (c) => {
        clearTimeout(t);
        resolve(c);
      });
    });
    return { output, code, ms: performance.now() - t0 };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
