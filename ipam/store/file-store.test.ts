import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { CorruptRecordError } from '../errors';
import { datastoreContract, waitUntil } from './contract';
import { FileStore } from './file-store';
import { MemoryStore } from './memory-store';

const dirs: string[] = [];
const fresh = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'tortie-ipam-fs-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('FileStore contract', () => datastoreContract(async () => new FileStore(fresh(), { watchIntervalMs: 10 })));
describe('MemoryStore contract', () => datastoreContract(async () => new MemoryStore()));

describe('FileStore specifics', () => {
  it('reports a corrupt record with its key and refuses to overwrite it', async () => {
    const dir = fresh();
    const ds = new FileStore(dir);
    const c = await ds.create('/x/rec', 'good');
    if (!c.ok) throw new Error('create failed');
    const file = join(dir, 'data', 'x', 'rec.kv');
    writeFileSync(file, 'garbage without revision');
    await expect(ds.get('/x/rec')).rejects.toThrow(CorruptRecordError);
    await expect(ds.get('/x/rec')).rejects.toThrow(/\/x\/rec/);
    await expect(ds.update('/x/rec', 'new', c.kv.revision)).rejects.toThrow(CorruptRecordError);
    await expect(ds.list('/x/')).rejects.toThrow(/corrupt datastore record \/x\/rec/);
  });

  it('keeps revisions monotonic across store instances and after a torn log line', async () => {
    const dir = fresh();
    const a = new FileStore(dir);
    const b = new FileStore(dir);
    const r1 = await a.create('/k/1', 'x');
    // Simulate a writer killed mid-append: a log line without newline.
    writeFileSync(join(dir, 'log'), '{"r":99', { flag: 'a' });
    const r2 = await b.create('/k/2', 'y');
    const r3 = await a.create('/k/3', 'z');
    if (!r1.ok || !r2.ok || !r3.ok) throw new Error('create failed');
    expect(r2.kv.revision).toBe(r1.kv.revision + 1);
    expect(r3.kv.revision).toBe(r2.kv.revision + 1);
  });

  it('rotates the log, keeping revisions monotonic for all processes and watchers seeing every change', async () => {
    const dir = fresh();
    const a = new FileStore(dir, { maxLogBytes: 400, watchIntervalMs: 5 });
    const b = new FileStore(dir, { maxLogBytes: 400 });
    const seen: number[] = [];
    const w = a.watch('/r/', { fromRevision: 1, onEvent: (e) => seen.push(Number(e.value)) });
    let last = 0;
    for (let i = 0; i < 40; i++) {
      const r = await (i % 2 ? a : b).create(`/r/${i}`, String(i));
      if (!r.ok) throw new Error('create failed');
      expect(r.kv.revision).toBeGreaterThan(last);
      last = r.kv.revision;
      if (i % 8 === 0) await new Promise((res) => setTimeout(res, 20)); // let the watcher poll between rotations
    }
    expect(readdirSync(dir)).toContain('log.1');
    // A fresh process finds the current revision from the (rotated) log's tail.
    const c = new FileStore(dir);
    expect(await c.revision()).toBe(last);
    await waitUntil(() => seen.length === 40);
    w.close();
    expect(seen).toEqual(Array.from({ length: 40 }, (_, i) => i));
  });

  it('finds the newest revision from the tail of a long log', async () => {
    const dir = fresh();
    const a = new FileStore(dir, { durable: false });
    for (let i = 0; i < 1500; i++) await a.create(`/long/${i}`, 'x'); // ~70 KB of log, more than the tail read
    expect(await new FileStore(dir).revision()).toBe(1500);
  });

  it('ignores temp files left by a crashed writer', async () => {
    const dir = fresh();
    const ds = new FileStore(dir);
    await ds.create('/t/a', 'v');
    writeFileSync(join(dir, 'data', 't', '.tmp-1-5'), '5\nhalf');
    expect((await ds.list('/t/')).map((k) => k.key)).toEqual(['/t/a']);
    expect(readdirSync(join(dir, 'data', 't')).length).toBe(2);
  });
});
