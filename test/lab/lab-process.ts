import { spawn, type ChildProcess } from 'node:child_process';
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
  /**
   * Give the test a stdin pipe (`write()`) and stdout lines (`lines`, `onLine()`), for processes
   * driven by a line protocol. stdout is still copied to the log file; stderr goes there directly.
   */
  readonly pipe?: boolean;
}

/**
 * A long-running process started by the lab. stdout and stderr go to one log file (appended, so a
 * restarted daemon keeps its history) that outlives the process and is read back with `logs()`.
 */
export class LabProcess {
  readonly pid: number;
  readonly exited: Promise<ProcessExit>;
  /** stdout lines so far (only with `pipe: true`). */
  readonly lines: string[] = [];
  private exitInfo: ProcessExit | undefined;
  private stdin: NodeJS.WritableStream | undefined;
  private readonly lineListeners = new Set<(line: string) => void>();

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
      // fork can fail for a moment under memory pressure (EAGAIN/ENOMEM: seen inside the 1.5 GB UML guest
      // that runs the ipip e2e test); Node then reports no pid and emits the error later. Try again a
      // few times, 200 ms apart, before giving up.
      let child = spawnChild(cmd, args, fd, opts);
      for (let attempt = 1; child.pid === undefined && attempt < 4; attempt++) {
        child.once('error', () => {});
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
        child = spawnChild(cmd, args, fd, opts);
      }
      const started = child;
      const exited = new Promise<ProcessExit>((resolve) => {
        started.once('exit', (code, signal) => resolve({ code, signal }));
        started.once('error', () => resolve({ code: null, signal: null }));
      });
      if (child.pid === undefined) throw new Error(`cannot start ${cmd} (spawn failed 4 times, 200 ms apart)`);
      // Do not keep the test's event loop alive just because a daemon is running.
      child.unref();
      const proc = new LabProcess(name, argv, logPath, child.pid, exited);
      if (opts.pipe && child.stdin && child.stdout) {
        proc.stdin = child.stdin;
        proc.attachStdout(child.stdout);
        // pipes are handles too; unref them for the same reason as the child
        (child.stdin as unknown as { unref?: () => void }).unref?.();
        (child.stdout as unknown as { unref?: () => void }).unref?.();
        child.stdin.on('error', () => {}); // EPIPE after the process died is not the test's problem
      }
      return proc;
    } finally {
      fs.closeSync(fd);
    }
  }

  private attachStdout(out: NodeJS.ReadableStream): void {
    let buf = '';
    out.setEncoding('utf8');
    out.on('data', (chunk: string) => {
      try {
        fs.appendFileSync(this.logPath, chunk);
      } catch {
        // the lab already removed its directory
      }
      buf += chunk;
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        this.lines.push(line);
        for (const l of this.lineListeners) l(line);
      }
    });
  }

  /** Writes to the process's stdin (`pipe: true` only). */
  write(text: string): void {
    if (!this.stdin) throw new Error(`${this.name} was not started with pipe: true`);
    this.stdin.write(text);
  }

  /** Calls `fn` for every further stdout line (`pipe: true` only); returns an unsubscribe function. */
  onLine(fn: (line: string) => void): () => void {
    this.lineListeners.add(fn);
    return () => this.lineListeners.delete(fn);
  }

  get running(): boolean {
    return this.exitInfo === undefined;
  }

  get exit(): ProcessExit | undefined {
    return this.exitInfo;
  }

  /** For waitFor's abortIf: undefined while running, else how it ended. */
  exitReason(): string | undefined {
    const e = this.exitInfo;
    if (!e) return undefined;
    return `${this.name} exited (${e.signal ? `signal ${e.signal}` : `code ${e.code}`})`;
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

function spawnChild(cmd: string, args: readonly string[], fd: number, opts: SpawnOptions): ChildProcess {
  return spawn(cmd, args, {
    stdio: opts.pipe ? ['pipe', 'pipe', fd] : ['ignore', fd, fd],
    detached: true,
    env: { ...process.env, ...opts.env },
    cwd: opts.cwd,
  });
}
