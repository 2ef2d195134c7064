import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { guardRejections } from './rejection-guard';

describe('guardRejections', () => {
  it('logs a rejection nobody handled with its stack at error level and counts it; remove() detaches', () => {
    const lines: { level: string; obj: Record<string, unknown>; msg: string }[] = [];
    const rec = (level: string) => (obj: Record<string, unknown>, msg: string) => { lines.push({ level, obj, msg }); };
    const logger = { debug: rec('debug'), info: rec('info'), warn: rec('warn'), error: rec('error') };
    const proc = new EventEmitter();
    const guard = guardRejections(logger, proc);
    expect(proc.listenerCount('unhandledRejection')).toBe(1);
    proc.emit('unhandledRejection', new Error('netlink: EBUSY'), Promise.resolve());
    proc.emit('unhandledRejection', 'a string', Promise.resolve());
    expect(guard.count).toBe(2);
    expect(lines.map((l) => l.level)).toEqual(['error', 'error']);
    expect(String(lines[0]!.obj.err)).toMatch(/^Error: netlink: EBUSY\n\s+at /);
    expect(lines[1]!.obj.err).toBe('a string');
    expect(lines[0]!.msg).toMatch(/keeps running/);
    guard.remove();
    expect(proc.listenerCount('unhandledRejection')).toBe(0);
  });
});
