import { spawn } from 'node:child_process';
import * as fs from 'node:fs';

export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface SpawnOptions {
  /** Extra environment (ExaBGP reads its settings from dotted env names). */
  readonly env?: Readonly<Record<string, string>>;
  /** Working directory for the process. */
  readonly cwd?: string;
}

/**
 * A long-running process started by the lab. stdout and stderr go to one log file (appended, so a
 * restarted daemon keeps its history) that outlives the process and is read back with `logs()`.
 */
export class LabProcess {
  readonly pid: number;
  readonly exited: Promise<ProcessExit>;
  private exitInfo: ProcessExit | undefined;

  private constructor(
    readonly name: string,
    readonly argv: readonly string[],
    readonly logPath: string,
    pid: number,
    exited: Promise<ProcessExit>,
  ) {
    this.pid = pid;
    this.exited = exited.then((e) => (this.exitInfo = e));
  }

  /** Starts `argv` with its own process group so `stop()` also reaches children it forked. */
  static start(name: string, argv: readonly string[], logPath: string, opts: SpawnOptions = {}): LabProcess {
    const [cmd, ...args] = argv;
    if (!cmd) throw new Error('empty argv');
    const fd = fs.openSync(logPath, 'a');
    fs.writeSync(fd, `--- ${new Date().toISOString()} start: ${argv.join(' ')}\n`);
    try {
      const child = spawn(cmd, args, {
        stdio: ['ignore', fd, fd],
        detached: true,
        env: { ...process.env, ...opts.env },
        cwd: opts.cwd,
      });
      const exited = new Promise<ProcessExit>((resolve) => {
        child.once('exit', (code, signal) => resolve({ code, signal }));
        child.once('error', () => resolve({ code: null, signal: null }));
      });
      if (child.pid === undefined) throw new Error(`cannot start ${cmd}`);
      // Do not keep the test's event loop alive just because a daemon is running.
      child.unref();
      return new LabProcess(name, argv, logPath, child.pid, exited);
    } finally {
      fs.closeSync(fd);
    }
  }

  get running(): boolean {
    return this.exitInfo === undefined;
  }

  get exit(): ProcessExit | undefined {
    return this.exitInfo;
  }

  /** Sends a signal to the process group (the daemon and what it forked). */
  signal(sig: NodeJS.Signals): void {
    if (!this.running) return;
    try {
      process.kill(-this.pid, sig);
    } catch {
      try {
        process.kill(this.pid, sig);
      } catch {
        // gone between the check and the kill
      }
    }
  }

  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. Resolves once it has exited. */
  async stop(graceMs = 3000): Promise<ProcessExit> {
    if (!this.running) return this.exitInfo as ProcessExit;
    this.signal('SIGTERM');
    // A ref'd timer on purpose: the child is unref'd, so without it a script whose last work is
    // this stop() would see an empty event loop and exit before the daemon is dead.
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), graceMs)));
    const first = await Promise.race([this.exited, timeout]);
    clearTimeout(timer);
    if (first === 'timeout') {
      this.signal('SIGKILL');
      await Promise.race([this.exited, new Promise((r) => setTimeout(r, 2000))]);
    }
    const e = this.exitInfo ?? { code: null, signal: 'SIGKILL' as const };
    // Kill leftovers of the group even when the leader exited cleanly (e.g. forked helpers).
    try {
      process.kill(-this.pid, 'SIGKILL');
    } catch {
      // group already empty
    }
    return e;
  }

  /** For the synchronous exit path: no waiting, just make sure nothing survives. */
  killSync(): void {
    this.signal('SIGKILL');
  }

  logs(): string {
    try {
      return fs.readFileSync(this.logPath, 'utf8');
    } catch {
      return '';
    }
  }
}
