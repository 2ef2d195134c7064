// In-process datastore for unit tests: the same CAS semantics as the real stores, no I/O.
import type { Datastore, KeyValue, WatchEvent, WatchOptions, Watcher, WriteResult } from '../datastore';

export class MemoryStore implements Datastore {
  readonly kind = 'memory';
  private readonly data = new Map<string, KeyValue>();
  private readonly log: WatchEvent[] = [];
  private readonly watchers = new Set<{ prefix: string; opts: WatchOptions }>();
  private rev = 0;

  async get(key: string): Promise<KeyValue | undefined> {
    return this.data.get(key);
  }

  async list(prefix: string): Promise<KeyValue[]> {
    return [...this.data.values()].filter((kv) => kv.key.startsWith(prefix)).sort((a, b) => (a.key < b.key ? -1 : 1));
  }

  async create(key: string, value: string): Promise<WriteResult> {
    const cur = this.data.get(key);
    if (cur) return { ok: false, current: cur };
    return { ok: true, kv: this.put(key, value, this.rev + 1) };
  }

  async update(key: string, value: string, revision: number): Promise<WriteResult> {
    const cur = this.data.get(key);
    if (!cur || cur.revision !== revision) return { ok: false, current: cur };
    return { ok: true, kv: this.put(key, value, cur.created ?? 0) };
  }

  async delete(key: string, revision: number): Promise<WriteResult> {
    const cur = this.data.get(key);
    if (!cur || cur.revision !== revision) return { ok: false, current: cur };
    this.data.delete(key);
    const kv = { key, value: '', revision: ++this.rev };
    this.emit({ type: 'delete', ...kv });
    return { ok: true, kv };
  }

  async revision(): Promise<number> {
    return this.rev;
  }

  watch(prefix: string, opts: WatchOptions): Watcher {
    const w = { prefix, opts };
    if (opts.fromRevision !== undefined) {
      for (const ev of this.log) if (ev.revision >= opts.fromRevision && ev.key.startsWith(prefix)) opts.onEvent(ev);
    }
    this.watchers.add(w);
    return { close: () => this.watchers.delete(w) };
  }

  async close(): Promise<void> {
    this.watchers.clear();
  }

  /** `created`: the revision of the create that made this key (kept by updates). */
  private put(key: string, value: string, created: number): KeyValue {
    const kv = { key, value, revision: ++this.rev, created };
    this.data.set(key, kv);
    this.emit({ type: 'put', key, value, revision: kv.revision });
    return kv;
  }

  private emit(ev: WatchEvent): void {
    this.log.push(ev);
    for (const w of this.watchers) if (ev.key.startsWith(w.prefix)) w.opts.onEvent(ev);
  }
}
