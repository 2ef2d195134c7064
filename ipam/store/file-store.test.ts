import { mkdtempSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
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

describe('FileStore contract', () => datastoreContract(async () => new FileStore(fresh(), { watchIntervalMs: 10 }), { createRevision: true }));
describe('MemoryStore contract', () => datastoreContract(async () => new MemoryStore(), { createRevision: true }));

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

  it('keeps a key\'s revision growing when the log lost its tail (power loss: the log is not fsynced)', async () => {
    const dir = fresh();
    const a = new FileStore(dir);
    for (let i = 0; i < 5; i++) await a.create(`/p/${i}`, 'x');
    const before = await a.get('/p/4');
    truncateSync(join(dir, 'log'), 0); // every log line gone, the records survived
    const b = new FileStore(dir);
    const r = await b.update('/p/4', 'y', before!.revision);
    if (!r.ok) throw new Error('update failed');
    expect(r.kv.revision).toBeGreaterThan(before!.revision);
    // A stale CAS on the old revision must fail even though the store-wide counter restarted.
    expect((await b.update('/p/4', 'z', before!.revision)).ok).toBe(false);
    const d = await b.delete('/p/4', r.kv.revision);
    expect(d.ok && d.kv.revision).toBeGreaterThan(r.kv.revision);
  });

  it('exclusive() keeps other instances\' writes out until it is done, and its own writes need no lock round trip', async () => {
    const dir = fresh();
    const a = new FileStore(dir);
    const b = new FileStore(dir); // another "process": a separate lock holder
    const order: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const tx = a.exclusive(async () => {
      const c = await a.create('/e/1', 'a');
      order.push('a1');
      await gate; // b tries to write meanwhile
      const u = await a.update('/e/1', 'a2', c.ok ? c.kv.revision : -1);
      order.push(u.ok ? 'a2' : 'a2-lost');
      return u.ok;
    });
    await new Promise((r) => setTimeout(r, 20));
    const bw = b.create('/e/2', 'b').then(() => order.push('b'));
    await new Promise((r) => setTimeout(r, 50));
    expect(order).toEqual(['a1']); // b waits for the lock
    release();
    expect(await tx).toBe(true);
    await bw;
    expect(order).toEqual(['a1', 'a2', 'b']);
    expect((await b.get('/e/1'))?.value).toBe('a2');
    // The lock is free again for plain writes of both instances.
    expect((await a.create('/e/3', 'x')).ok).toBe(true);
  });

  it('exclusive() on a durable store commits its writes at the end: visible to itself at once, to others after', async () => {
    const dir = fresh();
    const a = new FileStore(dir);
    const b = new FileStore(dir);
    const old = await a.create('/s/old', 'gone soon');
    if (!old.ok) throw new Error('create failed');
    let seenByB: (string | undefined)[] = [];
    await a.exclusive(async () => {
      const c = await a.create('/s/1', 'one');
      const u = await a.update('/s/1', 'two', c.ok ? c.kv.revision : -1);
      expect(u.ok).toBe(true);
      expect((await a.delete('/s/old', old.kv.revision)).ok).toBe(true);
      expect((await a.get('/s/1'))?.value).toBe('two');
      expect((await a.list('/s/')).map((kv) => kv.key)).toEqual(['/s/1']);
      // Another process reads the committed state only (it could not write: the lock is held).
      seenByB = [(await b.get('/s/1'))?.value, (await b.get('/s/old'))?.value];
      // Only one temp file for the key written twice.
      expect(readdirSync(join(dir, 'data', 's')).filter((f) => f.startsWith('.tmp-'))).toHaveLength(1);
    });
    expect(seenByB).toEqual([undefined, 'gone soon']);
    expect((await b.list('/s/')).map((kv) => [kv.key, kv.value])).toEqual([['/s/1', 'two']]);
    expect(readdirSync(join(dir, 'data', 's'))).toEqual(['1.kv']);
    // A failing transaction still commits what it reported as written.
    await expect(a.exclusive(async () => {
      await a.create('/s/2', 'x');
      throw new Error('boom');
    })).rejects.toThrow('boom');
    expect((await b.get('/s/2'))?.value).toBe('x');
  });
});
