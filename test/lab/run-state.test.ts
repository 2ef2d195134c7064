import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { checkPrefix, newRunId, ownerAlive, processStartTime, runIdPattern } from './run-state';
import { parseLinkNames, parseNetnsList } from './netns-list';

describe('run ids', () => {
  it('are the prefix plus 4 base36 chars and match their own pattern only', () => {
    const id = newRunId('tl');
    expect(id).toMatch(/^tl[0-9a-z]{4}$/);
    const re = runIdPattern('tl');
    expect(re.exec(`${id}-a`)?.[1]).toBe(id);
    expect(re.test(`${id}`)).toBe(true);
    expect(re.test('tlx1234-a')).toBe(false); // prefix "tlx" run, not ours
    expect(re.test('tl12-a')).toBe(false);
  });
  it('rejects prefixes that would not leave room in interface names', () => {
    expect(() => checkPrefix('toolong')).toThrow();
    expect(() => checkPrefix('1a')).toThrow();
    expect(() => checkPrefix('a-b')).toThrow();
    expect(() => checkPrefix('tl')).not.toThrow();
  });
});

describe('owner liveness', () => {
  it('knows this process is alive and an exited one is not', () => {
    const start = processStartTime(process.pid);
    expect(start).toMatch(/^\d+$/);
    expect(ownerAlive({ pid: process.pid, pidStart: start as string })).toBe(true);
    // same pid, different start time = the pid was reused by someone else
    expect(ownerAlive({ pid: process.pid, pidStart: '1' })).toBe(false);
    const dead = spawnSync('true').pid as number;
    expect(ownerAlive({ pid: dead, pidStart: start as string })).toBe(false);
  });
});

describe('ip output parsing', () => {
  it('reads namespace names with and without ids', () => {
    expect(parseNetnsList('tlab12-b (id: 1)\ntlab12-a\n\n')).toEqual(['tlab12-b', 'tlab12-a']);
  });
  it('reads link names, dropping the @peer suffix', () => {
    const out = '1: lo: <LOOPBACK,UP> mtu 65536\n7: tlab12x@if6: <BROADCAST> mtu 1500\n';
    expect(parseLinkNames(out)).toEqual(['lo', 'tlab12x']);
  });
});
