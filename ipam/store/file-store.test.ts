import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { CorruptRecordError } from '../errors';
import { datastoreContract } from './contract';
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

  it('ignores temp files left by a crashed writer', async () => {
    const dir = fresh();
    const ds = new FileStore(dir);
    await ds.create('/t/a', 'v');
    writeFileSync(join(dir, 'data', 't', '.tmp-1-5'), '5\nhalf');
    expect((await ds.list('/t/')).map((k) => k.key)).toEqual(['/t/a']);
    expect(readdirSync(join(dir, 'data', 't')).length).toBe(2);
  });
});
