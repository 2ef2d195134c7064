import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { run } from './run-command';
import { LabHost } from './lab-host';
import type { LabProcess } from './lab-process';
import { familyOf, nthAddress } from './addr';
import { newRunId, processStartTime, writeState, type RunState } from './run-state';
import { teardownRunSync } from './teardown';
import { removeLeftoversSync } from './leftovers';
import { registerForExit, unregisterForExit } from './exit-hooks';

export interface LabOptions {
  /** 1–4 chars; every namespace and file of the run starts with `<prefix><4 random chars>`. */
  readonly prefix: string;
  /** Keep the temp dir (logs, rendered configs) after cleanup. Default: env TORTIE_LAB_KEEP=1. */
  readonly keepTmp?: boolean;
  /** Remove dead runs of the same prefix first. Default true. */
  readonly removeLeftovers?: boolean;
}

export interface HostOptions {
  /** Turn on IPv4/IPv6 forwarding (routers, nodes that forward for pods). Default false. */
  readonly forwarding?: boolean;
}

export interface LinkOptions {
  /** Addresses ("198.18.0.1/24", "fd00::1/64") for the end in host A / host B. */
  readonly addrA?: string | readonly string[];
  readonly addrB?: string | readonly string[];
  /** IPv6 addresses for both ends; same as adding them to addrA/addrB. */
  readonly v6?: { readonly addrA: string; readonly addrB: string };
  /** Interface names; default "e-<peer host>" (a numeric suffix is added if taken). */
  readonly ifA?: string;
  readonly ifB?: string;
  readonly mtu?: number;
}

export interface LabLink {
  readonly a: LabHost;
  readonly b: LabHost;
  readonly ifA: string;
  readonly ifB: string;
}

export interface BridgeOptions {
  /** IPv4 subnet; host i (0-based, in the order given) gets address i+1. */
  readonly subnet?: string;
  /** Optional IPv6 subnet, numbered the same way. */
  readonly subnet6?: string;
  /** Interface name in each host; default "<bridge name>0". */
  readonly ifName?: string;
}

export interface LabBridge {
  /** The namespace holding the bridge device `br0`. */
  readonly netns: string;
  readonly ifName: string;
  /** Addresses (with length) per host name, v4 first. */
  readonly addresses: ReadonlyMap<string, readonly string[]>;
  /** Address without length of `host` on this bridge for a family. */
  addressOf(host: LabHost | string, family?: 4 | 6): string;
}

type HostRef = LabHost | string;

/**
 * A throwaway topology: namespaces, veths, bridges, processes inside them, and a temp dir, all
 * named after one run id and all removed by `cleanup()` — or by the exit hooks, or by the next
 * `Lab.create` with the same prefix if this process was SIGKILLed.
 */
export class Lab {
  private readonly hosts = new Map<string, LabHost>();
  private readonly processes = new Set<LabProcess>();
  private readonly cleanups: Array<() => void | Promise<void>> = [];
  /** Set once cleanup starts; `done` once it finished (the exit hook still acts in between). */
  private closed = false;
  private done = false;

  private constructor(
    readonly run: string,
    readonly tmpDir: string,
    private readonly state: RunState,
    private readonly keepTmp: boolean,
  ) {}

  static async create(opts: LabOptions): Promise<Lab> {
    if (process.getuid?.() !== 0) throw new Error('the lab needs root (network namespaces)');
    if (opts.removeLeftovers ?? true) removeLeftoversSync(opts.prefix);
    const runId = newRunId(opts.prefix);
    const tmpDir = path.join(os.tmpdir(), 'tortie-lab', runId);
    const state: RunState = {
      run: runId,
      pid: process.pid,
      pidStart: processStartTime(process.pid) ?? '',
      createdAt: new Date().toISOString(),
      namespaces: [],
      paths: [tmpDir],
    };
    // State first: anything created after this point can be traced back to a (possibly dead) owner.
    writeState(state);
    fs.mkdirSync(tmpDir, { recursive: true, mode: 0o755 });
    // Daemons that drop privileges (FRR) must be able to reach their files under it.
    fs.chmodSync(path.dirname(tmpDir), 0o755);
    fs.chmodSync(tmpDir, 0o755);
    const keep = opts.keepTmp ?? process.env.TORTIE_LAB_KEEP === '1';
    const lab = new Lab(runId, tmpDir, state, keep);
    registerForExit(lab);
    return lab;
  }

