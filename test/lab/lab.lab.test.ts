import { describe, it, expect, beforeAll } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Lab } from './lab';
import { useLab } from './use-lab';
import { listNetns } from './netns-list';
import { run } from './run-command';
import { readState, statePath, writeState, processStartTime } from './run-state';
import { waitFor } from './wait-for';

const here = path.dirname(fileURLToPath(import.meta.url));

async function traces(runId: string): Promise<string[]> {
  const ns = (await listNetns()).filter((n) => n.startsWith(runId));
  const links = (await run('ip', ['-o', 'link', 'show'])).stdout.split('\n').filter((l) => l.includes(runId));
  const files = [statePath(runId), `/tmp/tortie-lab/${runId}`].filter((p) => fs.existsSync(p));
  return [...ns, ...links, ...files];
}

/** Gone or a zombie waiting to be reaped: either way nothing runs any more. */
function dead(pid: number): boolean {
  return processStartTime(pid) === undefined;
}

describe('lab topologies', () => {
  const getLab = useLab({ prefix: 'tl' });
  let lab: Lab;
  beforeAll(() => {
    lab = getLab();
  });

  it('joins two namespaces with a veth; they ping each other over v4 and v6', async () => {
    const a = await lab.host('a');
    const b = await lab.host('b');
    const l = await lab.link(a, b, { addrA: '198.18.0.1/24', addrB: '198.18.0.2/24', v6: { addrA: 'fd00:18::1/64', addrB: 'fd00:18::2/64' } });
    expect(l.ifA).toBe('e-b');
    expect(await a.ping('198.18.0.2')).toBe(true);
    expect(await b.ping('198.18.0.1')).toBe(true);
    expect(await a.ping('fd00:18::2')).toBe(true);
    // an address nobody has does not answer (the ping helper really reports failure)
    expect(await a.ping('198.18.0.3', { timeoutS: 1 })).toBe(false);
    // nothing of this run is visible in the root namespace
    const rootLinks = (await run('ip', ['-o', 'link', 'show'])).stdout;
    expect(rootLinks).not.toContain(lab.run);
  });

  it('builds a bridge underlay where three hosts all ping each other', async () => {
    const hs = [await lab.host('h1'), await lab.host('h2'), await lab.host('h3')];
    const br = await lab.bridge('u', hs, { subnet: '198.18.1.0/24', subnet6: 'fd00:19::/64' });
    expect(br.addressOf('h2')).toBe('198.18.1.2');
    for (const from of hs) {
      for (const to of hs) {
        if (from === to) continue;
        expect(await from.ping(br.addressOf(to)), `${from.name} -> ${to.name}`).toBe(true);
        expect(await from.ping(br.addressOf(to, 6)), `${from.name} -> ${to.name} v6`).toBe(true);
      }
    }
  });

  it('runs a process inside a host, captures its output and stops it', async () => {
    const a = lab.getHost('a');
    const p = a.spawn('echoer', 'sh', ['-c', 'ip -o link show; echo $((6*7))-ready; exec sleep 60']);
    await waitFor(() => p.logs().includes('42-ready'), { what: 'echoer output', timeoutMs: 5000 });
    expect(p.logs()).toContain('e-b'); // it saw host a's interfaces, not the root's
    expect(p.logs()).not.toContain('eth0');
    const exit = await p.stop();
    expect(exit.signal).toBe('SIGTERM');
    expect(p.running).toBe(false);
  });
});

describe('piped processes', () => {
  const getLab = useLab({ prefix: 'tl' });

  it('talks to a process over stdin/stdout lines and still logs its output', async () => {
    const a = await getLab().host('p');
    const p = a.spawn('echo-srv', 'sh', ['-c', 'while read l; do echo "got $l"; echo "err $l" >&2; done'], { pipe: true });
    const seen: string[] = [];
    p.onLine((l) => seen.push(l));
    p.write('one\ntwo\n');
    await waitFor(() => p.lines.length >= 2, { what: 'two reply lines', timeoutMs: 5000 });
    expect(p.lines).toEqual(['got one', 'got two']);
    expect(seen).toEqual(['got one', 'got two']);
    await waitFor(() => p.logs().includes('err two'), { what: 'stderr in the log', timeoutMs: 5000 });
    expect(p.logs()).toContain('got one');
    await p.stop();
    expect(() => a.spawn('plain', 'true').write('x')).toThrow(/pipe: true/);
  });
});

