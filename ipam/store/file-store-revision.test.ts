// A process opening the file store learns the newest revision from the end of the revision log only
// (file-store.ts lastLogLine): it must come out the same as reading every line, whatever the log holds.
import { appendFileSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileStore } from './file-store';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function fresh(): string {
  const d = mkdtempSync(join(tmpdir(), 't1-fs-rev-'));
  dirs.push(d);
  return d;
}

const line = (r: number, k = `/k/${r}`): string => `${JSON.stringify({ r, t: 'p', k })}\n`;

describe('FileStore revision from the log', () => {
  it('a second process continues after the last revision of a long log (beyond the 64 KiB tail)', async () => {
    const dir = fresh();
    const a = new FileStore(dir, { durable: false });
    for (let i = 0; i < 1200; i++) await a.create(`/k/${i}-${'p'.repeat(40)}`, 'x');
    expect(statSync(join(dir, 'log')).size).toBeGreaterThan(64 * 1024);
    const rev = await a.revision();
    expect(rev).toBe(1200);
    const b = new FileStore(dir, { durable: false });
    expect(await b.revision()).toBe(rev);
    const w = await b.create('/k/next', 'y');
    expect(w.ok && w.kv.revision).toBe(rev + 1);
  });

  it('skips a torn last line, with or without a newline after it', async () => {
    const dir = fresh();
    const a = new FileStore(dir, { durable: false });
    for (let i = 0; i < 5; i++) await a.create(`/k/${i}`, 'v');
    appendFileSync(join(dir, 'log'), '{"r":99,"t":"p","k":"/k/to'); // writer killed mid-append
    expect(await new FileStore(dir, { durable: false }).revision()).toBe(5);
    appendFileSync(join(dir, 'log'), '\n');
    expect(await new FileStore(dir, { durable: false }).revision()).toBe(5);
    const b = new FileStore(dir, { durable: false });
    const w = await b.create('/k/after', 'v');
    expect(w.ok && w.kv.revision).toBe(6);
    expect(await new FileStore(dir, { durable: false }).revision()).toBe(6);
  });

  it('finds the last good line behind a torn one longer than the first read chunk', async () => {
    const dir = fresh();
    new FileStore(dir, { durable: false });
    writeFileSync(join(dir, 'log'), line(1) + line(2) + line(41) + '{"r":77,' + 'z'.repeat(10_000) + '\n');
    expect(await new FileStore(dir, { durable: false }).revision()).toBe(41);
  });

  it('falls back to reading the whole log when its 64 KiB tail holds nothing readable', async () => {
    const dir = fresh();
    new FileStore(dir, { durable: false });
    writeFileSync(join(dir, 'log'), line(1) + line(7) + 'garbage\n'.repeat(10_000));
    expect(await new FileStore(dir, { durable: false }).revision()).toBe(7);
  });

  it('an empty log or one without any newline means revision 0', async () => {
    const dir = fresh();
    expect(await new FileStore(dir, { durable: false }).revision()).toBe(0);
    writeFileSync(join(dir, 'log'), '{"r":3,"t":"p"');
    expect(await new FileStore(dir, { durable: false }).revision()).toBe(0);
  });
});