  /** Removes dead runs of a prefix (see leftovers.ts); returns the run ids removed. */
  static removeLeftovers(prefix: string): string[] {
    return removeLeftoversSync(prefix);
  }

  /** Namespaces this run created so far (full names); useful to assert cleanup. */
  get namespaces(): readonly string[] {
    return [...this.state.namespaces];
  }

  async host(name: string, opts: HostOptions = {}): Promise<LabHost> {
    const ns = await this.addNamespace(name);
    const host = new LabHost(this, name, ns);
    this.hosts.set(name, host);
    await run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    // DAD would keep new IPv6 addresses "tentative" (unusable) for ~1 s; nothing here can collide.
    const sysctls = ['net.ipv6.conf.all.accept_dad=0', 'net.ipv6.conf.default.accept_dad=0'];
    if (opts.forwarding) sysctls.push('net.ipv4.ip_forward=1', 'net.ipv6.conf.all.forwarding=1');
    await host.exec('sysctl', ['-q', '-w', ...sysctls]);
    return host;
  }

  getHost(name: string): LabHost {
    const h = this.hosts.get(name);
    if (!h) throw new Error(`no host ${JSON.stringify(name)} in lab ${this.run}`);
    return h;
  }

  /** A veth pair between two hosts, created directly inside them (never visible in the root ns). */
  async link(aRef: HostRef, bRef: HostRef, opts: LinkOptions = {}): Promise<LabLink> {
    const a = this.resolve(aRef);
    const b = this.resolve(bRef);
    if (a === b) throw new Error('a link needs two different hosts');
    const ifA = opts.ifA ? a.claimIfName(opts.ifA, true) : a.claimIfName(`e-${b.name}`);
    const ifB = opts.ifB ? b.claimIfName(opts.ifB, true) : b.claimIfName(`e-${a.name}`);
    await run('ip', ['link', 'add', ifA, 'netns', a.netns, 'type', 'veth', 'peer', 'name', ifB, 'netns', b.netns]);
    await configureIf(a, ifA, [...list(opts.addrA), ...list(opts.v6?.addrA)], opts.mtu);
    await configureIf(b, ifB, [...list(opts.addrB), ...list(opts.v6?.addrB)], opts.mtu);
    return { a, b, ifA, ifB };
  }

  /**
   * An L2 segment: a bridge in its own namespace `<run>-<name>`, one veth per host into it, and
   * addresses numbered from the subnets in host order.
   */
  async bridge(name: string, hostRefs: readonly HostRef[], opts: BridgeOptions = {}): Promise<LabBridge> {
    const ns = await this.addNamespace(name);
    await run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    await run('ip', ['-n', ns, 'link', 'add', 'br0', 'type', 'bridge']);
    await run('ip', ['-n', ns, 'link', 'set', 'br0', 'up']);
    const addresses = new Map<string, string[]>();
    const ifName = opts.ifName ?? `${name}0`;
    const hosts = hostRefs.map((h) => this.resolve(h));
    for (const [i, host] of hosts.entries()) {
      const hostIf = host.claimIfName(ifName, true);
      const port = `p${i}-${host.name}`.slice(0, 15);
      await run('ip', ['link', 'add', hostIf, 'netns', host.netns, 'type', 'veth', 'peer', 'name', port, 'netns', ns]);
      await run('ip', ['-n', ns, 'link', 'set', port, 'master', 'br0', 'up']);
      const addrs = [opts.subnet, opts.subnet6].filter((s): s is string => !!s).map((s) => nthAddress(s, i + 1));
      await configureIf(host, hostIf, addrs);
      addresses.set(host.name, addrs);
    }
    return {
      netns: ns,
      ifName,
      addresses,
      addressOf(h: LabHost | string, family: 4 | 6 = 4): string {
        const hostName = typeof h === 'string' ? h : h.name;
        const a = addresses.get(hostName)?.find((x) => familyOf(x) === family);
        if (!a) throw new Error(`host ${hostName} has no IPv${family} address on bridge ${name}`);
        return a.replace(/\/\d+$/, '');
      },
    };
  }

