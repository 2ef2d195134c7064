import { describe, it, expect } from 'vitest';
import { existsSync, mkdtempSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkRestart, MARKER_FILE, writeRestartMarker } from './restart-marker';

describe('graceful-restart marker', () => {
  it('a marker left behind means restarting; a cleared one means a fresh start', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tortie-marker-'));
    expect(checkRestart(dir, 120).restarting).toBe(false);
    const m = writeRestartMarker(join(dir, 'sub'), 4242);
    const c = checkRestart(join(dir, 'sub'), 120);
    expect(c).toMatchObject({ restarting: true, previousPid: 4242 });
    m.clear();
    expect(existsSync(join(dir, 'sub', MARKER_FILE))).toBe(false);
    expect(checkRestart(join(dir, 'sub'), 120).restarting).toBe(false);
  });

  it('a marker older than the restart time is not a graceful restart any more', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tortie-marker-'));
    const m = writeRestartMarker(dir);
    const old = new Date(Date.now() - 300_000);
    utimesSync(join(dir, MARKER_FILE), old, old);
    const c = checkRestart(dir, 120);
    expect(c.restarting).toBe(false);
    expect(c.ageSeconds).toBeGreaterThan(290);
    m.clear();
  });

  it('a marker kept for a restart (graceful SIGTERM) means restarting, re-stamped at the stop, and says how the last run ended', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tortie-marker-'));
    const m = writeRestartMarker(dir, 777);
    // an old mtime (last periodic refresh long ago): keepForRestart must re-stamp it
    const old = new Date(Date.now() - 300_000);
    utimesSync(join(dir, MARKER_FILE), old, old);
    m.keepForRestart();
    const c = checkRestart(dir, 120);
    expect(c).toMatchObject({ restarting: true, previousPid: 777, previousStop: 'graceful' });
    expect(c.ageSeconds).toBeLessThan(5);
    // a crash leaves the marker as the run wrote it
    const crashed = mkdtempSync(join(tmpdir(), 'tortie-marker-'));
    const running = writeRestartMarker(crashed, 778);
    expect(checkRestart(crashed, 120)).toMatchObject({ restarting: true, previousPid: 778, previousStop: 'unclean' });
    running.clear();
  });
});
