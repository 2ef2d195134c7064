// Test-only helpers for *.lab.test.ts: private namespaces named tdp-<pid>-<tag>, `ip -j` readback.
import { spawnSync } from 'node:child_process';

let counter = 0;

export function run(cmd: string, args: string[], input?: string): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', input });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} → exit ${r.status}: ${r.stderr}`);
  return r.stdout;
}

/** Runs and returns the exit status (for commands expected to fail, such as ping across namespaces). */
export function status(cmd: string, args: string[]): number {
  return spawnSync(cmd, args, { stdio: 'ignore' }).status ?? -1;
}

export function ipJson<T = Record<string, unknown>[]>(ns: string, args: string[]): T {
  const out = run('ip', ['-n', ns, '-j', ...args]);
  return JSON.parse(out.trim() === '' ? '[]' : out) as T;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Deletes namespaces matching `owner` (group 1 = the creating pid) whose creating process is gone. */
export function removeLeftoversMatching(owner: RegExp): void {
  const list = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout ?? '';
  for (const line of list.split('\n')) {
    const name = line.split(' ')[0];
    const m = owner.exec(name);
    if (m && !alive(Number(m[1]))) spawnSync('ip', ['netns', 'del', name], { stdio: 'ignore' });
  }
}

/** Deletes tdp-<pid>-* / tdpb-<pid> namespaces whose creating process is gone (crashed earlier runs). */
export function removeLeftovers(): void {
  removeLeftoversMatching(/^tdpb?-(\d+)(-|$)/);
}

/** Creates a fresh namespace with lo up; remember to pass it to deleteNetns in afterAll/finally. */
export function createNetns(tag: string): string {
  const name = `tdp-${process.pid}-${tag}${counter++}`;
  run('ip', ['netns', 'add', name]);
  run('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
  return name;
}

export function deleteNetns(name: string): void {
  spawnSync('ip', ['netns', 'del', name], { stdio: 'ignore' });
}

export function netnsExists(name: string): boolean {
  return (spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout ?? '').split('\n').some((l) => l.split(' ')[0] === name);
}
