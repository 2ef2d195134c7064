// One copy per distinct attribute set, refcounted, keyed by its canonical key. Ids are small
// integers so the hot tables can store them in typed arrays; freed ids are reused.

export interface Interned {
  readonly key: string;
}

export class InternTable<E extends Interned> {
  private readonly byKey = new Map<string, number>();
  private readonly entries: (E | undefined)[] = [];
  private refs = new Int32Array(64);
  private readonly free: number[] = [];
  private readonly freeListeners: ((id: number, entry: E) => void)[] = [];

  /** Returns the id for `key` with one more reference, creating the entry with `make` if new. */
  intern(key: string, make: () => E): number {
    let id = this.byKey.get(key);
    if (id === undefined) {
      id = this.free.pop() ?? this.entries.length;
      if (id >= this.refs.length) {
        const r = new Int32Array(this.refs.length * 2);
        r.set(this.refs);
        this.refs = r;
      }
      this.entries[id] = make();
      this.byKey.set(key, id);
    }
    this.refs[id]++;
    return id;
  }

  ref(id: number, n = 1): void {
    this.refs[id] += n;
  }

  unref(id: number, n = 1): void {
    const left = (this.refs[id] -= n);
    if (left > 0) return;
    if (left < 0) throw new Error(`intern table: refcount of ${id} below zero`);
    const entry = this.entries[id] as E;
    this.byKey.delete(entry.key);
    this.entries[id] = undefined;
    this.free.push(id);
    for (const cb of this.freeListeners) cb(id, entry);
  }

  get(id: number): E {
    const e = this.entries[id];
    if (!e) throw new Error(`intern table: no entry ${id}`);
    return e;
  }

  refCount(id: number): number {
    return this.refs[id] ?? 0;
  }

  /** Number of live entries. */
  get size(): number {
    return this.byKey.size;
  }

  onFree(cb: (id: number, entry: E) => void): void {
    this.freeListeners.push(cb);
  }
}
