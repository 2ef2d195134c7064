// Behaviour every Datastore must have; run by each store's test file against a fresh store.
import { expect, it } from 'vitest';
import type { Datastore, WatchEvent } from '../datastore';

export interface ContractOptions {
  /** The store records every key's create revision in KeyValue.created (file, memory, etcd). */
  readonly createRevision?: boolean;
}

export function datastoreContract(open: () => Promise<Datastore>, opts: ContractOptions = {}): void {
  if (opts.createRevision) {
    it('keeps the create revision through updates; a re-created key gets a new one', async () => {
      const ds = await open();
      const a = await ds.create('/cr/a', 'one');
      await ds.create('/cr/b', 'b');
      if (!a.ok) throw new Error('create failed');
      expect(a.kv.created).toBe(a.kv.revision);
      const u = await ds.update('/cr/a', 'two', a.kv.revision);
      if (!u.ok) throw new Error('update failed');
      const got = await ds.get('/cr/a');
      expect(got?.revision).toBe(u.kv.revision);
      expect(got?.created).toBe(a.kv.revision);
      expect((await ds.list('/cr/')).map((kv) => kv.created)).toEqual([a.kv.revision, a.kv.revision + 1]);
      expect((await ds.delete('/cr/a', u.kv.revision)).ok).toBe(true);
      const again = await ds.create('/cr/a', 'three');
      if (!again.ok) throw new Error('re-create failed');
      expect((await ds.get('/cr/a'))?.created).toBe(again.kv.revision);
      expect(again.kv.revision).toBeGreaterThan(u.kv.revision);
      await ds.close();
    });
  }

  it('create-if-absent, update-if-revision, delete-if-revision', async () => {
    const ds = await open();
    const a = await ds.create('/t/a', 'one');
    expect(a.ok).toBe(true);
    const again = await ds.create('/t/a', 'two');
    expect(again.ok).toBe(false);
    if (again.ok || !a.ok) throw new Error('unreachable');
    expect(again.current?.value).toBe('one');
    const stale = await ds.update('/t/a', 'x', a.kv.revision - 1);
    expect(stale.ok).toBe(false);
    const u = await ds.update('/t/a', 'two', a.kv.revision);
    expect(u.ok).toBe(true);
    if (!u.ok) throw new Error('unreachable');
    expect(u.kv.revision).toBeGreaterThan(a.kv.revision);
    expect((await ds.get('/t/a'))?.value).toBe('two');
    expect((await ds.delete('/t/a', a.kv.revision)).ok).toBe(false);
    expect((await ds.delete('/t/a', u.kv.revision)).ok).toBe(true);
    expect(await ds.get('/t/a')).toBeUndefined();
    expect((await ds.update('/t/a', 'x', u.kv.revision)).ok).toBe(false);
    await ds.close();
  });

  it('lists by prefix in key order, including nested keys and odd characters', async () => {
    const ds = await open();
    for (const k of ['/l/b', '/l/a', '/l/a/child', '/l/x.y:z%', '/lz/other', '/l/..']) await ds.create(k, k);
    expect((await ds.list('/l/')).map((kv) => kv.key)).toEqual(['/l/..', '/l/a', '/l/a/child', '/l/b', '/l/x.y:z%']);
    expect((await ds.list('/l/a')).map((kv) => kv.key)).toEqual(['/l/a', '/l/a/child']);
    expect((await ds.list('/l/a/')).map((kv) => kv.value)).toEqual(['/l/a/child']);
    expect(await ds.list('/nothing/')).toEqual([]);
    await ds.close();
  });

  it('has monotonic store revisions and watches from a revision', async () => {
    const ds = await open();
    const r0 = await ds.revision();
    const c = await ds.create('/w/k1', 'v1');
    if (!c.ok) throw new Error('create failed');
    expect(c.kv.revision).toBeGreaterThan(r0);
    await ds.create('/w/k2', 'v2');
    await ds.create('/other/k', 'x');
    const seen: WatchEvent[] = [];
    const w = ds.watch('/w/', { fromRevision: c.kv.revision, onEvent: (e) => seen.push(e) });
    await waitUntil(() => seen.length >= 2);
    const k2 = await ds.get('/w/k2');
    await ds.delete('/w/k2', k2!.revision);
    await waitUntil(() => seen.length >= 3);
    w.close();
    expect(seen.map((e) => [e.type, e.key, e.value])).toEqual([
      ['put', '/w/k1', 'v1'],
      ['put', '/w/k2', 'v2'],
      ['delete', '/w/k2', ''],
    ]);
    expect(seen[2].revision).toBeGreaterThan(seen[1].revision);
    expect(await ds.revision()).toBe(seen[2].revision);
    await ds.close();
  });

  it('lets exactly one of many concurrent CAS updates win per round', async () => {
    const ds = await open();
    await ds.create('/c/n', '0');
    let wins = 0;
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        for (;;) {
          const cur = (await ds.get('/c/n'))!;
          const r = await ds.update('/c/n', String(Number(cur.value) + 1), cur.revision);
          if (r.ok) {
            wins++;
            return;
          }
        }
      }),
    );
    expect(wins).toBe(20);
    expect((await ds.get('/c/n'))?.value).toBe('20');
    await ds.close();
  });
}

export async function waitUntil(cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
