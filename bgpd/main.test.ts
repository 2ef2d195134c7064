import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { bundleLikeDist } from '../test/bundle';
import { DEFAULT_CONFIG_PATH, parseBgpdArgs } from './cli-args';

const root = resolve(import.meta.dirname, '..');
const tsx = join(root, 'node_modules/.bin/tsx');
const examples = readdirSync(join(root, 'config/examples')).filter((f) => f.endsWith('.yaml')).sort();
const threeMistakes = 'test/fixtures/config/three-mistakes.yaml';

interface Run { status: number | null; stdout: string; stderr: string }

function run(cmd: string, args: string[]): Run {
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', timeout: 20_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
const bgpd = (...args: string[]) => run(tsx, ['bgpd/main.ts', ...args]);

const expectedThree = [
  `${threeMistakes}: peers[0].holdtime: expected a known key, found unknown key "holdtime" (line 9, column 5); did you mean "holdTime"?`,
  `${threeMistakes}: peers[2].asNumber: expected an AS number 1–4294967295, found "65001x" (line 13, column 15)`,
  `${threeMistakes}: pools[0].cidr: expected a network address with no host bits set, found "10.244.7.0/16" (line 15, column 11); did you mean "10.244.0.0/16"?`,
];

describe('bgpd argument parsing', () => {
  it('defaults to /etc/tortie/bgpd.yaml and no check', () => {
    expect(parseBgpdArgs([])).toEqual({ kind: 'run', configPath: DEFAULT_CONFIG_PATH, check: false });
    expect(DEFAULT_CONFIG_PATH).toBe('/etc/tortie/bgpd.yaml');
  });
  it('accepts --config FILE, --config=FILE, -c FILE and --check in any order', () => {
    expect(parseBgpdArgs(['--check', '--config', 'a.yaml'])).toEqual({ kind: 'run', configPath: 'a.yaml', check: true });
    expect(parseBgpdArgs(['--config=b.yaml'])).toEqual({ kind: 'run', configPath: 'b.yaml', check: false });
    expect(parseBgpdArgs(['-c', 'c.yaml', '--check'])).toEqual({ kind: 'run', configPath: 'c.yaml', check: true });
  });
  it('help wins, then version', () => {
    expect(parseBgpdArgs(['--version', '--help'])).toEqual({ kind: 'help' });
    expect(parseBgpdArgs(['--check', '-V'])).toEqual({ kind: 'version' });
  });
  it('rejects unknown options, stray arguments and a missing file name', () => {
    expect(parseBgpdArgs(['--confg', 'x'])).toEqual({ kind: 'usage-error', message: 'unknown option --confg (did you mean --config?)' });
    expect(parseBgpdArgs(['a.yaml']).kind).toBe('usage-error');
    expect(parseBgpdArgs(['--config'])).toEqual({ kind: 'usage-error', message: '--config needs a file name' });
    expect(parseBgpdArgs(['--config='])).toEqual({ kind: 'usage-error', message: '--config= needs a file name' });
  });
});

describe('bgpd entry point (tsx subprocess)', () => {
  it.each(examples)('--check accepts config/examples/%s', (f) => {
    const r = bgpd('--config', `config/examples/${f}`, '--check');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^config/examples/${f.replace('.', '\\.')}: OK: node [a-z0-9.-]+, router ID \\d+\\.\\d+\\.\\d+\\.\\d+, AS \\d+, .*\\n$`));
    expect(r.stdout.split('\n')).toHaveLength(2); // exactly one line
  });

  it('--check on three-mistakes.yaml prints exactly the three problems and exits 2', () => {
    const r = bgpd('--check', '--config', threeMistakes);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toEqual(expectedThree);
  });

  it('starting with an invalid config reports the same and starts nothing', () => {
    const r = bgpd('--config', threeMistakes);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toEqual(expectedThree);
  });

  it('a valid config starts the daemon: control socket answers; SIGTERM stops for a restart (marker kept, next start restarting), SIGINT for good', async () => {
    // no peers and loopback only: nothing leaves the machine
    const dir = mkdtempSync(join(tmpdir(), 'tortie-bgpd-run-'));
    const sock = join(dir, 'bgpd.sock');
    const port = 20000 + Math.floor(Math.random() * 20000);
    const cfg = join(dir, 'bgpd.yaml');
    const marker = join(dir, 'state', 'bgpd.running');
    writeFileSync(cfg, [
      'routerId: 198.18.250.1', 'nodeAddress: 198.18.250.1', 'nodeName: unit', `listen: { address: 127.0.0.1, port: ${port} }`,
      `datastore: { type: file, path: ${dir}/state }`, `control: { socket: ${sock} }`, 'health: { enabled: false }',
      'advertisePrefixes: [10.250.0.0/24]', '',
    ].join('\n'));
    const children: ReturnType<typeof spawn>[] = [];
    const startBgpd = async (): Promise<{ stderr: () => string; exited: Promise<number | null>; kill: (s: NodeJS.Signals) => void }> => {
      const child = spawn(tsx, ['bgpd/main.ts', '--config', cfg], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
      children.push(child);
      let stderr = '';
      child.stderr!.on('data', (d) => { stderr += String(d); });
      const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
      const end = Date.now() + 15_000;
      while (!stderr.includes('"bgpd started"')) {
        if (Date.now() > end || child.exitCode !== null) throw new Error(`bgpd did not start: ${stderr}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      return { stderr: () => stderr, exited, kill: (sig) => child.kill(sig) };
    };
    const status = (): Record<string, unknown> => {
      const r = run(tsx, ['bgpd/bgpctl/main.ts', '--socket', sock, 'show', 'status', '--json']);
      expect(r.status).toBe(0);
      return JSON.parse(r.stdout) as Record<string, unknown>;
    };
    try {
      const first = await startBgpd();
      const line = first.stderr().split('\n').find((l) => l.includes('"bgpd started"')) as string;
      expect(JSON.parse(line)).toMatchObject({ level: 'info', routerId: '198.18.250.1', peers: 0 });
      expect(status()).toMatchObject({ routerId: '198.18.250.1', asNumber: 64512, restarting: false, peers: 0 });
      expect(existsSync(marker)).toBe(true);
      // SIGTERM (the kubelet's stop): a stop for a restart — the marker stays, the socket goes
      first.kill('SIGTERM');
      expect(await first.exited).toBe(0);
      expect(first.stderr()).toContain('shutting down for a restart');
      expect(existsSync(marker)).toBe(true);
      expect(existsSync(sock)).toBe(false);
      // so the next start is a restarting speaker (R and F bits), as after a crash
      const second = await startBgpd();
      expect(second.stderr()).toContain('previous run stopped for a restart: graceful restart');
      expect(status()).toMatchObject({ restarting: true });
      // SIGINT: a final stop leaves no restart marker and no socket behind
      second.kill('SIGINT');
      expect(await second.exited).toBe(0);
      expect(second.stderr()).toContain('administrative shutdown to every peer');
      expect(existsSync(marker)).toBe(false);
      expect(existsSync(sock)).toBe(false);
    } finally {
      for (const c of children) c.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  }, 40_000);

  it('a datastore that fails at start makes bgpd exit 1 instead of listening with no agent', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tortie-bgpd-ds-'));
    try {
      const sock = join(dir, 'bgpd.sock');
      const kubeconfig = join(dir, 'kubeconfig');
      // plain http without insecure-skip-tls-verify: client-node refuses every request
      writeFileSync(kubeconfig, JSON.stringify({
        apiVersion: 'v1', kind: 'Config', clusters: [{ name: 'c', cluster: { server: 'http://127.0.0.1:9' } }],
        users: [{ name: 'u', user: { token: 't' } }], contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }], 'current-context': 'x',
      }));
      const cfg = join(dir, 'bgpd.yaml');
      writeFileSync(cfg, [
        'routerId: 198.18.250.2', 'nodeName: unit', `listen: { address: 127.0.0.1, port: ${20000 + Math.floor(Math.random() * 20000)} }`,
        `datastore: { type: kubernetes, kubeconfig: ${kubeconfig} }`, `control: { socket: ${sock} }`, 'health: { enabled: false }', '',
      ].join('\n'));
      const child = spawn(tsx, ['bgpd/main.ts', '--config', cfg], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TORTIE_STATE_DIR: join(dir, 'state') } });
      let stderr = '';
      child.stderr.on('data', (d) => { stderr += String(d); });
      const code = await new Promise<number | null>((r) => {
        const t = setTimeout(() => { child.kill('SIGKILL'); r(null); }, 20_000);
        child.on('exit', (c) => { clearTimeout(t); r(c); });
      });
      expect(code, stderr).toBe(1);
      // with the kubernetes datastore the first call to the API is the read of the own AS (k8s-startup.ts),
      // before the node agent: a kubeconfig the client refuses fails there, at once
      const line = stderr.split('\n').find((l) => l.includes('cannot start the node agent') || l.includes("cannot read this node's AS"));
      expect(line, stderr).toBeDefined();
      expect(JSON.parse(line!)).toMatchObject({ level: 'error', datastore: 'kubernetes' });
      expect(existsSync(sock)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);

  it.skipIf(existsSync(DEFAULT_CONFIG_PATH))('a missing default config file is a config error', () => {
    const r = bgpd('--check');
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`${DEFAULT_CONFIG_PATH}: expected a readable YAML config file, found no such file\n`);
  });

  it('--help, --version and bad options', () => {
    const help = bgpd('--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^usage: bgpd \[--config FILE\] \[--check\]/);
    const version = bgpd('--version');
    expect(version.status).toBe(0);
    expect(version.stdout).toMatch(/^bgpd \(tortie\) \d+\.\d+\.\d+\n$/);
    const bad = bgpd('--chekc');
    expect(bad.status).toBe(64);
    expect(bad.stderr).toMatch(/^bgpd: unknown option --chekc \(did you mean --check\?\)\n/);
  });
});

// The shipped binary is an esbuild CommonJS bundle (scripts/build.mjs): no top-level await, the JSON
// import and the lazy config import must survive bundling.
describe('bgpd entry point (bundled like dist/bgpd)', () => {
  let dir = '';
  let bin = '';
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tortie-bgpd-bundle-'));
    bin = join(dir, 'bgpd');
    await bundleLikeDist(join(root, 'bgpd/main.ts'), bin, { banner: { js: '#!/usr/bin/env node' }, logLevel: 'silent' });
  });
  afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

  it('checks a good and a bad config', () => {
    const good = run(process.execPath, [bin, '--check', '--config', 'config/examples/dual-stack.yaml']);
    expect(good.status).toBe(0);
    expect(good.stdout).toMatch(/^config\/examples\/dual-stack\.yaml: OK: node node-1, router ID 198\.18\.0\.1, AS 64512/);
    const bad = run(process.execPath, [bin, '--check', '--config', threeMistakes]);
    expect(bad.status).toBe(2);
    expect(bad.stderr.trimEnd().split('\n')).toEqual(expectedThree);
    expect(run(process.execPath, [bin, '--version']).stdout).toMatch(/^bgpd \(tortie\) /);
  });
});
