import * as fs from 'node:fs';
import * as path from 'node:path';
import { run, type CommandResult, type RunOptions } from './run-command';
import { LabProcess, type SpawnOptions } from './lab-process';

/** What a host needs from its lab; keeps LabHost independent of the Lab class. */
export interface HostOwner {
  readonly tmpDir: string;
  track(proc: LabProcess): void;
  /** Files outside the temp dir that must go with the run (e.g. FRR pathspace dirs). */
  trackPath(p: string): void;
}

/** One network namespace of the topology, with helpers to run things inside it. */
export class LabHost {
  private readonly usedIfNames = new Set<string>(['lo']);

  constructor(
    private readonly owner: HostOwner,
    /** Short name given by the test ("a", "rr1"). */
    readonly name: string,
    /** Full namespace name: `<run>-<name>`. */
    readonly netns: string,
  ) {}

  /** Runs a command inside the namespace to completion; throws CommandError on non-zero exit. */
  exec(cmd: string, args: readonly string[] = [], opts?: RunOptions): Promise<CommandResult> {
    return run('ip', ['netns', 'exec', this.netns, cmd, ...args], opts);
  }

  /** `ip -n <netns> ...`, returning stdout. */
  async ip(args: readonly string[], opts?: RunOptions): Promise<string> {
    return (await run('ip', ['-n', this.netns, ...args], opts)).stdout;
  }

  /**
   * Starts a long-running process inside the namespace. Its output goes to
   * `<lab tmp>/<host>/<name>.log`; the lab stops it at cleanup.
   */
  spawn(name: string, cmd: string, args: readonly string[] = [], opts?: SpawnOptions): LabProcess {
    const log = path.join(this.dir(), `${name}.log`);
    // `ip netns exec` execs in place (no fork), so the pid we get is the daemon's own pid.
    const proc = LabProcess.start(`${this.name}/${name}`, ['ip', 'netns', 'exec', this.netns, cmd, ...args], log, opts);
    this.owner.track(proc);
    return proc;
  }

  /** One ICMP echo (busybox: the host has no ping binary). Resolves false instead of throwing. */
  async ping(address: string, opts: { count?: number; timeoutS?: number } = {}): Promise<boolean> {
    // -w is a deadline: busybox keeps sending (1/s) until `count` replies arrive or it expires, so the
    // first echo lost to a link that is still coming up (neighbour resolution) is not a failure
    const r = await this.exec(
      'busybox',
      ['ping', '-c', String(opts.count ?? 1), '-w', String(opts.timeoutS ?? 3), address.replace(/\/\d+$/, '')],
      { allowFailure: true },
    );
    return r.code === 0;
  }

  /** Deletes `p` with the run, also after a crash. */
  trackPath(p: string): void {
    this.owner.trackPath(p);
  }

  /** Private directory of this host under the lab's temp dir (created on demand, world-readable for FRR). */
  dir(sub?: string): string {
    const d = sub ? path.join(this.owner.tmpDir, this.name, sub) : path.join(this.owner.tmpDir, this.name);
    fs.mkdirSync(d, { recursive: true, mode: 0o755 });
    return d;
  }

  /** Interface names are per namespace; this picks a free one ≤ 15 chars from a wanted name. */
  claimIfName(wanted: string, exact = false): string {
    if (exact && (wanted.length > 15 || this.usedIfNames.has(wanted))) {
      throw new Error(`interface name ${JSON.stringify(wanted)} on ${this.name} is too long or already used`);
    }
    const base = wanted.slice(0, 15);
    if (!this.usedIfNames.has(base)) {
      this.usedIfNames.add(base);
      return base;
    }
    for (let i = 1; ; i++) {
      const n = `${base.slice(0, 15 - String(i).length)}${i}`;
      if (!this.usedIfNames.has(n)) {
        this.usedIfNames.add(n);
        return n;
      }
    }
  }
}
