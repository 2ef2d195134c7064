import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';

/**
 * Every run records who owns it in /run/tortie-lab/<run>.json. /run is tmpfs, so a reboot clears
 * it together with the namespaces it describes; a state file whose pid is gone (or was reused by
 * another process, detected through the start time) marks a run that died without cleaning up.
 */
export const STATE_DIR = '/run/tortie-lab';

export interface RunState {
  readonly run: string;
  readonly pid: number;
  /** Kernel start time of `pid` (field 22 of /proc/<pid>/stat), guards against pid reuse. */
  readonly pidStart: string;
  readonly createdAt: string;
  /** Namespaces the run created, in creation order. */
  namespaces: string[];
  /** Files and directories to delete with the run (temp dir, FRR pathspace dirs, ...). */
  paths: string[];
}

/** Prefixes end up in interface names (15 chars max) together with 4 random chars and a suffix. */
export function checkPrefix(prefix: string): void {
  if (!/^[a-z][a-z0-9]{0,3}$/.test(prefix)) {
    throw new Error(`lab prefix must be 1-4 chars [a-z0-9] starting with a letter, got ${JSON.stringify(prefix)}`);
  }
}

export function newRunId(prefix: string): string {
  checkPrefix(prefix);
  const n = randomBytes(4).readUInt32BE(0) % 36 ** 4;
  return prefix + n.toString(36).padStart(4, '0');
}

/** A run id is the prefix plus exactly 4 base36 chars; names derived from it start with it. */
export function runIdPattern(prefix: string): RegExp {
  checkPrefix(prefix);
  return new RegExp(`^(${prefix}[0-9a-z]{4})(?:-|$)`);
}

export function statePath(run: string): string {
  return path.join(STATE_DIR, `${run}.json`);
}

export function processStartTime(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses; fields after it are plain.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // A zombie is dead for our purposes; PID 1 here (/process_api) may be slow to reap orphans.
    if (rest[0] === 'Z' || rest[0] === 'X') return undefined;
    return rest[19];
  } catch {
    return undefined;
  }
}

export function ownerAlive(state: Pick<RunState, 'pid' | 'pidStart'>): boolean {
  return processStartTime(state.pid) === state.pidStart;
}

export function writeState(state: RunState): void {
  fs.mkdirSync(STATE_DIR, { recursive: true });
  const tmp = `${statePath(state.run)}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(state, null, 2));
  fs.renameSync(tmp, statePath(state.run));
}

export function readState(run: string): RunState | undefined {
  try {
    return JSON.parse(fs.readFileSync(statePath(run), 'utf8')) as RunState;
  } catch {
    return undefined;
  }
}

export function listStateRuns(prefix: string): string[] {
  const re = runIdPattern(prefix);
  let names: string[] = [];
  try {
    names = fs.readdirSync(STATE_DIR);
  } catch {
    return [];
  }
  return names
    .filter((n) => n.endsWith('.json'))
    .map((n) => n.slice(0, -'.json'.length))
    .filter((r) => re.test(r));
}

export function removeState(run: string): void {
  fs.rmSync(statePath(run), { force: true });
}
