// The harness side of bench/bgp-peer.ts: bundle it once (esbuild, so a child starts in ~50 ms
// instead of tsx's ~1 s), start it inside a namespace, read its JSON events, send it commands.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { build } from 'esbuild';

export interface PeerEvent {
  readonly ev: string;
  readonly [key: string]: unknown;
}

let bundled: Promise<string> | undefined;

/** Bundles bench/bgp-peer.ts into a temp .mjs (once per process); removed when the process exits. */
export function peerBundle(): Promise<string> {
  bundled ??= (async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tortie-bench-'));
    process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
    const out = path.join(dir, 'bgp-peer.mjs');
    const here = path.dirname(new URL(import.meta.url).pathname);
    await build({ entryPoints: [path.join(here, 'bgp-peer.ts')], outfile: out, bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'warning' });
    return out;
  })();
  return bundled;
}

export class PeerChild {
  readonly events: PeerEvent[] = [];
  private waiters: Array<() => void> = [];
  private stderr = '';
  private exited = false;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    let buf = '';
    child.stdout?.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        try {
          this.events.push(JSON.parse(line) as PeerEvent);
        } catch {
          this.stderr += `(stdout) ${line}\n`;
        }
      }
      this.wake();
    });
    child.stderr?.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-4000);
    });
    child.on('exit', () => {
      this.exited = true;
      this.wake();
    });
  }

  /** `ip netns exec <netns> node <bundle> <args>` with pipes on stdin/stdout. */
  static start(name: string, netns: string, bundle: string, args: readonly string[]): PeerChild {
    const child = spawn('ip', ['netns', 'exec', netns, process.execPath, bundle, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    return new PeerChild(name, child);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  send(cmd: string): void {
    this.child.stdin?.write(cmd + '\n');
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Resolves with the first event (old or new) matching `pred`; rejects on an error event, exit or timeout. */
  async waitFor(what: string, pred: (e: PeerEvent) => boolean, timeoutMs: number): Promise<PeerEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.events.find(pred);
      if (hit) return hit;
      const err = this.events.find((e) => e.ev === 'error');
      if (err) throw new Error(`${this.name}: ${String(err.msg)} (while waiting for ${what})`);
      if (this.exited) throw new Error(`${this.name} exited while waiting for ${what}: ${this.stderr.slice(-1000)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${this.name}: timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 1000));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Asks for a fresh stats event and returns it. */
  async stats(timeoutMs = 5000): Promise<PeerEvent> {
    const before = this.events.length;
    this.send('stats');
    return this.waitFor('stats', (e) => e.ev === 'stats' && this.events.indexOf(e) >= before, timeoutMs);
  }

  /** Closes stdin (the child exits on EOF) and SIGKILLs it if it is still there after 1 s. */
  async stop(): Promise<void> {
    if (this.exited) return;
    this.child.stdin?.end();
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        this.child.kill('SIGKILL');
        resolve();
      }, 1000);
      this.child.once('exit', () => {
        clearTimeout(t);
        resolve();
      });
    });
  }
}
