// Spawns alloc-worker processes from one esbuild bundle (node starts in ~50 ms; tsx would add ~400 ms
// per process, which matters for 50 crash rounds). etcd3 and koffi (native) stay external and resolve via NODE_PATH.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import type { WorkerEvent, WorkerJob } from './alloc-worker';

const ROOT = resolve(import.meta.dirname, '..', '..');

export async function bundleWorker(): Promise<string> {
  const out = join(mkdtempSync('/tmp/tortie-ipam-bundle-'), 'alloc-worker.cjs');
  await build({
    entryPoints: [join(ROOT, 'ipam/testing/alloc-worker.ts')],
    outfile: out,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['etcd3', 'koffi'],
    logLevel: 'error',
  });
  return out;
}

export interface RunningWorker {
  readonly child: ChildProcess;
  readonly events: WorkerEvent[];
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  /** Resolves once the worker has opened its datastore. */
  readonly ready: Promise<void>;
}

export function startWorker(bundle: string, job: WorkerJob): RunningWorker {
  const child = spawn(process.execPath, [bundle, JSON.stringify(job)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_PATH: join(ROOT, 'node_modules') },
  });
  const events: WorkerEvent[] = [];
  let buf = '';
  let stderr = '';
  let readyResolve!: () => void;
  const ready = new Promise<void>((r) => (readyResolve = r));
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const ev = JSON.parse(buf.slice(0, nl)) as WorkerEvent;
      buf = buf.slice(nl + 1);
      events.push(ev);
      if (ev.ev === 'ready') readyResolve();
    }
  });
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  // 'close', not 'exit': 'exit' can come before the last stdout lines are read (seen under load as
  // missing 'done' events), and every event must be counted.
  const exited = new Promise<number | null>((res) =>
    child.on('close', (code) => {
      readyResolve();
      if (code !== 0 && code !== null) process.stderr.write(`worker exited ${code}: ${stderr}\n`);
      res(code);
    }),
  );
  return { child, events, exited, ready };
}

export async function runWorkers(bundle: string, jobs: readonly WorkerJob[]): Promise<RunningWorker[]> {
  const ws = jobs.map((j) => startWorker(bundle, j));
  await Promise.all(ws.map((w) => w.exited));
  return ws;
}
