// install-cni from the assembled image tree (scripts/assemble-image.sh) into temp dirs standing in for
// /opt/cni/bin and /etc/cni/net.d; then the installed plugin is exec'd the way a kubelet would.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeConfig } from '@kubernetes/client-node';
import { MANIFEST_NAME, install, optionsFromEnv, refreshKubeconfig, uninstall, wrapperScript } from '../../cni/install';
import { renderConflist, serverFromEnv } from '../../cni/install-config';
import { FakeApiServer } from './fake-apiserver';
import { rbacAuthorizer } from './fake-rbac';
import { DEPLOY, readDocs } from './manifests';
import { assembleImage } from './install-image';

let work: string;
let image: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'tk8-install-'));
  image = await assembleImage(work);
}, 120_000);
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

function runInstall(dirs: { bin: string; net: string }, extraEnv: Record<string, string> = {}, args: string[] = []) {
  const r = spawnSync(join(image, 'usr/local/bin/node'), [join(image, 'opt/tortie/bin/tortie-install'), ...args], {
    encoding: 'utf8',
    env: { PATH: '/usr/bin:/bin', CNI_BIN_DIR: dirs.bin, CNI_NET_DIR: dirs.net, NODE_NAME: 'node-1', ...extraEnv },
  });
  return { status: r.status, out: r.stdout + r.stderr };
}

/** runInstall without blocking the event loop, so an in-process fake apiserver can answer it. */
function runInstallAsync(dirs: { bin: string; net: string }, extraEnv: Record<string, string>, args: string[] = []): Promise<{ status: number | null; out: string }> {
  const child = spawn(join(image, 'usr/local/bin/node'), [join(image, 'opt/tortie/bin/tortie-install'), ...args], {
    env: { PATH: '/usr/bin:/bin', CNI_BIN_DIR: dirs.bin, CNI_NET_DIR: dirs.net, NODE_NAME: 'node-1', ...extraEnv },
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, out })));
}

