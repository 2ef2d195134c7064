import { describe, it, expect } from 'vitest';
import { createLogger } from './logger';

describe('JSON-lines logger', () => {
  it('writes one JSON object per line at or above the level; the level can change', () => {
    const lines: string[] = [];
    const log = createLogger('info', (l) => lines.push(l), 'json');
    log.debug({ a: 1 }, 'hidden');
    log.warn({ peer: 'tor1' }, 'BGP session down');
    expect(lines).toHaveLength(1);
    expect(lines[0].endsWith('\n')).toBe(true);
    expect(JSON.parse(lines[0])).toMatchObject({ level: 'warn', msg: 'BGP session down', peer: 'tor1' });
    log.level = 'debug';
    log.debug({ a: 1 }, 'shown');
    expect(lines).toHaveLength(2);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    log.error(cyclic, 'still logs');
    expect(JSON.parse(lines[2])).toMatchObject({ level: 'error', msg: 'still logs', unserializable: true });
  });

  it('writes a human-readable line on a terminal', () => {
    const lines: string[] = [];
    const log = createLogger('info', (l) => lines.push(l), 'pretty');
    log.warn({ peer: 'tor1', reason: 'hold timer expired', n: 3 }, 'BGP session down');
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} WARN  BGP session down peer=tor1 reason="hold timer expired" n=3\n$/);
  });
});
