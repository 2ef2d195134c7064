// One cluster node of the demo/e2e topology: dist/bgpd in the node's netns with the shared file
// (or Kubernetes) datastore, its own state dir (restart marker) and control socket, driven through dist/bgpctl.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import type { LabHost } from '../lab/lab-host';
import type { LabProcess } from '../lab/lab-process';
import { waitFor } from '../lab/wait-for';
import type { NeighborView, PeerRow, RouteRow } from '../../bgpd/control/protocol';
import { setprivPrefix } from './manifest-caps';

const run = promisify(execFile);
export const ROOT = resolve(import.meta.dirname, '../..');
const BGPD = join(ROOT, 'dist/bgpd');
const BGPCTL = join(ROOT, 'dist/bgpctl');

export type Encap = 'none' | 'vxlan' | 'ipip';

export interface NodeSpec {
  address: string;
  asNumber: number;
  /** Shared file datastore directory (every node and every CNI call use it). */
  store: string;
  /** Kubernetes datastore instead: the kubeconfig every node and every CNI call use. Peers then come
   *  from Node objects and BGPPeer CRDs, not from the YAML file. */
  kubeconfig?: string;
  pool: string;
  encap: Encap;
  tor?: { address: string; asNumber: number; password?: string };
  routeReflector?: boolean;
  /** Run bgpd with only these capabilities (setpriv bounding set), e.g. the DaemonSet's list. */
  capabilities?: readonly string[];
}

export class ClusterNode {
  process!: LabProcess;
  readonly dir: string;
  readonly socket: string;
  readonly configPath: string;
  private starts = 0;
  /** Top-level keys laid over the generated config (setOnSigterm). */
  private overrides: Record<string, unknown> = {};

  constructor(readonly host: LabHost, readonly spec: NodeSpec) {
    this.dir = host.dir('bgpd');
    this.socket = join(this.dir, 'bgpd.sock');
    this.configPath = join(this.dir, 'bgpd.yaml');
    writeFileSync(this.configPath, this.config());
  }

  get name(): string {
    return this.host.name;
  }

  config(): string {
    const s = this.spec;
    return stringify({
      nodeName: this.host.name,
      routerId: s.address,
      asNumber: s.asNumber,
      nodeAddress: s.address,
      listen: { address: s.address, port: 179 },
      datastore: s.kubeconfig ? { type: 'kubernetes', kubeconfig: s.kubeconfig } : { type: 'file', path: s.store },
      control: { socket: this.socket },
      nodeToNodeMesh: true,
      ...(s.routeReflector ? { routeReflector: { clusterId: '1.0.0.1' } } : {}),
      // the netns has its own loopback, so every node can use the same port
      health: { enabled: true, address: '127.0.0.1', port: 9099 },
      log: { level: 'info' },
      timers: { holdTime: 9, keepaliveTime: 3, connectRetryTime: 1 },
      gracefulRestart: { enabled: true, restartTime: 30 },
      pools: [{ cidr: s.pool, blockSize: 26, encapsulation: s.encap }],
      peers: s.tor && !s.kubeconfig ? [{ name: 'tor', address: s.tor.address, asNumber: s.tor.asNumber, ...(s.tor.password !== undefined ? { password: s.tor.password } : {}) }] : [],
      ...this.overrides,
    });
  }

  async start(): Promise<void> {
    const before = this.starts++;
    const cmd = [process.execPath, '--enable-source-maps', BGPD, '--config', this.configPath];
    const caps = this.spec.capabilities;
    const [bin, ...args] = caps ? ['setpriv', ...setprivPrefix(caps), ...cmd] : cmd;
    this.process = this.host.spawn('bgpd', bin, args, {
      cwd: ROOT,
      // the datastore dir is shared by all nodes: each keeps its restart marker apart
      env: { TORTIE_STATE_DIR: this.host.dir('bgpd-state') },
    });
    const proc = this.process;
    await waitFor(() => {
      if (!proc.running) throw new Error(`bgpd on ${this.name} exited: ${proc.exitReason()}\n${proc.logs().slice(-3000)}`);
      return proc.logs().split('"bgpd started"').length - 1 > before;
    }, { what: `bgpd started on ${this.name}`, timeoutMs: 20_000 }).catch((err: Error) => {
      throw new Error(`${err.message}\n${proc.logs().slice(0, 3000)}`);
    });
  }

  /** SIGKILL (kernel routes stay), then start again: a crash and restart. */
  async crashAndRestart(): Promise<void> {
    this.process.signal('SIGKILL');
    await this.process.exited;
    await this.start();
  }

  /**
   * `signal` (SIGTERM is the kubelet's stop), then `meanwhile()` while bgpd is down, then start again:
   * a rolling update of this node. Resolves with the exit code of the stopped run.
   */
  async stopAndStart(signal: NodeJS.Signals, meanwhile?: () => Promise<void>): Promise<number | null> {
    this.process.signal(signal);
    const exit = await this.process.exited;
    await meanwhile?.();
    await this.start();
    return exit.code;
  }

  /** What SIGTERM does from now on (config `shutdown.onSigterm`, applied by a reload). */
  async setOnSigterm(mode: 'graceful' | 'notify'): Promise<void> {
    this.overrides = { ...this.overrides, shutdown: { onSigterm: mode } };
    writeFileSync(this.configPath, this.config());
    await this.ctl(['reload']);
  }

  async stop(): Promise<void> {
    if (this.process?.running) await this.process.stop(5000);
  }

  async ctl(args: readonly string[]): Promise<string> {
    const r = await run(process.execPath, [BGPCTL, '--socket', this.socket, ...args], { cwd: ROOT, maxBuffer: 1 << 26 });
    return r.stdout;
  }

  async peers(): Promise<PeerRow[]> {
    return JSON.parse(await this.ctl(['show', 'peers', '--json'])) as PeerRow[];
  }

  async neighbor(name: string): Promise<NeighborView> {
    return JSON.parse(await this.ctl(['show', 'neighbor', name, '--json'])) as NeighborView;
  }

  /** bgpctl's routes covering `prefix` (paths with best/stale/from). */
  async bgpRoutes(prefix: string): Promise<RouteRow[]> {
    return JSON.parse(await this.ctl(['show', 'routes', prefix, '--json'])) as RouteRow[];
  }

  async allEstablished(count: number): Promise<boolean> {
    const p = await this.peers();
    return p.length === count && p.every((r) => r.state === 'Established');
  }

  /** Kernel routes of the node (`ip -j route`), dst → whole route. */
  async routes(): Promise<Map<string, Record<string, unknown>>> {
    const list = JSON.parse(await this.host.ip(['-j', 'route', 'show', 'table', 'main'])) as Record<string, unknown>[];
    return new Map(list.map((r) => [String(r.dst), r]));
  }
}
