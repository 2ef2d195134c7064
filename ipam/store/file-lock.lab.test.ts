// The file store's lock must exclude processes in other network namespaces (the demo's nodes share one
// store directory from separate netns) and be released by the kernel when its holder is SIGKILLed.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileLock } from './file-lock';

const dir = mkdtempSync(join(tmpdir(), 'tortie-ipam-flock-'));
const lockPath = join(dir, 'lock');
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** Starts the holder in a fresh network namespace and resolves once it holds the lock. */
function holdInOtherNetns(ms: number): Promise<ChildProcess> {
  const child = spawn('unshare', ['-n', process.execPath, '--import', 'tsx', join(import.meta.dirname, '../testing/hold-file-lock.ts'), lockPath, String(ms)], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => { if (d.toString().includes('held')) resolve(child); });
    child.on('exit', (code) => reject(new Error(`holder exited ${code} before holding the lock`)));
  });
}

describe('FileLock', () => {
  it('excludes a holder in another network namespace until it lets go', async () => {
    await holdInOtherNetns(1200);
    const t0 = Date.now();
    await new FileLock(lockPath).with(() => undefined);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(600);
  }, 30_000);

  it('is released by the kernel when the holder is SIGKILLed', async () => {
    const holder = await holdInOtherNetns(0);
    const lock = new FileLock(lockPath, { timeoutMs: 300 });
    await expect(lock.with(() => 'got it')).rejects.toThrow(/still held/);
    // retryable: the CNI plugin maps DatastoreError to code 11 (try again later)
    await expect(lock.with(() => 'got it')).rejects.toMatchObject({ name: 'DatastoreError' });
    holder.kill('SIGKILL');
    await expect(new FileLock(lockPath, { timeoutMs: 5000 }).with(() => 'got it')).resolves.toBe('got it');
  }, 30_000);
});
