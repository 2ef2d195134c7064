// Runs test/interop/speaker.ts inside a lab namespace and gives tests its event stream and a
// command channel. The process is killed at lab cleanup even if the test fails.

import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Lab } from '../lab/lab';
import type { LabHost } from '../lab/lab-host';
import { waitFor } from '../lab/wait-for';
import type { SpeakerConfig, SpeakerRoute, ReceivedRouteEvent } from './speaker';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');

export type SpeakerEvent = { ev: string; peer?: string } & Record<string, unknown>;

export class SpeakerProcess {
  readonly events: SpeakerEvent[] = [];
  private buf = '';
  private exited = false;

  private constructor(
    private readonly child: ChildProcess,
    readonly logPath: string,
  ) {
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      this.buf += chunk;
      for (let i = this.buf.indexOf('\n'); i >= 0; i = this.buf.indexOf('\n')) {
        const line = this.buf.slice(0, i);
        this.buf = this.buf.slice(i + 1);
        this.log(line + '\n');
        try {
          this.events.push(JSON.parse(line) as SpeakerEvent);
        } catch {
          // not ours (e.g. a stray warning)
        }
      }
    });
    child.stderr!.on('data', (c: Buffer) => this.log(c));
    child.once('exit', () => (this.exited = true));
  }

  /** Best effort: output that arrives after the lab removed its directory is dropped. */
  private log(data: string | Buffer): void {
    try {
      fs.appendFileSync(this.logPath, data);
    } catch {
      // lab already cleaned up
    }
  }

  static async start(lab: Lab, host: LabHost, cfg: SpeakerConfig, name = 'speaker'): Promise<SpeakerProcess> {
    const dir = host.dir(name);
    const cfgPath = path.join(dir, 'config.json');
    fs.writeFileSync(cfgPath, JSON.stringify(cfg, null, 2));
    const child = spawn(
      'ip',
      ['netns', 'exec', host.netns, path.join(repo, 'node_modules/.bin/tsx'), path.join(here, 'speaker.ts'), cfgPath],
      { cwd: repo, stdio: ['pipe', 'pipe', 'pipe'], detached: true },
    );
    const sp = new SpeakerProcess(child, path.join(dir, 'events.log'));
    lab.onCleanup(() => sp.kill());
    await sp.waitEvent((e) => e.ev === 'ready' || e.ev === 'fatal', 'speaker ready', 20_000);
    const fatal = sp.events.find((e) => e.ev === 'fatal');
    if (fatal) throw new Error(`speaker failed: ${String(fatal.error)}`);
    return sp;
  }

  send(cmd: Record<string, unknown>): void {
    this.child.stdin!.write(JSON.stringify(cmd) + '\n');
  }

  announce(route: SpeakerRoute): void {
    this.send({ cmd: 'announce', route });
  }

  withdraw(prefix: string): void {
    this.send({ cmd: 'withdraw', prefix });
  }

  async waitEvent(pred: (e: SpeakerEvent) => boolean, what: string, timeoutMs = 15_000): Promise<SpeakerEvent> {
    return waitFor(() => this.events.find(pred) ?? (this.exited ? Promise.reject(new Error('speaker exited')) : undefined), {
      what: `${what} (log ${this.logPath})`,
      timeoutMs,
      intervalMs: 50,
    });
  }

  /** The speaker's current view of received routes per prefix (announces minus later withdraws). */
  routes(peer?: string): Map<string, ReceivedRouteEvent> {
    const m = new Map<string, ReceivedRouteEvent>();
    for (const e of this.events) {
      if (e.ev === 'down' && (peer === undefined || e.peer === peer)) m.clear();
      if (e.ev !== 'update' || (peer !== undefined && e.peer !== peer)) continue;
      for (const p of e.withdraw as string[]) m.delete(p);
      for (const r of e.announce as ReceivedRouteEvent[]) m.set(r.prefix, r);
    }
    return m;
  }

  state(peer: string): string | undefined {
    let s: string | undefined;
    for (const e of this.events) if (e.ev === 'state' && e.peer === peer) s = e.to as string;
    return s;
  }

  async stats(peer: string): Promise<SpeakerEvent> {
    const n = this.events.length;
    this.send({ cmd: 'stats', peer });
    return this.waitEvent((e) => e.ev === 'stats' && e.peer === peer && this.events.indexOf(e) >= n, 'stats');
  }

  /** Sends a signal to the speaker (SIGSTOP/SIGCONT to freeze it). */
  signal(sig: NodeJS.Signals): void {
    if (this.child.pid) process.kill(-this.child.pid, sig);
  }

  kill(): void {
    if (this.exited || !this.child.pid) return;
    try {
      process.kill(-this.child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
