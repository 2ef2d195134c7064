import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ManualScheduler } from '../session/timers';
import type { BgpSocket } from '../session/transport';
import { SessionFreeze } from './session-freeze';

describe('SessionFreeze', () => {
  it('timers armed before the freeze never fire, refresh cannot re-arm them, new ones are inert', () => {
    const clock = new ManualScheduler();
    const f = new SessionFreeze(clock);
    const fired: string[] = [];
    const early = f.scheduler.setTimeout(() => fired.push('early'), 1000);
    f.scheduler.setTimeout(() => fired.push('before'), 10);
    clock.advance(10);
    expect(fired).toEqual(['before']);
    f.freeze({ stopReading: true });
    early.refresh();
    f.scheduler.setTimeout(() => fired.push('after'), 10).refresh();
    clock.advance(10_000);
    expect(fired).toEqual(['before']);
  });

  it('a tracked socket writes nothing after the freeze and, with stopReading, its input reaches no one', async () => {
    const f = new SessionFreeze(new ManualScheduler());
    const sock = new PassThrough();
    const out: Buffer[] = [];
    const got: Buffer[] = [];
    const tracked = f.connector(() => sock as unknown as BgpSocket)({ host: '198.18.0.1', port: 179 });
    tracked.on('data', (c: Buffer) => got.push(c));
    tracked.write(Buffer.from('before'));
    await new Promise((r) => setImmediate(r));
    expect(got.map(String)).toEqual(['before']);
    f.freeze({ stopReading: true });
    sock.on('readable', () => { for (let c; (c = sock.read()) !== null;) out.push(c as Buffer); });
    let called = false;
    expect(tracked.write(Buffer.from('after'), () => { called = true; })).toBe(true);
    await new Promise((r) => setImmediate(r));
    expect(out).toEqual([]);
    expect(got.map(String)).toEqual(['before']);
    expect(f.droppedBytes).toBe(5);
    expect(called).toBe(true);
    // a socket tracked after the freeze (an incoming connection racing the stop) is gated too
    const late = f.track(new PassThrough() as unknown as BgpSocket);
    late.write('x');
    expect(f.droppedBytes).toBe(6);
  });
});
