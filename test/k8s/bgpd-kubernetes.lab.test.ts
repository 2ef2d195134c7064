// bgpd on the Kubernetes datastore: the fake apiserver and bgpd run in a throwaway network namespace
// (tk8-<pid>-<n>), bgpd takes its AS from the BGPConfiguration at start, registers its node through the
// CRDs, reports ready, and reports a later AS change on the BGPConfiguration. Needs root (netns).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleLikeDist } from '../bundle';
import { request } from '../../bgpd/control/client';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const NS = `tk8-${process.pid}-${Date.now() % 10000}`;
const dir = mkdtempSync(join(tmpdir(), 'tk8-bgpd-'));
const procs: ChildProcess[] = [];
const isRoot = process.getuid?.() === 0;

function ip(...args: string[]): void {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr}`);
}

/** Namespaces of earlier runs whose process is gone (tk8-<pid>-…). */
function removeLeftovers(): void {
  const list = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout;
  for (const m of list.matchAll(/^(tk8-(\d+)-\d+)/gm)) {
    if (!existsSync(`/proc/${m[2]}`)) spawnSync('ip', ['netns', 'del', m[1]]);
  }
}

function exec(cmd: string[], env: NodeJS.ProcessEnv = {}): { proc: ChildProcess; out: () => string } {
  const proc = spawn('ip', ['netns', 'exec', NS, ...cmd], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  procs.push(proc);
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  return { proc, out: () => out };
}

async function until<T>(what: string, fn: () => T | undefined | Promise<T | undefined>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

afterAll(async () => {
  for (const p of procs) p.kill('SIGKILL');
  // Anything else still inside our namespace was started by this test too.
  for (const pid of spawnSync('ip', ['netns', 'pids', NS], { encoding: 'utf8' }).stdout.split(/\s+/).filter(Boolean)) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await new Promise((r) => setTimeout(r, 200));
  spawnSync('ip', ['netns', 'del', NS]);
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!isRoot)(`bgpd with the kubernetes datastore${isRoot ? '' : ' (SKIPPED: needs root)'}`, () => {
  it('takes its AS from the BGPConfiguration at start, registers its node as a CRD object and reports ready', async () => {
    removeLeftovers();
    ip('netns', 'add', NS);
    ip('-n', NS, 'link', 'set', 'lo', 'up');
    ip('-n', NS, 'addr', 'add', '198.18.77.1/24', 'dev', 'lo');
    // node --import tsx (not the tsx wrapper, which forks): the pid we hold is the server itself.
    const server = exec([process.execPath, '--import', 'tsx', join(ROOT, 'test/k8s/fake-apiserver-main.ts')]);
    const url = await until('the fake apiserver', () => /http:\/\/\S+/.exec(server.out())?.[0]);
    await bundleLikeDist(join(ROOT, 'bgpd/main.ts'), join(dir, 'bgpd.cjs'));
    writeFileSync(
      join(dir, 'kubeconfig'),
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'f', cluster: { server: url, 'insecure-skip-tls-verify': true } }],
        users: [{ name: 'f', user: { token: 't' } }],
        contexts: [{ name: 'f', context: { cluster: 'f', user: 'f' } }],
        'current-context': 'f',
      }),
    );
    writeFileSync(
      join(dir, 'bgpd.yaml'),
      [
        'nodeName: tk8-node',
        'nodeAddress: 198.18.77.1/24',
        'listen: { port: 11179 }',
        `datastore: { type: kubernetes, kubeconfig: ${join(dir, 'kubeconfig')} }`,
        'health: { enabled: true, address: 127.0.0.1, port: 19099 }',
        `control: { socket: ${join(dir, 'bgpd.sock')} }`,
      ].join('\n') + '\n',
    );
    // an IPPool the schema accepts but IPAM must not use: the daemon's reporter marks it (k8s-reporting.ts)
    const pool = JSON.stringify({ metadata: { name: 'hostbits' }, spec: { cidr: '10.71.0.1/24', blockSize: 26 } });
    const post = spawnSync('ip', ['netns', 'exec', NS, 'curl', '-s', '-f', '-H', 'content-type: application/json', '-d', pool, `${url}/apis/tortie.dev/v1/ippools`], { encoding: 'utf8' });
    expect(post.status).toBe(0);
    // the cluster's AS, which the config file (default asNumber 64512) does not know: read before the speaker exists
    const bgpConfig = JSON.stringify({ metadata: { name: 'default' }, spec: { asNumber: 64999, listenPort: 11180 } });
    const postCfg = spawnSync('ip', ['netns', 'exec', NS, 'curl', '-s', '-f', '-H', 'content-type: application/json', '-d', bgpConfig, `${url}/apis/tortie.dev/v1/bgpconfigurations`], { encoding: 'utf8' });
    expect(postCfg.status).toBe(0);
    const bgpd = exec([process.execPath, join(dir, 'bgpd.cjs'), '--config', join(dir, 'bgpd.yaml')], { NODE_PATH: join(ROOT, 'node_modules'), TORTIE_STATE_DIR: dir });
    const curl = (u: string): string | undefined => {
      const r = spawnSync('ip', ['netns', 'exec', NS, 'curl', '-s', '-f', u], { encoding: 'utf8' });
      return r.status === 0 ? r.stdout : undefined;
    };
    const ready = await until(`bgpd /readyz (log: ${bgpd.out().slice(-500)})`, () => curl('http://127.0.0.1:19099/readyz'));
    expect(JSON.parse(ready)).toMatchObject({ ready: true, datastore: true });
    // bgpctl show status --json asks the same
    const status = await request(join(dir, 'bgpd.sock'), { cmd: 'status' });
    expect(status).toMatchObject({ ok: true, data: { asNumber: 64999 } });
    // the listener was bound on the BGPConfiguration's port from the start, not moved there later
    const ss = spawnSync('ip', ['netns', 'exec', NS, 'ss', '-Htln'], { encoding: 'utf8' }).stdout;
    expect(ss).toMatch(/:11180\b/);
    expect(ss).not.toMatch(/:11179\b/);
    expect(bgpd.out()).not.toContain('BGP listener moved');
    // a reload of the unchanged file keeps what the cluster set: nothing reported as needing a restart
    const reload = await request(join(dir, 'bgpd.sock'), { cmd: 'reload' });
    expect(reload).toMatchObject({ ok: true, data: { restartRequired: [] } });
    const entries = JSON.parse(curl(`${url}/apis/tortie.dev/v1/datastoreentries`)!);
    const node = entries.items.find((o: any) => o.metadata.annotations['tortie.dev/key'] === '/tortie/nodes/tk8-node');
    expect(node?.spec).toMatchObject({ name: 'tk8-node', ipv4: '198.18.77.1' });
    const cond = await until('Valid=False on the host-bits IPPool', () => {
      const got = JSON.parse(curl(`${url}/apis/tortie.dev/v1/ippools/hostbits`) ?? '{}') as { status?: { conditions?: Array<Record<string, unknown>> } };
      return got.status?.conditions?.find((c) => c.type === 'Valid' && c.status === 'False');
    });
    expect(cond.message).toMatch(/^spec\.cidr: 10\.71\.0\.1\/24 has host bits set/);
    const events = JSON.parse(curl(`${url}/api/v1/namespaces/default/events`)!) as { items: Array<Record<string, any>> };
    expect(events.items.map((e) => [e.involvedObject.name, e.source.host])).toEqual([['hostbits', 'tk8-node']]);
    // A process-wide measure for deploy/'s resource requests.
    // `ip netns exec` execs the command, so the child's pid is bgpd's.
    const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${bgpd.proc.pid}/status`, 'utf8'))?.[1]);
    console.log(`bgpd on the kubernetes datastore: ready, VmRSS ${(rss / 1024).toFixed(0)} MB`);
    expect(rss).toBeGreaterThan(20_000); // kB: a Node process, not the netns wrapper

    // a later AS change cannot move the running speaker: logged and reported on the object
    const patch = spawnSync('ip', ['netns', 'exec', NS, 'curl', '-s', '-f', '-X', 'PATCH', '-H', 'content-type: application/merge-patch+json', '-d', '{"spec":{"asNumber":65100}}', `${url}/apis/tortie.dev/v1/bgpconfigurations/default`], { encoding: 'utf8' });
    expect(patch.status).toBe(0);
    const asCond = await until('Valid=False on the BGPConfiguration', () => {
      const got = JSON.parse(curl(`${url}/apis/tortie.dev/v1/bgpconfigurations/default`) ?? '{}') as { status?: { conditions?: Array<Record<string, unknown>> } };
      return got.status?.conditions?.find((c) => c.type === 'Valid' && c.status === 'False');
    });
    expect(asCond.message).toBe('spec.asNumber: 65100, but bgpd runs with AS 64999 since it started; the AS changes only when bgpd restarts (restart the tortie-node pod)');
    // (the pipe is read between polls: wait for the line rather than read once)
    const asLine = await until('the error log line', () => bgpd.out().split('\n').find((l) => l.includes('spec.asNumber: 65100, but bgpd runs with AS 64999')), 5000);
    expect(JSON.parse(asLine)).toMatchObject({ level: 'error' });
    expect(await request(join(dir, 'bgpd.sock'), { cmd: 'status' })).toMatchObject({ data: { asNumber: 64999 } });
  }, 120_000);
});
