import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseConfigText } from '../../config/index';
import { EXIT_STARTUP_FAILED, startRuntime } from './runtime';

const dirs: string[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A loopback port nothing listens on (bound, then closed). */
async function deadPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('startRuntime with the Kubernetes datastore', () => {
  it('API unreachable at start: retries for the bounded time, then exits 1 with a clear line, before listening for BGP', async () => {
    const dir = mkdtempSync(join(tmpdir(), 't6-runtime-'));
    dirs.push(dir);
    const port = await deadPort();
    const bgpPort = await deadPort();
    writeFileSync(join(dir, 'kubeconfig'), JSON.stringify({
      apiVersion: 'v1', kind: 'Config', 'current-context': 'f',
      clusters: [{ name: 'f', cluster: { server: `http://127.0.0.1:${port}`, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'f', user: { token: 't' } }], contexts: [{ name: 'f', context: { cluster: 'f', user: 'f' } }],
    }));
    const text = [
      'nodeName: t6-node', 'routerId: 198.18.0.1', `listen: { port: ${bgpPort}, address: 127.0.0.1 }`,
      `datastore: { type: kubernetes, kubeconfig: ${join(dir, 'kubeconfig')} }`, `control: { socket: ${join(dir, 'bgpd.sock')} }`,
    ].join('\n');
    const parsed = parseConfigText(text, 'bgpd.yaml');
    if (parsed.errors) throw new Error(JSON.stringify(parsed.errors));
    const lines: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    const started = Date.now();
    const code = await startRuntime(parsed.config, { configPath: join(dir, 'bgpd.yaml'), load: () => ({ errors: ['unused'] }), kubernetesStartupTimeoutMs: 400 });
    vi.restoreAllMocks();
    expect(code).toBe(EXIT_STARTUP_FAILED);
    expect(Date.now() - started).toBeLessThan(5000);
    const last = JSON.parse(lines.filter((l) => l.includes('"level":"error"')).at(-1) ?? '{}') as { msg?: string; err?: string };
    expect(last.msg).toBe("cannot read this node's AS and listen port from the Kubernetes API: exiting");
    expect(last.err).toMatch(/cannot read Node t6-node and BGPConfigurations default\/node\.t6-node/);
    expect(lines.some((l) => l.includes('retrying'))).toBe(true);
    // nothing was started: no BGP listener
    const probe = createServer();
    await new Promise<void>((resolve, reject) => probe.once('error', reject).listen(bgpPort, '127.0.0.1', () => resolve()));
    await new Promise<void>((r) => probe.close(() => r()));
  });
});