  /** Called by hosts for every process they start, so cleanup can stop it. */
  track(proc: LabProcess): void {
    this.processes.add(proc);
  }

  /** Extra files/directories to delete with the run (also after a crash: kept in the state file). */
  trackPath(p: string): void {
    if (!this.state.paths.includes(p)) {
      this.state.paths.push(p);
      writeState(this.state);
    }
  }

  /** Work to do at cleanup before namespaces go away (runs last-registered first). */
  onCleanup(fn: () => void | Promise<void>): void {
    this.cleanups.push(fn);
  }

  /** Stops every process (SIGTERM, then SIGKILL), then removes namespaces, links and files. */
  async cleanup(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.processes].map((p) => p.stop(2000)));
    const errors: string[] = [];
    for (const fn of this.cleanups.reverse()) {
      try {
        await fn();
      } catch (err) {
        errors.push((err as Error).message);
      }
    }
    errors.push(...this.teardown());
    this.done = true;
    unregisterForExit(this);
    if (errors.length > 0) throw new Error(`lab ${this.run} cleanup incomplete: ${errors.join('; ')}`);
  }

  /** The crash path: no awaiting, SIGKILL everything, remove everything. */
  cleanupSync(): void {
    if (this.done) return;
    this.closed = true;
    this.done = true;
    for (const p of this.processes) p.killSync();
    for (const fn of this.cleanups.reverse()) {
      try {
        void fn();
      } catch {
        // best effort on the way out
      }
    }
    this.teardown();
    unregisterForExit(this);
  }

  private teardown(): string[] {
    const paths = this.keepTmp ? this.state.paths.filter((p) => p !== this.tmpDir) : this.state.paths;
    if (this.keepTmp) process.stderr.write(`lab ${this.run}: kept ${this.tmpDir}\n`);
    return teardownRunSync({ run: this.run, namespaces: this.state.namespaces, paths });
  }

  private async addNamespace(name: string): Promise<string> {
    if (this.closed) throw new Error(`lab ${this.run} is already cleaned up`);
    if (!/^[a-z0-9][a-z0-9_]{0,7}$/.test(name)) {
      throw new Error(`host/bridge name must be 1-8 chars [a-z0-9_], got ${JSON.stringify(name)}`);
    }
    const ns = `${this.run}-${name}`;
    if (this.state.namespaces.includes(ns)) throw new Error(`${name} already exists in lab ${this.run}`);
    this.state.namespaces.push(ns);
    writeState(this.state);
    // Recorded in the state file before it exists, so a crash right here leaves a traceable name.
    await run('ip', ['netns', 'add', ns]);
    return ns;
  }

  private resolve(h: HostRef): LabHost {
    return typeof h === 'string' ? this.getHost(h) : h;
  }
}

function list(v: string | readonly string[] | undefined): readonly string[] {
  if (v === undefined) return [];
  return typeof v === 'string' ? [v] : v;
}

async function configureIf(host: LabHost, ifName: string, addrs: readonly string[], mtu?: number): Promise<void> {
  for (const a of addrs) {
    // nodad: usable at once (see host()); the sysctl only covers interfaces created after it.
    const extra = familyOf(a) === 6 ? ['nodad'] : [];
    await host.ip(['addr', 'add', a, 'dev', ifName, ...extra]);
  }
  const up = ['link', 'set', ifName, 'up'];
  if (mtu !== undefined) up.push('mtu', String(mtu));
  await host.ip(up);
}