describe('cleanup', () => {
  it('removes namespaces, processes and files even when the test body throws', async () => {
    const lab = await Lab.create({ prefix: 'tl' });
    let runId = '';
    try {
      await expect(
        (async () => {
          runId = lab.run;
          const a = await lab.host('a');
          const b = await lab.host('b');
          await lab.link(a, b, { addrA: '198.18.2.1/24', addrB: '198.18.2.2/24' });
          await lab.bridge('u', [a, b], { subnet: '198.18.3.0/24' });
          a.spawn('sleeper', 'sleep', ['300']);
          expect((await traces(runId)).length).toBeGreaterThan(0);
          throw new Error('boom');
        })(),
      ).rejects.toThrow('boom');
    } finally {
      await lab.cleanup();
    }
    expect(await traces(runId)).toEqual([]);
  });

  it('an uncaught exception in the owning process still cleans up (exit hook)', async () => {
    const r = spawnSync('npx', ['tsx', path.join(here, 'testdata/crashing-run.ts'), 'throw'], { encoding: 'utf8', timeout: 30_000 });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('simulated test crash');
    const [runId, pid] = r.stdout.trim().split(' ');
    expect(runId).toMatch(/^tl[0-9a-z]{4}$/);
    expect(await traces(runId)).toEqual([]);
    expect(dead(Number(pid))).toBe(true);
  });

  it('removes leftovers of a SIGKILLed run at the next Lab.create, but not live runs', async () => {
    const child = spawn('npx', ['tsx', path.join(here, 'testdata/crashing-run.ts'), 'hang'], { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const [, runId, pid] = await waitFor(() => /^(tl[0-9a-z]{4}) (\d+)\n/.exec(out), { what: 'child lab run id', timeoutMs: 20_000 });
    expect(dead(Number(pid))).toBe(false);
    process.kill(-(child.pid as number), 'SIGKILL'); // no exit hook can run
    await new Promise((r) => child.once('exit', r));
    expect((await listNetns()).filter((n) => n.startsWith(runId)).sort()).toEqual([`${runId}-a`, `${runId}-b`]);

    // A live run with the same prefix must survive the sweep.
    const live = await Lab.create({ prefix: 'tl' });
    try {
      await live.host('x');
      expect(await traces(runId)).toEqual([]);
      expect(dead(Number(pid))).toBe(true); // the dead run's daemon was killed too
      expect(Lab.removeLeftovers('tl')).not.toContain(live.run);
      expect(await listNetns()).toContain(`${live.run}-x`);
    } finally {
      await live.cleanup();
    }
  });

  it('removes a namespace whose state file names a dead pid, and one with no state file', async () => {
    const exited = spawnSync('true');
    const deadPid = exited.pid as number;
    expect(processStartTime(deadPid)).toBeUndefined();
    const ghost = 'tlzz01';
    const orphan = 'tlzz02';
    writeState({ run: ghost, pid: deadPid, pidStart: '1', createdAt: '', namespaces: [`${ghost}-a`], paths: [] });
    await run('ip', ['netns', 'add', `${ghost}-a`]);
    await run('ip', ['netns', 'add', `${orphan}-q`]);
    const removed = Lab.removeLeftovers('tl');
    expect(removed).toEqual(expect.arrayContaining([ghost, orphan]));
    expect(readState(ghost)).toBeUndefined();
    const left = await listNetns();
    expect(left).not.toContain(`${ghost}-a`);
    expect(left).not.toContain(`${orphan}-q`);
  });
});
