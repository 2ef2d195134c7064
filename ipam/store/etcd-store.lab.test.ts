import { afterAll, beforeAll, describe } from 'vitest';
import { datastoreContract } from './contract';
import { startEtcd, type EtcdHandle } from './etcd-harness';
import { EtcdStore } from './etcd-store';

let etcd: EtcdHandle;
let n = 0;
beforeAll(async () => {
  etcd = await startEtcd();
});
afterAll(async () => {
  await etcd?.stop();
});

// Each case gets its own key namespace in the shared etcd, so cases don't see each other's keys.
describe('EtcdStore contract', () =>
  datastoreContract(async () => {
    const ns = `/case${++n}`;
    const store = new EtcdStore({ hosts: etcd.endpoint });
    return new NamespacedStore(store, ns);
  }, { createRevision: true }));

import type { Datastore, KeyValue, WatchOptions, Watcher, WriteResult } from '../datastore';

/** Prefixes every key, so contract cases can share one etcd. */
class NamespacedStore implements Datastore {
  readonly kind = 'etcd';
  constructor(
    private readonly inner: Datastore,
    private readonly ns: string,
  ) {}
  private strip = (kv: KeyValue): KeyValue => ({ ...kv, key: kv.key.slice(this.ns.length) });
  private res = (r: WriteResult): WriteResult =>
    r.ok ? { ok: true, kv: this.strip(r.kv) } : { ok: false, current: r.current && this.strip(r.current) };
  async get(key: string) {
    const kv = await this.inner.get(this.ns + key);
    return kv && this.strip(kv);
  }
  async list(prefix: string) {
    return (await this.inner.list(this.ns + prefix)).map(this.strip);
  }
  async create(key: string, value: string) {
    return this.res(await this.inner.create(this.ns + key, value));
  }
  async update(key: string, value: string, rev: number) {
    return this.res(await this.inner.update(this.ns + key, value, rev));
  }
  async delete(key: string, rev: number) {
    return this.res(await this.inner.delete(this.ns + key, rev));
  }
  revision() {
    return this.inner.revision();
  }
  watch(prefix: string, opts: WatchOptions): Watcher {
    return this.inner.watch(this.ns + prefix, { ...opts, onEvent: (e) => opts.onEvent({ ...e, key: e.key.slice(this.ns.length) }) });
  }
  close() {
    return this.inner.close();
  }
}
