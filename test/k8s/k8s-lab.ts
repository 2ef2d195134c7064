// Shared by the lab tests that run the real bgpd with the Kubernetes datastore in lab namespaces: the
// fake apiserver as a process, bgpd bundled from source (so the test exercises the working tree, not a
// stale dist/), and its kubeconfig / config files in the host's private dir.
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { bundleLikeDist } from '../bundle';
import { stringify } from 'yaml';
import type { LabHost } from '../lab/lab-host';
import type { LabProcess } from '../lab/lab-process';
import { waitFor } from '../lab/wait-for';

export const ROOT = resolve(import.meta.dirname, '../..');
export const CRD = '/apis/tortie.dev/v1';

/** Starts the fake apiserver in `host` (on `address`, default loopback) and resolves with its URL. */
export async function startApiServer(host: LabHost, address = '127.0.0.1'): Promise<string> {
  const proc = host.spawn('api', process.execPath, ['--import', 'tsx', join(ROOT, 'test/k8s/fake-apiserver-main.ts'), address], { cwd: ROOT });
  return waitFor(() => /http:\/\/\S+/.exec(proc.logs())?.[0], { what: 'fake apiserver URL', abortIf: () => proc.exitReason() });
}

/** One API call with curl from inside `host` (the test process is in another network namespace). */
export async function api(host: LabHost, url: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const ctype = method === 'PATCH' ? 'application/merge-patch+json' : 'application/json';
  const args = ['-s', '-f', '-X', method, '-H', `content-type: ${ctype}`, ...(body !== undefined ? ['-d', JSON.stringify(body)] : []), url + path];
  return JSON.parse((await host.exec('curl', args)).stdout) as unknown;
}

/** Bundles bgpd into the host's dir, writes kubeconfig + config (`config` on top of the basics) and starts it. */
export async function startBgpd(host: LabHost, url: string, config: Record<string, unknown>): Promise<LabProcess> {
  const dir = host.dir('bgpd');
  await bundleLikeDist(join(ROOT, 'bgpd/main.ts'), join(dir, 'bgpd.cjs'));
  writeFileSync(join(dir, 'kubeconfig'), JSON.stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': 'f',
    clusters: [{ name: 'f', cluster: { server: url, 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'f', user: { token: 't' } }], contexts: [{ name: 'f', context: { cluster: 'f', user: 'f' } }],
  }));
  writeFileSync(join(dir, 'bgpd.yaml'), stringify({
    asNumber: 64512,
    datastore: { type: 'kubernetes', kubeconfig: join(dir, 'kubeconfig') },
    health: { enabled: false }, control: { socket: join(dir, 'bgpd.sock') }, log: { level: 'debug' },
    timers: { holdTime: 30, connectRetryTime: 1 },
    ...config,
  }));
  // TORTIE_STATE_DIR: the restart marker goes to the lab dir, not the machine's /var/lib/tortie
  return host.spawn('bgpd', process.execPath, [join(dir, 'bgpd.cjs'), '--config', join(dir, 'bgpd.yaml')], { cwd: ROOT, env: { NODE_PATH: join(ROOT, 'node_modules'), TORTIE_STATE_DIR: dir } });
}

/** A waitFor failure with the tail of a daemon's log appended. */
export function withLog(proc: LabProcess): (err: Error) => never {
  return (err) => {
    throw new Error(`${err.message}\n${proc.logs().slice(-3000)}`);
  };
}
