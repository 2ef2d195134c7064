import { afterAll, afterEach, describe, it, expect } from 'vitest';
import { silentLogger } from '../session/peer-config';
import { stopDaemon, stopKindFor } from './shutdown';
import type { StopParts } from './shutdown';

const cfg = (onSigterm: 'graceful' | 'notify', enabled = true) => ({ shutdown: { onSigterm }, gracefulRestart: { enabled, restartTime: 120 } });

function recorder(): { calls: string[]; parts: StopParts } {
  const calls: string[] = [];
  const rec = (name: string) => async () => { calls.push(name); };
  return {
    calls,
    parts: {
      speaker: { shutdown: rec('speaker.shutdown'), stopForRestart: rec('speaker.stopForRestart') },
      node: { stop: rec('node.stop') },
      control: { close: rec('control.close') },
      // like net.Server.close with sessions still open: never resolves
      listener: { close: () => { calls.push('listener.close'); return new Promise(() => {}); } },
      marker: { clear: () => { calls.push('marker.clear'); }, keepForRestart: () => { calls.push('marker.keepForRestart'); } },
      logger: silentLogger,
    },
  };
}

describe('stopKindFor', () => {
  it('SIGTERM is graceful by default, notify when configured or without graceful restart; SIGINT always notifies', () => {
    expect(stopKindFor('SIGTERM', cfg('graceful'))).toBe('graceful');
    expect(stopKindFor('SIGTERM', cfg('notify'))).toBe('notify');
    expect(stopKindFor('SIGTERM', cfg('graceful', false))).toBe('notify');
    expect(stopKindFor('SIGINT', cfg('graceful'))).toBe('notify');
  });
});

describe('stopDaemon', () => {
  it('graceful: speaker stopped for a restart before anything else, marker kept, no Cease, does not wait for the listener', async () => {
    const { calls, parts } = recorder();
    await stopDaemon('graceful', parts);
    expect(calls[0]).toBe('speaker.stopForRestart');
    expect(calls).toContain('marker.keepForRestart');
    expect(calls).toContain('node.stop');
    expect(calls).not.toContain('speaker.shutdown');
    expect(calls).not.toContain('marker.clear');
  });

  it('notify: Cease to every peer first, marker cleared last', async () => {
    const { calls, parts } = recorder();
    parts.listener.close = async () => { calls.push('listener.close'); };
    await stopDaemon('notify', parts);
    expect(calls[0]).toBe('speaker.shutdown');
    expect(calls.at(-1)).toBe('marker.clear');
    expect(calls).not.toContain('speaker.stopForRestart');
    expect(calls).not.toContain('marker.keepForRestart');
  });
});

describe('stopDaemon with a failing step', () => {
  const seen: unknown[] = [];
  const onRejection = (r: unknown): void => { seen.push(r); };
  process.on('unhandledRejection', onRejection);
  afterEach(() => { seen.length = 0; });
  afterAll(() => { process.off('unhandledRejection', onRejection); });

  function logged(parts: StopParts): string[] {
    const lines: string[] = [];
    const rec = (level: string) => (o: Record<string, unknown>, m: string) => { lines.push(`${level} ${m} ${JSON.stringify(o)}`); };
    parts.logger = { debug: rec('debug'), info: rec('info'), warn: rec('warn'), error: rec('error') };
    return lines;
  }

  it('graceful: node.stop and listener.close rejecting are logged with the step and stack; the rest still runs; nothing unhandled', async () => {
    const { calls, parts } = recorder();
    const lines = logged(parts);
    parts.node.stop = async () => { throw new Error('etcd: connection refused'); };
    parts.listener.close = async () => { throw new Error('listener: not running'); };
    const failed = await stopDaemon('graceful', parts);
    await new Promise((r) => setImmediate(r));
    expect(failed.sort()).toEqual(['BGP listener', 'node agent']);
    expect(calls).toContain('control.close');
    expect(calls).toContain('marker.keepForRestart');
    expect(lines.find((l) => l.includes('etcd'))).toMatch(/^error stopping bgpd: node agent failed.*Error: etcd: connection refused\\n\s+at /);
    expect(seen).toEqual([]);
  });

  it('notify: a failing Cease still closes everything and clears the marker', async () => {
    const { calls, parts } = recorder();
    const lines = logged(parts);
    parts.listener.close = async () => { calls.push('listener.close'); };
    parts.speaker.shutdown = async () => { throw new Error('boom'); };
    expect(await stopDaemon('notify', parts)).toEqual(['sessions (Cease)']);
    expect(calls).toEqual(['node.stop', 'control.close', 'listener.close', 'marker.clear']);
    expect(lines.filter((l) => l.startsWith('error'))).toHaveLength(1);
    expect(seen).toEqual([]);
  });
});
