import { listNetnsSync, listRootLinksSync } from './netns-list';
import { listStateRuns, ownerAlive, readState, runIdPattern } from './run-state';
import { teardownRunSync } from './teardown';

/** Which runs with this prefix exist on the machine, from namespaces, root links and state files. */
export function findRuns(prefix: string): string[] {
  const re = runIdPattern(prefix);
  const runs = new Set<string>(listStateRuns(prefix));
  for (const ns of listNetnsSync()) {
    const m = re.exec(ns);
    if (m) runs.add(m[1]);
  }
  // Root links only exist briefly (veths are created straight inside namespaces) but a crash at
  // the wrong moment can strand one; they carry the run id followed by a non-id char.
  const linkRe = new RegExp(`^(${prefix}[0-9a-z]{4})[^0-9a-z]`);
  for (const l of listRootLinksSync()) {
    const m = linkRe.exec(l);
    if (m) runs.add(m[1]);
  }
  return [...runs].sort();
}

/**
 * Removes runs of `prefix` whose owning process is gone: runs with no state file (the state file
 * is written before anything else is created, so a namespace without one is an orphan) and runs
 * whose recorded pid no longer exists or now belongs to another process. Live runs, including
 * parallel test files using the same prefix, are left alone. Returns the run ids removed.
 */
export function removeLeftoversSync(prefix: string): string[] {
  const removed: string[] = [];
  for (const run of findRuns(prefix)) {
    const state = readState(run);
    if (state && ownerAlive(state)) continue;
    const problems = teardownRunSync({ run, namespaces: state?.namespaces ?? [], paths: state?.paths ?? [] });
    if (problems.length > 0) throw new Error(`could not remove leftovers of ${run}: ${problems.join('; ')}`);
    removed.push(run);
  }
  return removed;
}
