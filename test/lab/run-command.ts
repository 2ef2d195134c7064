import { execFile, spawnSync } from 'node:child_process';

/** What a finished command left behind; `code` is null when a signal killed it. */
export interface CommandResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  /** Kill the command after this long; lab commands should never hang a test. Default 20 s. */
  readonly timeoutMs?: number;
  /** Extra environment on top of the harness's own. */
  readonly env?: Readonly<Record<string, string>>;
  /** Text written to stdin (e.g. for `ip -batch -`). */
  readonly input?: string;
  /** Resolve even when the command exits non-zero (the caller inspects `code`). */
  readonly allowFailure?: boolean;
}

/** Thrown for a non-zero exit; carries the full command line and stderr so failures explain themselves. */
export class CommandError extends Error {
  constructor(
    readonly command: readonly string[],
    readonly result: CommandResult,
  ) {
    super(
      `command failed (exit ${result.code}): ${command.join(' ')}\n${result.stderr.trim() || result.stdout.trim()}`,
    );
    this.name = 'CommandError';
  }
}

/** Runs a command to completion without a shell (arguments are never re-parsed). */
export function run(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      cmd,
      [...args],
      {
        timeout: opts.timeoutMs ?? 20_000,
        maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, ...opts.env },
        encoding: 'utf8',
      },
      (err, stdout, stderr) => {
        const spawnFailed = err !== null && typeof (err as NodeJS.ErrnoException).code === 'string';
        if (spawnFailed) {
          reject(new Error(`cannot run ${cmd}: ${err.message}`));
          return;
        }
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : null;
        const result: CommandResult = { code, stdout, stderr };
        if (code !== 0 && !opts.allowFailure) reject(new CommandError([cmd, ...args], result));
        else resolve(result);
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
    else child.stdin?.end();
  });
}

/**
 * Synchronous variant for the process-exit path: an 'exit' handler cannot await, so cleanup after a
 * crash has to block. Never throws; failures are reported through the result.
 */
export function runSync(cmd: string, args: readonly string[], timeoutMs = 10_000): CommandResult {
  const r = spawnSync(cmd, [...args], { encoding: 'utf8', timeout: timeoutMs });
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? (r.error ? String(r.error) : '') };
}
