import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { HostLock } from './host-lock';

describe('HostLock', () => {
  it('excludes other processes and is freed the moment its holder is SIGKILLed', async () => {
    const name = `tortie-ipam-test-${process.pid}-${Date.now()}`;
    const child = spawn(process.execPath, ['-e', `require('net').createServer().listen('\\0${name}', () => console.log('held'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((r) => child.stdout!.once('data', () => r()));
    try {
      await expect(new HostLock(name, { timeoutMs: 200 }).with(() => 'got it')).rejects.toThrow(/still held by another process/);
    } finally {
      child.kill('SIGKILL');
    }
    await new Promise((r) => child.once('exit', r));
    const t0 = Date.now();
    expect(await new HostLock(name, { timeoutMs: 2000 }).with(() => 'got it')).toBe('got it');
    expect(Date.now() - t0).toBeLessThan(500);
  });

  it('serializes callers within one process', async () => {
    const lock = new HostLock(`tortie-ipam-test-inproc-${process.pid}`);
    let inside = 0;
    let max = 0;
    await Promise.all(
      Array.from({ length: 10 }, () =>
        lock.with(async () => {
          max = Math.max(max, ++inside);
          await new Promise((r) => setTimeout(r, 2));
          inside--;
        }),
      ),
    );
    expect(max).toBe(1);
  });
});
