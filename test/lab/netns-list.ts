import { run, runSync } from './run-command';

/** `ip netns list` prints "name (id: 3)" for namespaces that have an id; keep only the name. */
export function parseNetnsList(out: string): string[] {
  return out
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0])
    .filter((n): n is string => !!n);
}

export async function listNetns(): Promise<string[]> {
  return parseNetnsList((await run('ip', ['netns', 'list'])).stdout);
}

export function listNetnsSync(): string[] {
  return parseNetnsList(runSync('ip', ['netns', 'list']).stdout);
}

/** Interface names of the root namespace (`ip -o link` lines look like "5: name@peer: <...>"). */
export function parseLinkNames(out: string): string[] {
  return out
    .split('\n')
    .map((l) => /^\d+:\s+([^:@\s]+)/.exec(l)?.[1])
    .filter((n): n is string => !!n);
}

export function listRootLinksSync(): string[] {
  return parseLinkNames(runSync('ip', ['-o', 'link', 'show']).stdout);
}