function execPlugin(bin: string, plugin: string, env: Record<string, string>, stdin = '') {
  // The kubelet's view: an executable named like the plugin type in the CNI bin dir, a bare environment.
  const r = spawnSync(join(bin, plugin), [], { input: stdin, encoding: 'utf8', env: { PATH: '/usr/bin:/bin', CNI_PATH: bin, ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('assembled image tree', () => {
  it('has the plugins, tortie-install and a Node runtime, without per-machine caches', () => {
    const bin = readdirSync(join(image, 'opt/tortie/bin'));
    for (const f of ['tortie', 'tortie-ipam', 'tortie-install', 'package.json']) expect(bin).toContain(f);
    expect(bin.some((f) => f.endsWith('.cache'))).toBe(false);
    expect(execFileSync(join(image, 'usr/local/bin/node'), ['--version'], { encoding: 'utf8' })).toMatch(/^v20\./);
    // Production dependencies only (client-node for the kubernetes datastore; no vitest).
    expect(existsSync(join(image, 'opt/tortie/node_modules/@kubernetes/client-node/package.json'))).toBe(true);
    expect(existsSync(join(image, 'opt/tortie/node_modules/vitest'))).toBe(false);
  });
});

describe('install-cni (file datastore)', () => {
  let dirs: { bin: string; net: string };
  beforeAll(() => {
    dirs = { bin: join(work, 'file/opt-cni-bin'), net: join(work, 'file/etc-cni-net.d') };
  });

  it('installs node runtime, wrappers, bundles and the conflist; the installed plugin answers VERSION', () => {
    const r = runInstall(dirs, { CNI_MTU: '1400' });
    expect(r.out).toContain('installed');
    expect(r.status).toBe(0);
    const node = join(dirs.bin, 'tortie-node');
    expect(statSync(node).mode & 0o111).not.toBe(0);
    expect(readFileSync(join(dirs.bin, 'tortie'), 'utf8')).toBe(wrapperScript('tortie'));
    // every plugin needs koffi (netlink; the file store's flock): it must resolve from the shipped lib
    const k = spawnSync(node, ['-e', "require('koffi'); console.log('koffi ok')"], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin', NODE_PATH: join(dirs.bin, 'tortie-lib/node_modules') }, cwd: dirs.bin });
    expect(k.stdout.trim()).toBe('koffi ok');
    const conflist = JSON.parse(readFileSync(join(dirs.net, '10-tortie.conflist'), 'utf8'));
    expect(conflist.plugins.map((p: { type: string }) => p.type)).toEqual(['tortie', 'portmap']);
    expect(conflist.plugins[0]).toMatchObject({ nodename: 'node-1', mtu: 1400, datastore: 'file:/var/lib/tortie/ipam', ipam: { type: 'tortie-ipam' } });
    for (const plugin of ['tortie', 'tortie-ipam']) {
      const v = execPlugin(dirs.bin, plugin, { CNI_COMMAND: 'VERSION' }, '{"cniVersion":"1.0.0"}');
      expect(v.stderr).toBe('');
      expect(v.status).toBe(0);
      expect(JSON.parse(v.stdout).supportedVersions).toEqual(expect.arrayContaining(['0.3.1', '1.0.0']));
    }
  });

  it('is re-runnable: a second run changes no binary and leaves no temp files', () => {
    const before = statSync(join(dirs.bin, 'tortie-node')).mtimeMs;
    const r = runInstall(dirs);
    expect(r.status).toBe(0);
    expect(r.out).toContain(`unchanged ${join(dirs.bin, 'tortie-node')}`);
    expect(statSync(join(dirs.bin, 'tortie-node')).mtimeMs).toBe(before);
    expect(readdirSync(dirs.bin).filter((f) => f.includes('.tmp-'))).toEqual([]);
    expect(readdirSync(dirs.net).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('--uninstall removes only what it installed and what is still unchanged', () => {
    writeFileSync(join(dirs.bin, 'portmap'), 'not ours');
    writeFileSync(join(dirs.net, '99-other.conflist'), '{}');
    // An operator edited the conflist by hand: keep it.
    writeFileSync(join(dirs.net, '10-tortie.conflist'), renderConflist({ nodeName: 'node-1', datastore: 'file:/x', mtu: 9000 }));
    const r = runInstall(dirs, {}, ['--uninstall']);
    expect(r.status).toBe(0);
    expect(r.out).toContain('kept');
    expect(readdirSync(dirs.bin).sort()).toEqual(['portmap']);
    expect(readdirSync(dirs.net).sort()).toEqual(['10-tortie.conflist', '99-other.conflist']);
    expect(existsSync(join(dirs.bin, MANIFEST_NAME))).toBe(false);
  });

  it('fails clearly on a bad setting', () => {
    const r = runInstall(dirs, { CNI_MTU: '20' });
    expect(r.status).toBe(1);
    expect(r.out).toMatch(/CNI_MTU must be 0 or 68–65535, not 20/);
  });
});

describe('install-cni (kubernetes datastore)', () => {
  it('writes a 0600 kubeconfig with a tortie-cni token (TokenRequest, not the pod token) and ships node_modules with the plugins', async () => {
    const dirs = { bin: join(work, 'k8s/opt-cni-bin'), net: join(work, 'k8s/etc-cni-net.d') };
    const sa = join(work, 'k8s/sa');
    mkdirSync(sa, { recursive: true });
    writeFileSync(join(sa, 'token'), 'tok-123\n');
    writeFileSync(join(sa, 'namespace'), 'tortie-system');
    writeFileSync(join(sa, 'ca.crt'), '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    // The apiserver: the pod's token is tortie-node's; deploy/rbac.yaml decides what it may do.
    const api = await FakeApiServer.start();
    try {
      for (const name of ['tortie-node', 'tortie-cni']) await fetch(`${api.url}/api/v1/namespaces/tortie-system/serviceaccounts`, { method: 'POST', body: JSON.stringify({ metadata: { name } }) });
      api.addToken('tok-123', { namespace: 'tortie-system', name: 'tortie-node' });
      api.setAuthorizer(rbacAuthorizer(readDocs(join(DEPLOY, 'rbac.yaml'))));
      const r = await runInstallAsync(dirs, { CNI_DATASTORE: 'kubernetes', SERVICEACCOUNT_DIR: sa, CNI_HOST_NET_DIR: '/etc/cni/net.d' }, [`--server=${api.url}`]);
      expect(r.out).not.toMatch(/tortie-install: [a-z].*(error|not found|warning)/i);
      expect(r.status).toBe(0);
      const kcPath = join(dirs.net, 'tortie-kubeconfig');
      expect(statSync(kcPath).mode & 0o777).toBe(0o600);
      const kc = new KubeConfig();
      kc.loadFromFile(kcPath);
      expect(kc.getCurrentCluster()?.server).toBe(api.url);
      const token = kc.getCurrentUser()?.token ?? '';
      expect(token).not.toBe('tok-123');
      expect(api.tokenSubject(token)).toEqual({ namespace: 'tortie-system', name: 'tortie-cni' });
      expect(api.requests).toContain('POST /api/v1/namespaces/tortie-system/serviceaccounts/tortie-cni/token');
    } finally {
      await api.close();
    }
    // In a pod the server comes from the service environment (IPv6 bracketed).
    expect(serverFromEnv({ KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '6443' })).toBe('https://[fd00::1]:6443');
    const kc = new KubeConfig();
    kc.loadFromFile(join(dirs.net, 'tortie-kubeconfig'));
    expect(Buffer.from(kc.getCurrentCluster()!.caData!, 'base64').toString()).toContain('BEGIN CERTIFICATE');
    // The conflist names the kubeconfig by its host path, not the container's mount path.
    const conflist = JSON.parse(readFileSync(join(dirs.net, '10-tortie.conflist'), 'utf8'));
    expect(conflist.plugins[0].datastore).toBe('kubernetes:/etc/cni/net.d/tortie-kubeconfig');
    expect(existsSync(join(dirs.bin, 'tortie-lib/node_modules/@kubernetes/client-node/package.json'))).toBe(true);
    expect(readFileSync(join(dirs.bin, 'tortie'), 'utf8')).toContain('NODE_PATH=');
    // The wrapper's NODE_PATH lets the installed runtime load client-node from the bin dir alone.
    const probe = spawnSync(join(dirs.bin, 'tortie-node'), ['-e', "require('@kubernetes/client-node'); console.log('ok')"], {
      encoding: 'utf8',
      env: { NODE_PATH: join(dirs.bin, 'tortie-lib/node_modules') },
      cwd: '/',
    });
    expect(probe.stdout.trim()).toBe('ok');
    const v = execPlugin(dirs.bin, 'tortie', { CNI_COMMAND: 'VERSION' });
    expect(v.status).toBe(0);
    // Uninstall takes the lib directory and the kubeconfig along.
    expect(runInstall(dirs, {}, ['--uninstall']).status).toBe(0);
    expect(readdirSync(dirs.bin)).toEqual([]);
    expect(readdirSync(dirs.net)).toEqual([]);
  }, 120_000);

  it('--refresh-kubeconfig follows a rotated token and keeps the manifest hash current', () => {
    const dirs = { bin: join(work, 'k8s3/bin'), net: join(work, 'k8s3/net') };
    const sa = join(work, 'k8s3/sa');
    mkdirSync(sa, { recursive: true });
    writeFileSync(join(sa, 'token'), 'old-token');
    const env = { CNI_DATASTORE: 'kubernetes', SERVICEACCOUNT_DIR: sa, KUBERNETES_SERVICE_HOST: '10.96.0.1', TORTIE_NODE_MODULES: join(image, 'opt/tortie/node_modules') };
    const base = optionsFromEnv([], { ...env, CNI_BIN_DIR: dirs.bin, CNI_NET_DIR: dirs.net, TORTIE_SOURCE_DIR: join(image, 'opt/tortie/bin') });
    const quiet = { ...base, log: () => {} };
    install(quiet);
    const kc = join(dirs.net, 'tortie-kubeconfig');
    expect(refreshKubeconfig(quiet)).toBe(false);
    writeFileSync(join(sa, 'token'), 'new-token');
    expect(refreshKubeconfig(quiet)).toBe(true);
    expect(readFileSync(kc, 'utf8')).toContain('new-token');
    expect(statSync(kc).mode & 0o777).toBe(0o600);
    // Still recognised as ours: uninstall removes it.
    uninstall(quiet);
    expect(existsSync(kc)).toBe(false);
  }, 120_000);

  it('refuses the kubernetes datastore without a token', () => {
    const dirs = { bin: join(work, 'k8s2/bin'), net: join(work, 'k8s2/net') };
    const r = runInstall(dirs, { CNI_DATASTORE: 'kubernetes', SERVICEACCOUNT_DIR: join(work, 'nowhere'), KUBERNETES_SERVICE_HOST: '10.96.0.1' });
    expect(r.status).toBe(1);
    expect(r.out).toContain('no service-account token');
  }, 60_000);
});

describe('tortie-install --help', () => {
  it('-h and --help print what it does and every flag and variable it reads, exit 0, touch nothing', () => {
    const dirs = { bin: join(work, 'help/bin'), net: join(work, 'help/net') };
    const outs = ['--help', '-h', '--uninstall --help'].map((a) => runInstall(dirs, { CNI_MTU: 'not-a-number' }, a.split(' ')));
    for (const r of outs) {
      expect(r.status).toBe(0);
      expect(r.out).not.toContain('unknown argument');
      expect(r.out).toBe(outs[0].out);
    }
    expect(existsSync(join(work, 'help'))).toBe(false);
    const help = outs[0].out;
    // Every (flag, variable) pair the option parser reads must be documented.
    const pairs = [...readFileSync(join(import.meta.dirname, '../../cni/install.ts'), 'utf8').matchAll(/get\('([a-z-]+)', '([A-Z_]+)'/g)];
    expect(pairs.length).toBeGreaterThanOrEqual(11);
    for (const [, flag, name] of pairs) {
      expect(help).toContain(`--${flag}`);
      expect(help).toContain(name);
    }
    for (const s of ['--uninstall', '--refresh-kubeconfig', '--server', 'KUBERNETES_SERVICE_HOST', 'portmap', 'tortie-lib']) expect(help).toContain(s);
  });
});

describe('install-cni conflist: cniVersion, portmap, log file', () => {
  const conflistOf = (net: string) => JSON.parse(readFileSync(join(net, '10-tortie.conflist'), 'utf8'));

  it('no portmap in the bin dir: 1.1.0, a warning naming the bin dir; log_file_path defaults to /var/log/tortie/cni.log', () => {
    const dirs = { bin: join(work, 'pm0/bin'), net: join(work, 'pm0/net') };
    const r = runInstall(dirs);
    expect(r.status).toBe(0);
    expect(r.out).toContain(`warning: no executable portmap in ${dirs.bin}`);
    const c = conflistOf(dirs.net);
    expect(c.cniVersion).toBe('1.1.0');
    expect(c.plugins[0].log_file_path).toBe('/var/log/tortie/cni.log');
  });

  it("Debian's portmap (stops at 1.0.0): the conflist is written as 1.0.0, with a warning", () => {
    const debian = '/usr/lib/cni/portmap';
    if (!existsSync(debian)) return void console.warn(`skipped: ${debian} missing`);
    const dirs = { bin: join(work, 'pm1/bin'), net: join(work, 'pm1/net') };
    mkdirSync(dirs.bin, { recursive: true });
    execFileSync('cp', [debian, join(dirs.bin, 'portmap')]);
    const r = runInstall(dirs);
    expect(r.status).toBe(0);
    expect(r.out).toMatch(/portmap speaks up to 1\.0\.0, not 1\.1\.0: conflist written as 1\.0\.0/);
    expect(conflistOf(dirs.net).cniVersion).toBe('1.0.0');
  });

  it('a portmap that speaks 1.1.0: 1.1.0 and no warning; CNI_LOG_FILE="" drops log_file_path, a relative one is refused', () => {
    const dirs = { bin: join(work, 'pm2/bin'), net: join(work, 'pm2/net') };
    mkdirSync(dirs.bin, { recursive: true });
    // Answers VERSION only when asked with the CNI_COMMAND a runtime sets.
    writeFileSync(
      join(dirs.bin, 'portmap'),
      '#!/bin/sh\n[ "$CNI_COMMAND" = VERSION ] || exit 7\necho \'{"cniVersion":"1.1.0","supportedVersions":["0.4.0","1.0.0","1.1.0"]}\'\n',
      { mode: 0o755 },
    );
    const r = runInstall(dirs, { CNI_LOG_FILE: '' });
    expect(r.status).toBe(0);
    expect(r.out).not.toContain('warning');
    const c = conflistOf(dirs.net);
    expect(c.cniVersion).toBe('1.1.0');
    expect('log_file_path' in c.plugins[0]).toBe(false);
    expect(runInstall(dirs, { CNI_LOG_FILE: '/tmp/t11/cni.log' }).status).toBe(0);
    expect(conflistOf(dirs.net).plugins[0].log_file_path).toBe('/tmp/t11/cni.log');
    const bad = runInstall(dirs, { CNI_LOG_FILE: 'cni.log' });
    expect(bad.status).toBe(1);
    expect(bad.out).toContain('CNI_LOG_FILE must be an absolute path');
  });
});

describe('install-cni leftovers and tortie-lib contents', () => {
  it('removes leftovers of a killed run (its pid gone), keeps a live run’s and names that are not ours', () => {
    const dirs = { bin: join(work, 'sweep/bin'), net: join(work, 'sweep/net') };
    const dead = spawnSync('true').pid;
    const live = process.pid; // this test worker: alive while tortie-install runs
    mkdirSync(join(dirs.bin, `tortie-lib.tmp-${dead}/node_modules/koffi`), { recursive: true });
    mkdirSync(join(dirs.bin, `tortie-lib.old-${dead}/node_modules`), { recursive: true });
    mkdirSync(join(dirs.bin, `tortie-lib.tmp-${live}`), { recursive: true });
    mkdirSync(dirs.net, { recursive: true });
    const stale = [`tortie-lib.tmp-${dead}`, `tortie-lib.old-${dead}`, `.tortie-node.tmp-${dead}-0a1b2c3d`, `.tortie.cjs.tmp-${dead}-12345678`];
    writeFileSync(join(dirs.bin, `.tortie-node.tmp-${dead}-0a1b2c3d`), 'half a node');
    writeFileSync(join(dirs.bin, `.tortie.cjs.tmp-${dead}-12345678`), 'half a bundle');
    writeFileSync(join(dirs.net, `.10-tortie.conflist.tmp-${dead}-deadbeef`), '{');
    writeFileSync(join(dirs.bin, `.bridge.tmp-${dead}-0a1b2c3d`), 'someone else');
    const r = runInstall(dirs);
    expect(r.status).toBe(0);
    const bin = readdirSync(dirs.bin);
    for (const f of stale) expect(bin).not.toContain(f);
    expect(readdirSync(dirs.net)).not.toContain(`.10-tortie.conflist.tmp-${dead}-deadbeef`);
    expect(bin).toContain(`tortie-lib.tmp-${live}`);
    expect(bin).toContain(`.bridge.tmp-${dead}-0a1b2c3d`);
    expect(r.out.match(/removed leftover/g)).toHaveLength(5);
    expect(r.out).toContain(`removed leftover ${join(dirs.bin, `tortie-lib.old-${dead}`)}`);
  });

  it('tortie-lib holds koffi, etcd3, client-node and their dependencies only, and each loads from it', () => {
    // Reuses the install of the "no portmap" test above when it ran (one install less on a 2-core box).
    const dirs = { bin: join(work, 'pm0/bin'), net: join(work, 'pm0/net') };
    if (!existsSync(join(dirs.bin, 'tortie-lib'))) expect(runInstall(dirs).status).toBe(0);
    const lib = join(dirs.bin, 'tortie-lib/node_modules');
    for (const p of ['koffi', 'etcd3', '@kubernetes/client-node', '@grpc/grpc-js', 'ws']) expect(existsSync(join(lib, p, 'package.json')), p).toBe(true);
    // bgpd's and the tools' packages stay in the image; type declarations never reach the host.
    for (const p of ['ajv', 'prom-client', 'zod', 'yaml', '@types/node', 'vitest']) expect(existsSync(join(lib, p)), p).toBe(false);
    const mb = Number(execFileSync('du', ['-sm', lib], { encoding: 'utf8' }).split('\t')[0]);
    const imageMb = Number(execFileSync('du', ['-sm', join(image, 'opt/tortie/node_modules')], { encoding: 'utf8' }).split('\t')[0]);
    console.log(`tortie-lib: ${mb} MB (image node_modules: ${imageMb} MB)`);
    expect(mb).toBeLessThan(imageMb / 2);
    const probe = spawnSync(
      join(dirs.bin, 'tortie-node'),
      ['-e', "for (const p of ['koffi', 'etcd3', '@kubernetes/client-node']) { const m = require(p); if (!m || !Object.keys(m).length) throw new Error(p); } console.log('all loaded')"],
      { encoding: 'utf8', env: { PATH: '/usr/bin:/bin', NODE_PATH: lib }, cwd: '/' },
    );
    expect(probe.stderr).toBe('');
    expect(probe.stdout.trim()).toBe('all loaded');
  }, 60_000);
});

describe('install-cni atomicity', () => {
  // A reader that opens the installed runtime as fast as it can while a new one is installed: every
  // open must find the old file or the new one, whole (size + last 4 KiB; a full hash for any new shape and every 512th read).
  // Sensitivity, measured with this reader against a plain in-place `cp new target` (no temp + rename):
  // it saw torn files in 4 of 5 runs; against `cp` to a temp + `mv`, in none.
  const READER = `
    const fs = require('fs'), crypto = require('crypto');
    const [target, stop, oldHash, newHash] = process.argv.slice(1);
    const seen = { old: 0, new: 0, other: 0, missing: 0, full: 0 };
    const known = new Map();
    for (const [name, h] of [['old', oldHash], ['new', newHash]]) known.set(h, name);
    const sig = new Map(); // "size:tail" -> version, learnt from full reads
    let i = 0, first = true;
    while (!fs.existsSync(stop)) {
      let fd;
      try { fd = fs.openSync(target, 'r'); } catch { seen.missing++; continue; }
      try {
        const size = fs.fstatSync(fd).size;
        const tail = Buffer.alloc(4096);
        fs.readSync(fd, tail, 0, 4096, Math.max(0, size - 4096));
        const key = size + ':' + tail.toString('hex');
        let name = sig.get(key);
        if (name === undefined || i++ % 512 === 0) {
          name = known.get(crypto.createHash('sha256').update(fs.readFileSync(fd)).digest('hex')) ?? 'other';
          seen.full++;
          if (name !== 'other') sig.set(key, name);
        }
        seen[name]++;
        if (name === 'new' && seen.new === 1) process.stdout.write('saw-new\\n');
      } finally { fs.closeSync(fd); }
      if (first) { first = false; process.stdout.write('ready\\n'); }
    }
    process.stdout.write(JSON.stringify(seen) + '\\n');
  `;

  it('a reader never observes the installed Node runtime half-written while a new one replaces it', async () => {
    const dirs = { bin: join(work, 'atomic/bin'), net: join(work, 'atomic/net') };
    expect(runInstall(dirs).status).toBe(0);
    const target = join(dirs.bin, 'tortie-node');
    // A different runtime: the image's Node with bytes appended (ELF ignores them; it still runs).
    const newNode = join(work, 'atomic/node-v2');
    writeFileSync(newNode, Buffer.concat([readFileSync(join(image, 'usr/local/bin/node')), Buffer.from('tortie-install atomicity test\n')]), { mode: 0o755 });
    const hash = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');
    const [oldHash, newHash] = [hash(target), hash(newNode)];
    expect(oldHash).not.toBe(newHash);
    const stop = join(work, 'atomic/stop');
    const reader = spawn(process.execPath, ['-e', READER, target, stop, oldHash, newHash], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    reader.stdout.on('data', (b: Buffer) => (out += b.toString()));
    const done = new Promise<number | null>((res) => reader.on('close', res));
    while (!out.includes('ready')) await new Promise((r) => setTimeout(r, 20));
    // tortie-install copies the runtime it runs on: run it on the new one.
    const r = spawnSync(newNode, [join(image, 'opt/tortie/bin/tortie-install')], {
      encoding: 'utf8',
      env: { PATH: '/usr/bin:/bin', CNI_BIN_DIR: dirs.bin, CNI_NET_DIR: dirs.net, NODE_NAME: 'node-1', TORTIE_NODE_MODULES: join(image, 'opt/tortie/node_modules') },
    });
    expect(r.stdout + r.stderr).toContain(`installed ${target}`);
    // let the reader see the new file (its first sight is a full hash of ~100 MB: slow on a loaded box)
    for (const end = Date.now() + 20_000; !out.includes('saw-new') && Date.now() < end;) await new Promise((res) => setTimeout(res, 20));
    await new Promise((res) => setTimeout(res, 100));
    writeFileSync(stop, '');
    expect(await done).toBe(0);
    const seen = JSON.parse(out.split('\n').find((l) => l.startsWith('{'))!) as Record<string, number>;
    console.log(`atomicity reader: ${JSON.stringify(seen)}`);
    expect(seen.other).toBe(0);
    expect(seen.missing).toBe(0);
    expect(seen.old).toBeGreaterThan(0);
    expect(seen.new).toBeGreaterThan(0);
    expect(hash(target)).toBe(newHash);
    // and the plugin runs on it
    expect(execPlugin(dirs.bin, 'tortie', { CNI_COMMAND: 'VERSION' }, '{"cniVersion":"1.1.0"}').status).toBe(0);
  }, 60_000);
});

describe('uninstall Job example (deploy/examples/uninstall-cni-job.yaml)', () => {
  it('runs --uninstall with the install-cni container’s bin/net paths and host mounts (the manifest records those paths)', async () => {
    const { parse, parseAllDocuments } = await import('yaml');
    type Container = { name: string; command: string[]; env: { name: string; value?: string }[]; volumeMounts: { name: string; mountPath: string }[] };
    type PodSpec = { initContainers?: Container[]; containers: Container[]; volumes: { name: string; hostPath?: { path: string } }[] };
    const deploy = join(import.meta.dirname, '../../deploy');
    const ds = parseAllDocuments(readFileSync(join(deploy, 'daemonset.yaml'), 'utf8')).map((d) => d.toJS()).find((d) => d?.kind === 'DaemonSet') as { spec: { template: { spec: PodSpec } } };
    const job = parse(readFileSync(join(deploy, 'examples/uninstall-cni-job.yaml'), 'utf8')) as { kind: string; spec: { template: { spec: PodSpec & { nodeName: string } } } };
    expect(job.kind).toBe('Job');
    const install = ds.spec.template.spec.initContainers!.find((c) => c.name === 'install-cni')!;
    const [un] = job.spec.template.spec.containers;
    expect(un.command).toEqual([install.command[0], '--uninstall']);
    const envOf = (c: Container, n: string) => c.env.find((e) => e.name === n)?.value;
    for (const n of ['CNI_BIN_DIR', 'CNI_NET_DIR']) expect(envOf(un, n), n).toBe(envOf(install, n));
    const hostOf = (spec: PodSpec, c: Container, mountPath: string) => {
      const m = c.volumeMounts.find((v) => v.mountPath === mountPath);
      return spec.volumes.find((v) => v.name === m?.name)?.hostPath?.path;
    };
    for (const p of install.volumeMounts.map((m) => m.mountPath)) expect(hostOf(job.spec.template.spec, un, p), p).toBe(hostOf(ds.spec.template.spec, install, p));
    expect(job.spec.template.spec.nodeName).toBe('NODE_NAME_HERE');
  });
});

describe('.dockerignore', () => {
  it("keeps the host's node_modules, dist/ and .git out of the Dockerfile's `COPY . .`", () => {
    const root = join(import.meta.dirname, '../..');
    const ignored = readFileSync(join(root, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    for (const p of ['node_modules', 'dist', '.git']) expect(ignored).toContain(p);
    expect(readFileSync(join(root, 'Dockerfile'), 'utf8')).toMatch(/RUN npm ci[\s\S]*COPY \. \.[\s\S]*RUN node scripts\/build\.mjs/);
  });
});
