// Real kubectl against the fake apiserver with deploy/'s CRDs registered: discovery, printer columns as a
// server-side Table, `-o wide` for priority-1 columns. Skipped (with a message) when kubectl is absent.
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeApiServer } from './fake-apiserver';
import { readCrds } from './manifests';

const hasKubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;
const run = promisify(execFile);
let api: FakeApiServer;
let dir: string;

async function kubectl(...args: string[]): Promise<string> {
  // Async on purpose: the fake apiserver lives in this process and must keep answering.
  const kc = join(dir, 'kubeconfig');
  const r = await run('kubectl', ['--server', api.url, '--cache-dir', join(dir, 'cache'), ...args], { env: { ...process.env, KUBECONFIG: kc }, encoding: 'utf8' });
  return r.stdout;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tk8-kubectl-'));
  writeFileSync(join(dir, 'kubeconfig'), '');
  api = await FakeApiServer.start();
  for (const c of readCrds()) api.register({ group: c.group, version: 'v1', plural: c.plural, kind: c.kind, namespaced: false }, { columns: c.columns });
  const post = (plural: string, body: unknown) => fetch(`${api.url}/apis/tortie.dev/v1/${plural}`, { method: 'POST', body: JSON.stringify(body) });
  await post('bgppeers', { metadata: { name: 'tor-r1' }, spec: { peerIP: '198.18.1.254', asNumber: 65001, nodeSelector: 'rack == "r1"' } });
  await post('bgppeers', { metadata: { name: 'node-1-rr' }, spec: { peerIP: '198.18.9.9', asNumber: 64512, node: 'node-1' } });
  await post('ippools', { metadata: { name: 'default-ipv4' }, spec: { cidr: '10.244.0.0/16', blockSize: 26, encapsulation: 'ipip', natOutgoing: true, disabled: false } });
});
afterAll(async () => {
  await api?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!hasKubectl)(`kubectl against the fake apiserver${hasKubectl ? '' : ' (SKIPPED: no kubectl on PATH)'}`, () => {
  it('kubectl get bgppeers shows peer, AS and node; -o wide adds the node selector', async () => {
    const out = await kubectl('get', 'bgppeers');
    const [header, ...rows] = out.trim().split('\n');
    expect(header.split(/\s{2,}/)).toEqual(['NAME', 'PEER', 'AS', 'NODE', 'AGE']);
    // Cut rows at the header's column starts: an empty cell (no node) leaves a gap, not a shift.
    const starts = ['PEER', 'AS', 'NODE', 'AGE'].map((h) => header.indexOf(h));
    const cut = (r: string) => [0, ...starts].map((s, i, a) => r.slice(s, a[i + 1]).trim()).slice(0, 4);
    expect(rows.map(cut)).toEqual([
      ['node-1-rr', '198.18.9.9', '64512', 'node-1'],
      ['tor-r1', '198.18.1.254', '65001', ''],
    ]);
    const wide = await kubectl('get', 'bgppeers', '-o', 'wide');
    expect(wide.split('\n')[0]).toMatch(/NODESELECTOR/);
    expect(wide).toContain('rack == "r1"');
  });

  it('kubectl get ippools (by short name) shows the pool columns', async () => {
    const out = await kubectl('get', 'ippools');
    expect(out.split('\n')[0].split(/\s{2,}/)).toEqual(['NAME', 'CIDR', 'BLOCK', 'ENCAP', 'NAT', 'DISABLED', 'AGE']);
    expect(out).toMatch(/default-ipv4\s+10\.244\.0\.0\/16\s+26\s+ipip\s+true\s+false/);
    const json = JSON.parse(await kubectl('get', 'ippool', 'default-ipv4', '-o', 'json'));
    expect(json.spec.cidr).toBe('10.244.0.0/16');
  });
});
