// The exec protocol around the commands: read env and stdin, dispatch, print the result in the
// caller's cniVersion or the spec's error object, exit. Shared by both executables.
import { readFileSync, writeSync } from 'node:fs';
import { readEnv, type CniEnv } from './env';
import { CniCode, CniError, toCniError } from './errors';
import { fileLogger, nullLogger, type Logger } from './log';
import { parseNetconf, peekVersion, type NetConf } from './netconf';
import { formatResult, type CniResult } from './result';
import { isSupported, LATEST_VERSION, requireCommandVersion, versionInfo } from './versions';

export type Handler = (conf: NetConf, env: CniEnv, stdin: string, log: Logger) => Promise<CniResult | void>;
export type Handlers = Record<'ADD' | 'DEL' | 'CHECK' | 'STATUS' | 'GC', Handler>;

function readStdin(): string {
  try {
    return readFileSync(0, 'utf8');
  } catch (err) {
    // No stdin at all (closed, or a terminal in non-blocking mode): only VERSION can do without one.
    if (['EAGAIN', 'EOF', 'ENXIO', 'EBADF'].includes((err as NodeJS.ErrnoException).code ?? '')) return '';
    throw err;
  }
}

export interface RunOutcome {
  exitCode: number;
  stdout: string;
}

/** Runs one invocation; no process-global side effects besides what the handlers do. */
export async function runCni(handlers: Handlers, env: NodeJS.ProcessEnv, stdin: string): Promise<RunOutcome> {
  const peeked = peekVersion(stdin);
  let version = peeked && isSupported(peeked) ? peeked : LATEST_VERSION;
  let log: Logger = nullLogger;
  try {
    const cenv = readEnv(env);
    if (cenv.command === 'VERSION') return { exitCode: 0, stdout: JSON.stringify(versionInfo(version)) };
    if (stdin.trim() === '') throw new CniError(CniCode.DecodeFailure, 'no network configuration on stdin');
    const conf = parseNetconf(stdin);
    version = conf.cniVersion;
    requireCommandVersion(cenv.command, version);
    log = fileLogger(conf.log_file_path, cenv.command, cenv.containerId);
    const res = await handlers[cenv.command](conf, cenv, stdin, log);
    log.info(`${cenv.command} ok`);
    return { exitCode: 0, stdout: res ? JSON.stringify(formatResult(res, version)) : '' };
  } catch (err) {
    const e = toCniError(err);
    log.error(`${e.code} ${e.message}${e.details ? ` (${e.details})` : ''}`);
    return { exitCode: 1, stdout: JSON.stringify(e.toJson(version)) };
  }
}

/** Entry point for an executable: stdin/env in, stdout + exit code out. */
export async function main(handlers: Handlers): Promise<void> {
  let out: RunOutcome;
  try {
    out = await runCni(handlers, process.env, readStdin());
  } catch (err) {
    out = { exitCode: 1, stdout: JSON.stringify(toCniError(err).toJson(LATEST_VERSION)) };
  }
  const text = Buffer.from(out.stdout ? out.stdout + '\n' : '');
  // exit at all because an etcd client or a lock server would otherwise keep the loop alive.
  const done = writeStdout(text);
  if (done === text.length) process.exit(out.exitCode);
  // exit only after stdout drained (a pipe may be slower than us)
  process.stdout.write(text.subarray(done), () => process.exit(out.exitCode));
}

/**
 * Writes to fd 1 directly, returning how much went out: touching `process.stdout` builds a net.Socket
 * for a pipe, which loads the net and stream modules (~2 ms of CPU per pod start) for one short write.
 * Stops at EAGAIN (a non-blocking pipe that is full), leaving the rest to process.stdout.
 */
export function writeStdout(buf: Buffer, fd = 1): number {
  let off = 0;
  while (off < buf.length) {
    try {
      off += writeSync(fd, buf, off);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EAGAIN') return off;
      throw err;
    }
  }
  return off;
}
