// tortie under a real container runtime: a private containerd 1.6 (Debian) in a "host" netns runs
// a pod sandbox through the CRI (RunPodSandbox → CNI ADD, Stop/RemovePodSandbox → CNI DEL), driven by
// the TypeScript CRI client in test/cni/cri/ (@grpc/grpc-js over containerd's unix socket).
// Skipped when containerd, runc or gcc are missing (scripts/install-deps.sh installs them).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { criClient, type CriClient } from './cri/client';
import { ipamState } from './ipam-state';
import { createLab, DIST, ipJson, netnsPath, sh, status, type CniLab } from './lab';

const HERE = join(import.meta.dirname, 'containerd');
const PY = '/usr/bin/python3'; // oci_image.py: standard library only
const IMAGE = 'docker.io/tortie/pause:1';

function missing(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root';
  for (const bin of ['/usr/bin/containerd', '/usr/bin/ctr', '/usr/sbin/runc', '/usr/bin/gcc']) if (!existsSync(bin)) return `${bin} missing`;
  return undefined;
}
const why = missing();

let lab: CniLab;
let ctrd: ChildProcess | undefined;
let sock = '';
let cri: CriClient | undefined;
const sandboxes: string[] = [];

async function waitFor(what: string, ok: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe.skipIf(why !== undefined)(`containerd + CRI runs tortie${why ? ` (skipped: ${why})` : ''}`, () => {
  beforeAll(async () => {
    lab = await createLab([{ cidr: '10.75.0.0/16' }]);
    const d = lab.dir;
    for (const sub of ['rootfs', 'cni-bin', 'net.d', 'logs']) mkdirSync(join(d, sub), { recursive: true });
    sh('gcc', ['-static', '-Os', '-o', join(d, 'rootfs', 'pause'), join(HERE, 'pause.c')]);
    sh(PY, [join(HERE, 'oci_image.py'), join(d, 'rootfs'), IMAGE, join(d, 'pause.tar'), '/pause']);
    // Symlinks: node resolves the real path of its main module, so dist/'s package.json and the
    // repo's node_modules (koffi) are still found.
    symlinkSync(join(DIST, 'tortie'), join(d, 'cni-bin', 'tortie'));
    symlinkSync('/usr/lib/cni/loopback', join(d, 'cni-bin', 'loopback'));
    writeFileSync(join(d, 'net.d', '10-tortie.conflist'), JSON.stringify({
      cniVersion: '1.0.0',
      name: 'k8s-pod-network',
      plugins: [{ type: 'tortie', datastore: lab.store, data_dir: join(d, 'cni'), log_file_path: join(d, 'cni.log'), nodename: 'node1', ipam: { type: 'tortie-ipam' } }],
    }));
    sock = join(d, 'containerd.sock');
    writeFileSync(join(d, 'config.toml'), [
      'version = 2',
      `root = "${d}/root"`,
      `state = "${d}/state"`,
      `[grpc]\n  address = "${sock}"`,
      `[plugins."io.containerd.internal.v1.opt"]\n  path = "${d}/opt"`,
      '[plugins."io.containerd.grpc.v1.cri"]',
      `  sandbox_image = "${IMAGE}"`,
      '  netns_mounts_under_state_dir = true', // pod netns under our state dir, not /var/run/netns
      '  restrict_oom_score_adj = true', // no CAP_SYS_RESOURCE on this VM (lab.md §3)
      '  stream_server_address = "127.0.0.1"',
      '  stream_server_port = "0"',
      '  [plugins."io.containerd.grpc.v1.cri".cni]',
      `    bin_dir = "${d}/cni-bin"`,
      `    conf_dir = "${d}/net.d"`,
      '  [plugins."io.containerd.grpc.v1.cri".containerd]',
      '    snapshotter = "overlayfs"',
      '    default_runtime_name = "runc"',
      '    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]',
      '      runtime_type = "io.containerd.runc.v2"',
      '      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]',
      '        SystemdCgroup = false',
      `        Root = "${d}/runc-root"`,
      '',
    ].join('\n'));
    // nsenter, not `ip netns exec`: the latter remounts /sys and runc then finds no cgroup mount.
    ctrd = spawn('nsenter', [`--net=${netnsPath(lab.host)}`, 'containerd', '--config', join(d, 'config.toml')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    ctrd.stderr!.on('data', (b: Buffer) => (stderr = (stderr + b.toString()).slice(-4000)));
    const t0 = performance.now();
    cri = criClient(sock);
    const answers = (): Promise<boolean> => cri!.version().then((v) => v.runtimeApiVersion === 'v1', () => false);
    await waitFor('the CRI to answer', async () => existsSync(sock) && (await answers()), 60_000).catch((e: Error) => {
      throw new Error(`${e.message}\ncontainerd stderr:\n${stderr}`);
    });
    console.log(`containerd: CRI Version answered ${(performance.now() - t0).toFixed(0)} ms after launch`);
    sh('ctr', ['-a', sock, '-n', 'k8s.io', 'images', 'import', join(d, 'pause.tar')]);
  }, 120_000);

  afterAll(async () => {
    for (const id of sandboxes) {
      await cri?.stopPodSandbox(id).catch(() => undefined);
      await cri?.removePodSandbox(id).catch(() => undefined);
    }
    cri?.close();
    if (ctrd && ctrd.exitCode === null) {
      ctrd.kill('SIGTERM');
      await waitFor('containerd to exit', () => ctrd!.exitCode !== null || ctrd!.signalCode !== null, 10_000).catch(() => ctrd!.kill('SIGKILL'));
    }
    // Shims outlive containerd; ours are the ones pointing at our socket: their children first.
    if (sock) {
      const ps = spawnSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' }).stdout.split('\n').map((l) => l.trim().split(/\s+/));
      const shims = ps.filter((f) => f[2]?.endsWith('containerd-shim-runc-v2') && f.join(' ').includes(`-address ${sock}`)).map((f) => f[0]);
      for (const f of ps) if (shims.includes(f[1])) spawnSync('kill', ['-9', f[0]]);
      for (const pid of shims) spawnSync('kill', ['-9', pid]);
    }
    // containerd leaves per-sandbox cgroup dirs behind (lab.md §3): remove the empty ones we made.
    for (const ctl of existsSync('/sys/fs/cgroup') ? readdirSync('/sys/fs/cgroup') : []) {
      for (const id of sandboxes) {
        try {
          rmdirSync(join('/sys/fs/cgroup', ctl, 'k8s.io', id));
        } catch {
          // absent or not ours
        }
      }
    }
    if (lab) {
      // anything still mounted under the state dir (pod netns) must go before the dir can
      spawnSync('sh', ['-c', `grep -o ' ${lab.dir}[^ ]*' /proc/mounts | sort -r | xargs -r -n1 umount -l`]);
      lab.cleanup();
    }
  }, 60_000);

  it('RunPodSandbox wires the pod through tortie; Stop/Remove takes it all away', { timeout: 120_000 }, async () => {
    const name = `tcn-pod-${process.pid}`;
    const rt = cri!;
    let t = performance.now();
    const id = await rt.runPodSandbox({
      metadata: { name, uid: `${name}-uid`, namespace: 'default', attempt: 0 },
      hostname: name,
      logDirectory: join(lab.dir, 'logs'),
    });
    const runMs = performance.now() - t;
    sandboxes.push(id);
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    const sandbox = await rt.podSandboxStatus(id);
    expect(sandbox.state).toBe('SANDBOX_READY');
    expect(sandbox.metadata?.name).toBe(name);
    const st = { ip: sandbox.network?.ip ?? '' };
    expect(st.ip).toMatch(/^10\.75\.\d+\.\d+$/);
    expect((await rt.listPodSandbox({ id })).map((p) => [p.id, p.state])).toEqual([[id, 'SANDBOX_READY']]);
    const hostIf = ipJson<{ ifname: string }[]>(lab.host, ['link']).map((l) => l.ifname).find((n) => n.startsWith('cali'));
    expect(hostIf).toBeDefined();
    expect(sh('ip', ['-n', lab.host, 'route', 'show', `${st.ip}/32`])).toContain(`dev ${hostIf} scope link`);
    expect(status('ip', ['netns', 'exec', lab.host, 'busybox', 'ping', '-c', '1', '-W', '2', st.ip])).toBe(0);
    expect((await ipamState(lab.store)).handles).toEqual([`k8s-pod-network.${id}`]);
    expect(readFileSync(join(lab.dir, 'cni.log'), 'utf8')).toContain(`cmd=ADD containerID=${id}`);

    t = performance.now();
    await rt.stopPodSandbox(id);
    const stopMs = performance.now() - t;
    expect((await rt.podSandboxStatus(id)).state).toBe('SANDBOX_NOTREADY');
    t = performance.now();
    await rt.removePodSandbox(id);
    const removeMs = performance.now() - t;
    sandboxes.pop();
    console.log(`CRI RunPodSandbox ${runMs.toFixed(0)} ms, StopPodSandbox ${stopMs.toFixed(0)} ms, RemovePodSandbox ${removeMs.toFixed(0)} ms`);
    expect((await rt.listPodSandbox()).map((p) => p.id)).not.toContain(id);
    expect(ipJson<{ ifname: string }[]>(lab.host, ['link']).map((l) => l.ifname).filter((n) => n.startsWith('cali'))).toEqual([]);
    expect(sh('ip', ['-n', lab.host, 'route', 'show', `${st.ip}/32`]).trim()).toBe('');
    const ipam = await ipamState(lab.store);
    expect(ipam.handles).toEqual([]);
    expect(ipam.addresses.size).toBe(0);
    expect(readFileSync(join(lab.dir, 'cni.log'), 'utf8')).toContain(`cmd=DEL containerID=${id}`);
  });
});
