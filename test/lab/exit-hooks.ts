/**
 * Labs still alive when the process goes away get torn down synchronously here. 'exit' covers
 * normal ends and uncaught exceptions; the signals cover Ctrl-C and vitest killing a worker. A
 * SIGKILLed process cannot run anything: Lab.create removes such runs the next time.
 */
export interface SyncCleanable {
  cleanupSync(): void;
}

const live = new Set<SyncCleanable>();
let installed = false;

function cleanupAll(): void {
  for (const lab of [...live]) {
    try {
      lab.cleanupSync();
    } catch {
      // keep going: one broken lab must not strand the others
    }
    live.delete(lab);
  }
}

function onSignal(sig: NodeJS.Signals): void {
  cleanupAll();
  // Re-raise with the default action so the exit status still says "killed by <sig>".
  process.removeListener(sig, onSignal);
  process.kill(process.pid, sig);
}

export function registerForExit(lab: SyncCleanable): void {
  live.add(lab);
  if (installed) return;
  installed = true;
  process.on('exit', cleanupAll);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, onSignal);
}

export function unregisterForExit(lab: SyncCleanable): void {
  live.delete(lab);
}
