// The cni-kubeconfig sidecar as the DaemonSet runs it — `tortie-install --refresh-kubeconfig` (bundled
// like dist/tortie-install) — against the fake apiserver enforcing deploy/rbac.yaml, with tokens granted
// for 6 s: it writes a tortie-cni token at start, replaces it before it expires, and stops on SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleLikeDist } from '../bundle';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeApiServer } from './fake-apiserver';
import { rbacAuthorizer } from './fake-rbac';
import { DEPLOY, readDocs } from './manifests';

const NS = 'tortie-system';
let work: string;
let api: FakeApiServer;
let child: ChildProcess | undefined;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'tk8-sidecar-'));
  writeFileSync(join(work, 'package.json'), '{"type":"commonjs"}\n');
  await bundleLikeDist(join(import.meta.dirname, '../../cni/install-main.ts'), join(work, 'tortie-install'));
  api = await FakeApiServer.start({ maxTokenSeconds: 6 });
  for (const name of ['tortie-node', 'tortie-cni'])
    await fetch(`${api.url}/api/v1/namespaces/${NS}/serviceaccounts`, { method: 'POST', body: JSON.stringify({ metadata: { name } }) });
  api.addToken('pod-token', { namespace: NS, name: 'tortie-node' });
  api.setAuthorizer(rbacAuthorizer(readDocs(join(DEPLOY, 'rbac.yaml'))));
}, 60_000);
afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await api?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('tortie-install --refresh-kubeconfig (the sidecar process)', () => {
  it('keeps a valid tortie-cni token in the kubeconfig across expiry and exits 0 on SIGTERM', async () => {
    const sa = join(work, 'sa');
    const net = join(work, 'net');
    mkdirSync(sa);
    mkdirSync(net);
    writeFileSync(join(sa, 'token'), 'pod-token');
    writeFileSync(join(sa, 'namespace'), NS);
    let out = '';
    child = spawn(process.execPath, [join(work, 'tortie-install'), '--refresh-kubeconfig=1', `--server=${api.url}`], {
      env: { PATH: '/usr/bin:/bin', CNI_DATASTORE: 'kubernetes', SERVICEACCOUNT_DIR: sa, CNI_BIN_DIR: join(work, 'bin'), CNI_NET_DIR: net },
    });
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child!.on('close', r));
    const kc = join(net, 'tortie-kubeconfig');
    const token = (): string => (existsSync(kc) ? (JSON.parse(readFileSync(kc, 'utf8')) as { users: Array<{ user: { token: string } }> }).users[0].user.token : '');
    const start = Date.now();
    while (token() === '' && Date.now() - start < 5000) await sleep(20);
    const first = token();
    expect(api.tokenSubject(first)).toEqual({ namespace: NS, name: 'tortie-cni' });
    // Watch the file over the first token's whole life and a bit: it must always hold a token that works.
    const seen = new Set<string>([first]);
    let rss = 0;
    while (api.tokenSubject(first) !== undefined || Date.now() - start < 7000) {
      const t = token();
      seen.add(t);
      expect(api.tokenSubject(t), `token in the file at ${Date.now() - start} ms`).toBeDefined();
      rss = Math.max(rss, Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0));
      await sleep(50);
      if (Date.now() - start > 12_000) break;
    }
    expect(seen.size).toBeGreaterThanOrEqual(2);
    // utime + stime (fields 14, 15 after the command name) in clock ticks (100/s).
    const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    const cpuMs = (Number(stat[11]) + Number(stat[12])) * 10;
    console.log(`sidecar: ${seen.size} tokens in ${Date.now() - start} ms with 6 s grants, 1 s rounds; CPU ${cpuMs} ms (incl. start); VmRSS max ${Math.round(rss / 1024)} MB`);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(out).toMatch(/CNI kubeconfig token: ServiceAccount tortie-system\/tortie-cni via TokenRequest/);
    expect(out).not.toMatch(/error|warning/);
  }, 30_000);
});
