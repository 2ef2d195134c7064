// The file store's create revision (KeyValue.created): persisted in the record file, so it survives a new
// process, and read as 0 from record files written before it was recorded.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileStore } from './file-store';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const fresh = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'tortie-fs-created-'));
  dirs.push(d);
  return d;
};

describe('FileStore created', () => {
  it('is in the record file and survives updates, transactions and a new process', async () => {
    const dir = fresh();
    const a = new FileStore(dir, { durable: true });
    const c = await a.create('/p/one', 'v1');
    await a.create('/p/two', 'x');
    if (!c.ok) throw new Error('create failed');
    const u = await a.exclusive(async () => a.update('/p/one', 'v2', c.kv.revision));
    if (!u.ok) throw new Error('update failed');
    expect(u.kv.created).toBe(c.kv.revision);
    expect(readFileSync(join(dir, 'data', 'p', 'one.kv'), 'utf8')).toBe(`${u.kv.revision} ${c.kv.revision}\nv2`);
    const b = new FileStore(dir);
    expect(await b.get('/p/one')).toEqual({ key: '/p/one', value: 'v2', revision: u.kv.revision, created: c.kv.revision });
  });

  it('reads a record file of an older version as created 0 and keeps 0 through updates', async () => {
    const dir = fresh();
    mkdirSync(join(dir, 'data', 'p'), { recursive: true });
    writeFileSync(join(dir, 'log'), `${JSON.stringify({ r: 7, t: 'p', k: '/p/old' })}\n`);
    writeFileSync(join(dir, 'data', 'p', 'old.kv'), '7\n{"a":1}');
    const ds = new FileStore(dir);
    expect(await ds.get('/p/old')).toEqual({ key: '/p/old', value: '{"a":1}', revision: 7, created: 0 });
    const u = await ds.update('/p/old', '{"a":2}', 7);
    expect(u.ok && u.kv).toEqual({ key: '/p/old', value: '{"a":2}', revision: 8, created: 0 });
    expect((await new FileStore(dir).get('/p/old'))?.created).toBe(0);
    // a fresh key after it is ordered after it
    const n = await ds.create('/p/new', '{}');
    expect(n.ok && n.kv.created).toBe(9);
  });
});
