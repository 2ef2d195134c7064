import * as fs from 'node:fs';
import { runSync } from './run-command';
import { listNetnsSync, listRootLinksSync } from './netns-list';
import { removeState } from './run-state';

export interface TeardownTarget {
  readonly run: string;
  readonly namespaces: readonly string[];
  readonly paths: readonly string[];
}

/**
 * Removes everything a run made, synchronously so it also works from a process 'exit' handler:
 * SIGKILL whatever still lives in its namespaces (daemons we started, and anything they forked),
 * delete the namespaces (which destroys their veths and bridges), delete root-namespace links
 * named after the run, delete its files, then its state file. Returns what could not be removed.
 */
export function teardownRunSync(target: TeardownTarget): string[] {
  const problems: string[] = [];
  const existing = new Set(listNetnsSync());
  const namespaces = [...new Set([...target.namespaces, ...[...existing].filter((n) => n.startsWith(`${target.run}-`))])];
  for (const ns of namespaces) {
    if (!existing.has(ns)) continue;
    const pids = runSync('ip', ['netns', 'pids', ns]).stdout.split(/\s+/).filter(Boolean).map(Number);
    for (const pid of pids) {
      if (pid === process.pid) continue;
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  for (const ns of namespaces) {
    if (!existing.has(ns)) continue;
    const r = runSync('ip', ['netns', 'del', ns]);
    if (r.code !== 0) problems.push(`netns ${ns}: ${r.stderr.trim()}`);
  }
  for (const link of listRootLinksSync()) {
    // the run id is fixed-length; a following id char would mean another run's name
    if (!link.startsWith(target.run) || /[0-9a-z]/.test(link.charAt(target.run.length))) continue;
    const r = runSync('ip', ['link', 'del', link]);
    if (r.code !== 0) problems.push(`link ${link}: ${r.stderr.trim()}`);
  }
  for (const p of target.paths) {
    try {
      fs.rmSync(p, { recursive: true, force: true });
    } catch (err) {
      problems.push(`path ${p}: ${(err as Error).message}`);
    }
  }
  if (problems.length === 0) removeState(target.run);
  return problems;
}
