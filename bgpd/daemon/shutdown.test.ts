import { describe, it, expect } from 'vitest';
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
