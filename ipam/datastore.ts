// The one storage interface IPAM (and the node registry) is written against. Values are opaque
// strings (JSON) so a store never has to understand them and a corrupt record can be reported with
// its key instead of being "fixed" by a parser. Implementations: store/file-store.ts (embedded,
// default), store/etcd-store.ts, store/memory-store.ts (tests); a Kubernetes store can implement the
// same contract with resourceVersion as the revision.

export interface KeyValue {
  readonly key: string;
  readonly value: string;
  /** Store revision of the write that produced this value (etcd mod revision). */
  readonly revision: number;
  /**
   * When the key was created (and not deleted since), where the store knows it: the store revision of
   * the create (etcd create_revision; the file and memory stores record it), or for a Kubernetes IPPool
   * its creationTimestamp in ms. 0 = before the store recorded it (file-store records written by an older
   * version). Orders overlapping pools (pools.ts checkPools): it never changes while the key exists, unlike
   * `revision`. Comparable only with `created` of the same store.
   */
  readonly created?: number;
  /** A stable unique id of the record where the store has one (Kubernetes metadata.uid): ties of `created`. */
  readonly uid?: string;
}

export interface WatchEvent {
  readonly type: 'put' | 'delete';
  readonly key: string;
  /** The new value for `put`; empty for `delete`. */
  readonly value: string;
  readonly revision: number;
}

/** Outcome of a conditional write. `current` is the value that won, when there is one. */
export type WriteResult = { readonly ok: true; readonly kv: KeyValue } | { readonly ok: false; readonly current?: KeyValue };

export interface Watcher {
  close(): void;
}

export interface WatchOptions {
  /** Replay events with revision ≥ this first; omit to get only future events. */
  readonly fromRevision?: number;
  readonly onEvent: (ev: WatchEvent) => void;
  readonly onError?: (err: Error) => void;
}

export interface Datastore {
  /** Short name for messages and benchmarks: `file`, `etcd`, `memory`. */
  readonly kind: string;
  get(key: string): Promise<KeyValue | undefined>;
  /** Every key starting with `prefix`, sorted by key. */
  list(prefix: string): Promise<KeyValue[]>;
  /** Writes only when the key does not exist. */
  create(key: string, value: string): Promise<WriteResult>;
  /** Writes only when the key's current revision is `revision`. */
  update(key: string, value: string, revision: number): Promise<WriteResult>;
  /** Deletes only when the key's current revision is `revision`. */
  delete(key: string, revision: number): Promise<WriteResult>;
  /** Latest revision of the whole store. */
  revision(): Promise<number>;
  watch(prefix: string, opts: WatchOptions): Watcher;
  close(): Promise<void>;
}
