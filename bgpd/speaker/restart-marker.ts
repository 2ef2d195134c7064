// Graceful restart, restarting-speaker side (RFC 4724 §4.1): how bgpd knows, when it starts, that
// it is coming back from a restart rather than starting fresh. A marker file lives in the state dir
// while bgpd runs and is refreshed periodically; a final stop (SIGINT, `shutdown.onSigterm: notify`)
// deletes it, a stop for a restart (SIGTERM, graceful) re-stamps it and leaves it. Finding a recent
// marker at start-up therefore means the last run died (SIGKILL, OOM, crash) or stopped for a restart
// within the restart time: either way the peers kept our routes and the kernel kept its own, so we
// advertise the Restart State bit and forwarding preserved.
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
  /** How the previous run ended: stopped for a restart (SIGTERM, graceful) or died without a word. */
  previousStop?: 'graceful' | 'unclean';
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
  let previousStop: RestartCheck['previousStop'] = 'unclean';
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as { pid?: unknown; stoppedForRestartAt?: unknown };
    if (typeof parsed.pid === 'number') previousPid = parsed.pid;
    if (typeof parsed.stoppedForRestartAt === 'string') previousStop = 'graceful';
  } catch {
    // a torn write still proves an unclean stop
  }
  return { restarting: ageSeconds <= restartTime, ageSeconds, previousStop, ...(previousPid !== undefined ? { previousPid } : {}) };
}

export interface RestartMarker {
  /** Delete the marker: the next start is a fresh start (call on a final shutdown). */
  clear(): void;
  /**
   * Keep the marker for the next start and stop refreshing it: re-stamped now, so the peers' restart
   * time and ours count from the same moment (the session drop), not from the last periodic refresh.
   */
  keepForRestart(): void;
}

/** Writes the marker for this run and keeps its mtime fresh until clear(). */
export function writeRestartMarker(stateDir: string, pid = process.pid): RestartMarker {
  mkdirSync(stateDir, { recursive: true, mode: 0o755 });
  const path = join(stateDir, MARKER_FILE);
  const startedAt = new Date().toISOString();
  writeFileSync(path, JSON.stringify({ pid, startedAt }) + '\n', { mode: 0o644 });
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
    keepForRestart() {
      clearInterval(timer);
      try {
        writeFileSync(path, JSON.stringify({ pid, startedAt, stoppedForRestartAt: new Date().toISOString() }) + '\n', { mode: 0o644 });
      } catch {
        // an unwritable state dir makes the next start a fresh one: the peers then flush our routes
      }
    },
  };
}
