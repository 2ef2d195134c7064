// Test helper: a private etcd (Debian etcd-server) on 127.0.0.1 with random free ports and a temp data
// dir under /tmp/tortie-ipam-*; stop() kills exactly the process it started and removes the dir.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';

export interface EtcdHandle {
  readonly endpoint: string;
  readonly dir: string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export async function startEtcd(): Promise<EtcdHandle> {
  const dir = mkdtempSync('/tmp/tortie-ipam-etcd-');
  const [client, peer, metrics] = [await freePort(), await freePort(), await freePort()];
  const endpoint = `http://127.0.0.1:${client}`;
  const child: ChildProcess = spawn(
    'etcd',
    [
      '--name', 'ipamtest', '--data-dir', `${dir}/data`,
      '--listen-client-urls', endpoint, '--advertise-client-urls', endpoint,
      '--listen-peer-urls', `http://127.0.0.1:${peer}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${peer}`,
      '--initial-cluster', `ipamtest=http://127.0.0.1:${peer}`,
      '--listen-metrics-urls', `http://127.0.0.1:${metrics}`,
      // Tests don't need durability across power loss; fsync per write dominates otherwise.
      '--unsafe-no-fsync',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr?.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([gone, new Promise((r) => setTimeout(r, 3000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`etcd exited with ${child.exitCode}: ${log}`);
    }
    try {
      const res = await fetch(`${endpoint}/health`);
      if (res.ok && ((await res.json()) as { health?: string }).health === 'true') break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`etcd not healthy after 15 s: ${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { endpoint, dir, stop };
}
