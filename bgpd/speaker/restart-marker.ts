// Graceful restart, restarting-speaker side (RFC 4724 §4.1): how bgpd knows, when it starts, that
// it is coming back from a crash rather than starting fresh. A marker file lives in the state dir
// while bgpd runs and is refreshed periodically; a clean stop deletes it. Finding a recent marker at
// start-up therefore means the last run died (SIGKILL, OOM, crash) within the restart time: we
// advertise the Restart State bit and forwarding preserved (the kernel routes stayed in place).
import { mkdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const MARKER_FILE = 'bgpd.running';
const REFRESH_MS = 10_000;

export interface RestartCheck {
  restarting: boolean;
  /** pid of the run that left the marker, if any. */
  previousPid?: number;
  /** Seconds between the marker's last refresh and now. */
  ageSeconds?: number;
}

/** Reads a marker left by a previous run: restarting when it was refreshed less than restartTime ago. */
export function checkRestart(stateDir: string, restartTime: number, now = Date.now()): RestartCheck {
  const path = join(stateDir, MARKER_FILE);
  let mtime: number;
  try {
    mtime = statSync(path).mtimeMs;
  } catch {
    return { restarting: false };
  }
  const ageSeconds = Math.max(0, (now - mtime) / 1000);
  let previousPid: number | undefined;
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as { pid?: unknown };
    if (typeof parsed.pid === 'number') previousPid = parsed.pid;
  } catch {
    // a torn write still proves an unclean stop
  }
  return { restarting: ageSeconds <= restartTime, ageSeconds, ...(previousPid !== undefined ? { previousPid } : {}) };
}

export interface RestartMarker {
  /** Delete the marker: the next start is a fresh start (call on clean shutdown). */
  clear(): void;
}

/** Writes the marker for this run and keeps its mtime fresh until clear(). */
export function writeRestartMarker(stateDir: string, pid = process.pid): RestartMarker {
  mkdirSync(stateDir, { recursive: true, mode: 0o755 });
  const path = join(stateDir, MARKER_FILE);
  writeFileSync(path, JSON.stringify({ pid, startedAt: new Date().toISOString() }) + '\n', { mode: 0o644 });
  const timer = setInterval(() => {
    try {
      const t = new Date();
      utimesSync(path, t, t);
    } catch {
      // the state dir went away: nothing useful to do, the next start is then a fresh one
    }
  }, REFRESH_MS);
  timer.unref();
  return {
    clear() {
      clearInterval(timer);
      rmSync(path, { force: true });
    },
  };
}
