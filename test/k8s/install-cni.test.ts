// install-cni from the assembled image tree (scripts/assemble-image.sh) into temp dirs standing in for
// /opt/cni/bin and /etc/cni/net.d; then the installed plugin is exec'd the way a kubelet would.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeConfig } from '@kubernetes/client-node';
import { MANIFEST_NAME, install, optionsFromEnv, refreshKubeconfig, uninstall, wrapperScript } from '../../cni/install';
import { renderConflist } from '../../cni/install-config';
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
  it('writes a 0600 kubeconfig from the service-account token and ships node_modules with the plugins', () => {
    const dirs = { bin: join(work, 'k8s/opt-cni-bin'), net: join(work, 'k8s/etc-cni-net.d') };
    const sa = join(work, 'k8s/sa');
    mkdirSync(sa, { recursive: true });
    writeFileSync(join(sa, 'token'), 'tok-123\n');
    writeFileSync(join(sa, 'ca.crt'), '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const r = runInstall(dirs, {
      CNI_DATASTORE: 'kubernetes',
      SERVICEACCOUNT_DIR: sa,
      KUBERNETES_SERVICE_HOST: 'fd00::1',
      KUBERNETES_SERVICE_PORT: '6443',
      CNI_HOST_NET_DIR: '/etc/cni/net.d',
    });
    expect(r.out).not.toMatch(/tortie-install: [a-z].*(error|not found)/i);
    expect(r.status).toBe(0);
    const kcPath = join(dirs.net, 'tortie-kubeconfig');
    expect(statSync(kcPath).mode & 0o777).toBe(0o600);
    const kc = new KubeConfig();
    kc.loadFromFile(kcPath);
    expect(kc.getCurrentCluster()?.server).toBe('https://[fd00::1]:6443');
    expect(kc.getCurrentUser()?.token).toBe('tok-123');
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
