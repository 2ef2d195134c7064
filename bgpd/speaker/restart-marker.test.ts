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
});
