// etcd v3 datastore via `etcd3`: creates are txns on `Create == 0` (key absent), updates and deletes
// txns on `Mod == revision`; the revision we hand out is the key's mod revision, so CAS compares are
// exactly etcd's. Watches resume from a revision with startRevision.
import { Etcd3, type IOptions } from 'etcd3';
import type { Datastore, KeyValue, WatchOptions, Watcher, WriteResult } from '../datastore';
import { DatastoreError } from '../errors';

interface RawKv {
  key: Buffer;
  value: Buffer;
  mod_revision: string;
  create_revision: string;
}

function toKv(kv: RawKv): KeyValue {
  return { key: kv.key.toString(), value: kv.value.toString(), revision: Number(kv.mod_revision), created: Number(kv.create_revision) };
}

/** A watch event carries no create revision (WatchEvent has no field for it). */
function toEvent(kv: RawKv): { key: string; value: string; revision: number } {
  return { key: kv.key.toString(), value: kv.value.toString(), revision: Number(kv.mod_revision) };
}

export class EtcdStore implements Datastore {
  readonly kind = 'etcd';
  readonly client: Etcd3;

  constructor(opts: IOptions | string) {
    this.client = new Etcd3(typeof opts === 'string' ? { hosts: opts } : opts);
  }

  async get(key: string): Promise<KeyValue | undefined> {
    const res = await this.wrap(key, () => this.client.get(key).exec());
    const kv = res.kvs[0] as RawKv | undefined;
    return kv ? toKv(kv) : undefined;
  }

  async list(prefix: string): Promise<KeyValue[]> {
    const res = await this.wrap(prefix, () => this.client.getAll().prefix(prefix).sort('Key', 'Ascend').exec());
    return (res.kvs as RawKv[]).map(toKv);
  }

  create(key: string, value: string): Promise<WriteResult> {
    return this.txn(key, 'Create', 0, this.client.put(key).value(value), value);
  }

  update(key: string, value: string, revision: number): Promise<WriteResult> {
    return this.txn(key, 'Mod', revision, this.client.put(key).value(value), value);
  }

  async delete(key: string, revision: number): Promise<WriteResult> {
    const res = await this.txn(key, 'Mod', revision, this.client.delete().key(key), '');
    return res.ok ? { ok: true, kv: { key, value: '', revision: res.kv.revision } } : res;
  }

  async revision(): Promise<number> {
    const res = await this.wrap('(revision)', () => this.client.get('\0').exec());
    return Number(res.header.revision);
  }

  watch(prefix: string, opts: WatchOptions): Watcher {
    let closed = false;
    let handle: { cancel(): Promise<void> } | undefined;
    let builder = this.client.watch().prefix(prefix);
    if (opts.fromRevision !== undefined) builder = builder.startRevision(String(opts.fromRevision));
    builder
      .create()
      .then((w) => {
        if (closed) return void w.cancel();
        handle = w;
        w.on('put', (kv) => opts.onEvent({ type: 'put', ...toEvent(kv as RawKv) }));
        w.on('delete', (kv) => opts.onEvent({ type: 'delete', ...toEvent(kv as RawKv), value: '' }));
        w.on('error', (err) => opts.onError?.(err));
      })
      .catch((err: Error) => opts.onError?.(err));
    return {
      close: () => {
        closed = true;
        void handle?.cancel();
      },
    };
  }

  async close(): Promise<void> {
    this.client.close();
  }

  private async txn(key: string, target: 'Create' | 'Mod', rev: number, op: Parameters<ReturnType<Etcd3['if']>['then']>[0], value: string): Promise<WriteResult> {
    const res = await this.wrap(key, () =>
      this.client.if(key, target, '==', rev).then(op).else(this.client.get(key)).commit(),
    );
    if (res.succeeded) {
      const revision = Number(res.header.revision);
      // a create's revision is the key's create_revision; an update's is not known without a read
      return { ok: true, kv: { key, value, revision, ...(target === 'Create' ? { created: revision } : {}) } };
    }
    const kv = res.responses[0]?.response_range?.kvs?.[0] as RawKv | undefined;
    return { ok: false, current: kv ? toKv(kv) : undefined };
  }

  private async wrap<T>(key: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw new DatastoreError(key, `etcd: ${(err as Error).message}`);
    }
  }
}
