import type { LabHost } from '../lab-host';
import type { LabProcess } from '../lab-process';

/**
 * One instance of each daemon kind per host: launchers use fixed file names under
 * `host.dir('<kind>')` (and GoBGP a fixed API port), so a second instance would silently take
 * over the first one's socket and config. Restarting after the previous one exited is fine.
 */
const running = new WeakMap<LabHost, Map<string, LabProcess>>();

export function assertSlotFree(host: LabHost, kind: string): void {
  const prev = running.get(host)?.get(kind);
  if (prev?.running) {
    throw new Error(`${kind} is already running in host ${host.name} (pid ${prev.pid}); stop it first or use another host`);
  }
}

export function takeSlot(host: LabHost, kind: string, proc: LabProcess): void {
  let m = running.get(host);
  if (!m) running.set(host, (m = new Map()));
  m.set(kind, proc);
}
