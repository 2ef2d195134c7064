// Runs the real dist/bgpd (built by scripts/build.mjs) inside a lab host, with its config, state
// dir and control socket in the host's private dir, and drives dist/bgpctl against it.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import type { LabHost } from '../lab/lab-host';
import type { LabProcess } from '../lab/lab-process';
import { waitFor } from '../lab/wait-for';
import type { PeerRow } from '../../bgpd/control/protocol';

const run = promisify(execFile);
export const ROOT = resolve(import.meta.dirname, '../..');
const BGPD = join(ROOT, 'dist/bgpd');
const BGPCTL = join(ROOT, 'dist/bgpctl');

export interface TortieSpec {
  routerId: string;
  asNumber: number;
  listen: string;
  /** `peers:` entries as written in the YAML. */
  peers: Record<string, unknown>[];
  advertisePrefixes?: string[];
  /** Any other top-level keys (routeReflector, policies, gracefulRestart...). */
  extra?: Record<string, unknown>;
}

export class Tortie {
  process: LabProcess;
  readonly dir: string;
  readonly socket: string;
  readonly configPath: string;

  private constructor(readonly host: LabHost, public spec: TortieSpec, proc: LabProcess) {
    this.process = proc;
    this.dir = host.dir('tortie');
    this.socket = join(this.dir, 'bgpd.sock');
    this.configPath = join(this.dir, 'bgpd.yaml');
  }

  static configFor(host: LabHost, spec: TortieSpec): string {
    const dir = host.dir('tortie');
    return stringify({
      nodeName: host.name.replace(/[^a-z0-9-]/g, '-'),
      routerId: spec.routerId,
      asNumber: spec.asNumber,
      nodeAddress: spec.listen,
      listen: { address: spec.listen, port: 179 },
      datastore: { type: 'file', path: join(dir, 'state') },
      control: { socket: join(dir, 'bgpd.sock') },
      nodeToNodeMesh: false,
      health: { enabled: false },
      log: { level: 'debug' },
      timers: { holdTime: 30, connectRetryTime: 1 },
      advertisePrefixes: spec.advertisePrefixes ?? [],
      peers: spec.peers,
      ...spec.extra,
    });
  }

  static async start(host: LabHost, spec: TortieSpec): Promise<Tortie> {
    const t = new Tortie(host, spec, undefined as unknown as LabProcess);
    writeFileSync(t.configPath, Tortie.configFor(host, spec));
    t.process = t.launch();
    await t.waitReady(0);
    return t;
  }

  private launch(): LabProcess {
    return this.host.spawn('bgpd', process.execPath, ['--enable-source-maps', BGPD, '--config', this.configPath], { cwd: ROOT });
  }

  private startCount(): number {
    return this.process ? this.process.logs().split('"bgpd started"').length - 1 : 0;
  }

  /** The log file is appended across restarts: wait for one more "bgpd started" than `before`. */
  async waitReady(before: number): Promise<void> {
    const proc = this.process;
    await waitFor(() => {
      if (!proc.running) throw new Error(`bgpd exited: ${proc.exitReason()}\n${proc.logs().slice(-2000)}`);
      return proc.logs().split('"bgpd started"').length - 1 > before;
    }, { what: 'bgpd started', timeoutMs: 15_000 });
  }

  /** SIGKILL and start again with the same config (a crash + restart). */
  async crashAndRestart(): Promise<void> {
    if (this.process.running) this.process.signal('SIGKILL');
    await this.process.exited;
    const before = this.startCount();
    this.process = this.launch();
    await this.waitReady(before);
  }

  /** Rewrite the config and SIGHUP. */
  async reload(spec: TortieSpec): Promise<void> {
    this.spec = spec;
    writeFileSync(this.configPath, Tortie.configFor(this.host, spec));
    this.process.signal('SIGHUP');
    await waitFor(() => this.process.logs().includes('"configuration reloaded"'), { what: 'reload applied' });
  }

  async ctl(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const r = await run(process.execPath, [BGPCTL, '--socket', this.socket, ...args], { cwd: ROOT, maxBuffer: 1 << 30 });
      return { code: 0, stdout: r.stdout, stderr: r.stderr };
    } catch (err) {
      const e = err as { code?: number; stdout?: string; stderr?: string };
      return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
    }
  }

  async peers(): Promise<PeerRow[]> {
    const r = await this.ctl(['show', 'peers', '--json']);
    if (r.code !== 0) throw new Error(`bgpctl show peers failed: ${r.stderr}`);
    return JSON.parse(r.stdout) as PeerRow[];
  }

  async peer(name: string): Promise<PeerRow | undefined> {
    return (await this.peers()).find((p) => p.name === name || p.address === name);
  }

  async established(name: string): Promise<boolean> {
    return (await this.peer(name))?.state === 'Established';
  }

  logs(): string {
    return this.process.logs();
  }
}
