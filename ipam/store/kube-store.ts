// Kubernetes datastore: every key is one cluster-scoped custom object of a tortie.dev CRD
// (kubernetes-kinds.ts says which kind and name), over a KubeTransport (kube-transport.ts): the lean
// node:https one or client-node's. Open it with `openKubernetesStore` (kubernetes-open.ts), which picks.
//
// Mapping of the Datastore contract onto the API:
//   revision            = metadata.resourceVersion (etcd's revision behind a real apiserver; one global
//                         counter, so revisions are comparable across kinds)
//   create              = POST (409 AlreadyExists → not written)
//   update(rev)         = PUT with metadata.resourceVersion = rev (409 Conflict → not written)
//   delete(rev)         = two steps, as Calico's KDD does: merge-patch a "deleted" mark with
//                         resourceVersion = rev as precondition (the CAS), then DELETE with preconditions
//                         {uid, resourceVersion of the mark}. Readers treat a marked object as absent.
//                         A deleter that dies between the steps leaves a marked object; the next create of
//                         that key finishes the delete first.
//   list(prefix)        = one list per kind the prefix can touch (a label-selected one for a node's
//                         affinities); several kinds are several reads, not one snapshot
//   revision()          = the resourceVersion of a one-item list (a quorum read on a real apiserver)
//   watch(prefix, from) = one watch per kind the prefix can touch, from resourceVersion from-1; events are
//                         in revision order per kind (not across kinds). Marked objects are skipped (their
//                         DELETED follows). A dropped stream reconnects from the last revision seen;
//                         410 Gone (history compacted) is reported through onError — the caller relists —
//                         and the watch goes on from the current revision.
// A value that is a JSON object is stored as the object's `spec` (so `kubectl get ippools -o yaml` shows
// real fields and an admin can write an IPPool); anything else as a string in `value`. JSON values come
// back re-serialized: same data, key order as the server returns it.
import type { Datastore, KeyValue, WatchOptions, Watcher, WriteResult } from '../datastore';
import { DatastoreError } from '../errors';
import { DELETED_ANNOTATION, ENTRY, GROUP, POOL, KEY_ANNOTATION, VERSION, keyForUnannotated, kindsForPrefix, objectRef, type KindInfo } from './kubernetes-kinds';
import type { KubeRequest, KubeResponse, KubeTransport, KubeWatchSource } from './kube-transport';

export interface KubeStoreOptions {
  /** Reconnect delay after a dropped watch stream (doubles up to 5 s). Default 100 ms. */
  readonly watchRetryMs?: number;
  /**
   * Where watches come from when the transport has none (the lean one): loaded on the first watch, so
   * a caller that never watches never loads it.
   */
  readonly watchSource?: () => Promise<KubeWatchSource>;
}

interface CustomObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    uid?: string;
    resourceVersion?: string;
    creationTimestamp?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec?: unknown;
  value?: string;
}

/** A non-2xx answer, carried to the one place (fail) that turns it into a DatastoreError. */
class HttpStatusError extends Error {
  constructor(
    readonly code: number,
    readonly body: unknown,
  ) {
    super(statusMessage(code, body));
  }
}

const codeOf = (err: unknown): number | undefined => {
  const e = err as { code?: unknown; statusCode?: unknown } | undefined;
  const c = typeof e?.code === 'number' ? e.code : typeof e?.statusCode === 'number' ? e.statusCode : undefined;
  return c;
};

function isJsonObject(text: string): Record<string, unknown> | undefined {
  if (!text.startsWith('{')) return undefined;
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const BASE = `/apis/${GROUP}/${VERSION}`;
const collection = (info: KindInfo, query?: Record<string, string | undefined>): string => {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) q.set(k, v);
  const s = q.toString();
  return `${BASE}/${info.plural}${s ? `?${s}` : ''}`;
};
const item = (info: KindInfo, name: string): string => `${BASE}/${info.plural}/${encodeURIComponent(name)}`;

export class KubeStore implements Datastore {
  readonly kind = 'kubernetes';
  private readonly retryMs: number;
  private readonly watches = new Set<Watcher>();
  private watchSourceP: Promise<KubeWatchSource> | undefined;

  constructor(
    readonly transport: KubeTransport,
    private readonly opts: KubeStoreOptions = {},
  ) {
    this.retryMs = opts.watchRetryMs ?? 100;
  }

  async get(key: string): Promise<KeyValue | undefined> {
    const obj = await this.fetch(key);
    return obj && !isMarked(obj) ? this.toKv(obj, key) : undefined;
  }

  async list(prefix: string): Promise<KeyValue[]> {
    const out: KeyValue[] = [];
    for (const plan of kindsForPrefix(prefix)) {
      const res = (await this.call(prefix, { method: 'GET', path: collection(plan.info, { labelSelector: plan.labelSelector }) })) as { items?: CustomObject[] };
      for (const obj of res.items ?? []) {
        const key = keyOf(plan.info, obj);
        if (key !== undefined && key.startsWith(prefix) && !isMarked(obj)) out.push(this.toKv(obj, key));
      }
    }
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async create(key: string, value: string): Promise<WriteResult> {
    const ref = objectRef(key);
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        const made = (await this.send({ method: 'POST', path: collection(ref.info), body: this.body(key, value) })) as CustomObject;
        return { ok: true, kv: this.toKv(made, key) };
      } catch (err) {
        if (codeOf(err) !== 409) throw this.fail(key, err);
      }
      const cur = await this.fetch(key);
      if (cur && !isMarked(cur)) return { ok: false, current: this.toKv(cur, key) };
      // Absent again, or a delete that stopped half-way: finish it, then try the create again.
      if (cur) await this.finishDelete(key, cur).catch(() => undefined);
    }
    throw new DatastoreError(key, 'kubernetes: create kept conflicting with a pending delete');
  }

  async update(key: string, value: string, revision: number): Promise<WriteResult> {
    const ref = objectRef(key);
    const body = this.body(key, value);
    body.metadata.resourceVersion = String(revision);
    try {
      const obj = (await this.send({ method: 'PUT', path: item(ref.info, ref.name), body })) as CustomObject;
      return { ok: true, kv: this.toKv(obj, key) };
    } catch (err) {
      const code = codeOf(err);
      if (code !== 409 && code !== 404) throw this.fail(key, err);
      return { ok: false, current: await this.get(key) };
    }
  }

  async delete(key: string, revision: number): Promise<WriteResult> {
    const ref = objectRef(key);
    let marked: CustomObject;
    try {
      marked = (await this.send({
        method: 'PATCH',
        path: item(ref.info, ref.name),
        contentType: 'application/merge-patch+json',
        body: { metadata: { resourceVersion: String(revision), annotations: { [DELETED_ANNOTATION]: 'true' } } },
      })) as CustomObject;
    } catch (err) {
      const code = codeOf(err);
      if (code !== 409 && code !== 404) throw this.fail(key, err);
      return { ok: false, current: await this.get(key) };
    }
    // The mark was the compare-and-swap: from here on the delete is ours to finish.
    const gone = await this.finishDelete(key, marked);
    return { ok: true, kv: { key, value: '', revision: gone } };
  }

  async revision(): Promise<number> {
    const res = (await this.call('(revision)', { method: 'GET', path: collection(ENTRY, { limit: '1' }) })) as { metadata?: { resourceVersion?: string } };
    return Number(res.metadata?.resourceVersion ?? 0);
  }

  watch(prefix: string, opts: WatchOptions): Watcher {
    const plans = kindsForPrefix(prefix);
    const aborts = new Set<AbortController>();
    const timers = new Set<NodeJS.Timeout>();
    let closed = false;
    const w: Watcher = {
      close: () => {
        closed = true;
        for (const a of aborts) a.abort();
        for (const t of timers) clearTimeout(t);
        this.watches.delete(w);
      },
    };
    this.watches.add(w);
    const start = async (): Promise<[KubeWatchSource, number]> => {
      const source = await this.watchSource();
      return [source, opts.fromRevision !== undefined ? opts.fromRevision - 1 : await this.revision()];
    };
    start().then(
      ([source, from]) => {
        for (const plan of plans) this.watchKind(source, prefix, plan.info, plan.labelSelector, from, opts, aborts, timers, () => closed);
      },
      (err: Error) => opts.onError?.(err),
    );
    return w;
  }

  async close(): Promise<void> {
    for (const w of [...this.watches]) w.close();
    this.transport.close();
  }

  // ---- internals ----

  private watchSource(): Promise<KubeWatchSource> {
    if (this.transport.watcher) return Promise.resolve(this.transport.watcher);
    const load = this.opts.watchSource;
    if (!load) return Promise.reject(new DatastoreError('(watch)', `kubernetes: the ${this.transport.name} transport cannot watch and no watch source was given`));
    this.watchSourceP ??= load();
    return this.watchSourceP;
  }

  private watchKind(
    source: KubeWatchSource,
    prefix: string,
    info: KindInfo,
    labelSelector: string | undefined,
    from: number,
    opts: WatchOptions,
    aborts: Set<AbortController>,
    timers: Set<NodeJS.Timeout>,
    isClosed: () => boolean,
  ): void {
    let last = from;
    let delay = this.retryMs;
    // Each connection has a generation; only the current one may schedule the next (after a 410 the
    // old stream's end must not start a second watch next to the resumed one).
    let generation = 0;
    const path = `${BASE}/${info.plural}`;
    const retry = (): void => {
      const t = setTimeout(() => {
        timers.delete(t);
        connect();
      }, delay);
      timers.add(t);
      delay = Math.min(delay * 2, 5000);
    };
    // The events between `last` and now are gone: say so (the caller relists), then follow from now on,
    // so a caller that only resyncs on errors keeps getting events.
    const expired = (gen: number): void => {
      if (gen !== generation) return;
      generation++;
      opts.onError?.(new DatastoreError(prefix, `kubernetes: watch of ${info.plural} from revision ${last} expired (410 Gone); list again — following from the current revision`));
      this.revision().then(
        (now) => {
          last = now;
          connect();
        },
        () => retry(),
      );
    };
    const connect = (): void => {
      if (isClosed()) return;
      const gen = ++generation;
      const query: Record<string, string> = { resourceVersion: String(last), allowWatchBookmarks: 'false' };
      if (labelSelector) query.labelSelector = labelSelector;
      let ac: AbortController | undefined;
      source
        .watch(
          path,
          query,
          (type, raw) => {
            if (gen !== generation) return;
            const obj = raw as CustomObject & { code?: number };
            delay = this.retryMs;
            if (type === 'ERROR') {
              if (obj.code === 410) expired(gen);
              return;
            }
            const rev = Number(obj.metadata?.resourceVersion);
            if (!Number.isFinite(rev) || rev <= last) return;
            last = rev;
            const key = keyOf(info, obj);
            if (key === undefined || !key.startsWith(prefix)) return;
            if (type === 'DELETED') opts.onEvent({ type: 'delete', key, value: '', revision: rev });
            else if ((type === 'ADDED' || type === 'MODIFIED') && !isMarked(obj)) opts.onEvent({ type: 'put', ...this.toKv(obj, key) });
          },
          (err) => {
            if (ac) aborts.delete(ac);
            if (isClosed() || gen !== generation) return;
            if (err && codeOf(err) === 410) return expired(gen);
            retry();
          },
        )
        .then(
          (c) => {
            ac = c;
            if (isClosed()) c.abort();
            else aborts.add(c);
          },
          (err: Error) => opts.onError?.(err),
        );
    };
    connect();
  }

  private async finishDelete(key: string, marked: CustomObject): Promise<number> {
    const ref = objectRef(key);
    try {
      const gone = (await this.send({
        method: 'DELETE',
        path: item(ref.info, ref.name),
        body: { preconditions: { uid: marked.metadata.uid, resourceVersion: marked.metadata.resourceVersion } },
      })) as CustomObject | undefined;
      return Number(gone?.metadata?.resourceVersion ?? marked.metadata.resourceVersion);
    } catch (err) {
      // Someone else finished it: a create that found our mark deleted the object (404), and maybe
      // already made a new one under the same name (409: other uid). Either way our delete happened.
      const code = codeOf(err);
      if (code === 404 || code === 409) return this.revision();
      throw this.fail(key, err);
    }
  }

  private async fetch(key: string): Promise<CustomObject | undefined> {
    const ref = objectRef(key);
    try {
      const obj = (await this.send({ method: 'GET', path: item(ref.info, ref.name) })) as CustomObject;
      // A hashed name is unique per key, but an unannotated object under a readable name could be anything.
      return keyOf(ref.info, obj) === key ? obj : undefined;
    } catch (err) {
      if (codeOf(err) === 404) return undefined;
      throw this.fail(key, err);
    }
  }

  /** The response body of a 2xx answer; anything else throws HttpStatusError (network errors as they are). */
  private async send(req: KubeRequest): Promise<unknown> {
    const res: KubeResponse = await this.transport.request(req);
    if (res.status < 200 || res.status > 299) throw new HttpStatusError(res.status, res.body);
    return res.body;
  }

  private async call(key: string, req: KubeRequest): Promise<unknown> {
    try {
      return await this.send(req);
    } catch (err) {
      throw this.fail(key, err);
    }
  }

  private body(key: string, value: string): CustomObject {
    const ref = objectRef(key);
    const obj: CustomObject = {
      apiVersion: `${GROUP}/${VERSION}`,
      kind: ref.info.kind,
      metadata: { name: ref.name, annotations: { [KEY_ANNOTATION]: key } },
    };
    if (Object.keys(ref.labels).length > 0) obj.metadata.labels = { ...ref.labels };
    const json = isJsonObject(value);
    if (json) obj.spec = json;
    else obj.value = value;
    return obj;
  }

  private toKv(obj: CustomObject, key: string): KeyValue {
    let spec = obj.spec ?? {};
    // IPAM's pool record carries its name; an IPPool written with kubectl has it only in metadata.
    if (obj.kind === POOL.kind && typeof spec === 'object' && spec !== null && !('name' in spec)) spec = { name: obj.metadata.name, ...spec };
    const value = typeof obj.value === 'string' ? obj.value : JSON.stringify(spec);
    // which of two overlapping pools came first (pools.ts checkPools)
    const created = obj.kind === POOL.kind && obj.metadata.creationTimestamp ? Date.parse(obj.metadata.creationTimestamp) : NaN;
    const uid = obj.kind === POOL.kind ? obj.metadata.uid : undefined;
    return { key, value, revision: Number(obj.metadata.resourceVersion), ...(Number.isFinite(created) ? { created } : {}), ...(uid ? { uid } : {}) };
  }

  private fail(key: string, err: unknown): DatastoreError {
    if (err instanceof DatastoreError) return err;
    const code = codeOf(err);
    return new DatastoreError(key, `kubernetes${code ? ` (HTTP ${code})` : ''}: ${(err as Error).message}`);
  }
}

function isMarked(obj: CustomObject): boolean {
  return obj.metadata?.annotations?.[DELETED_ANNOTATION] === 'true';
}

function keyOf(info: KindInfo, obj: CustomObject): string | undefined {
  return obj.metadata?.annotations?.[KEY_ANNOTATION] ?? keyForUnannotated(info, obj.metadata?.name ?? '');
}

/** The apiserver's Status message when the body is one, else the start of the body, else the code. */
function statusMessage(code: number, body: unknown): string {
  if (typeof body === 'object' && body !== null && typeof (body as { message?: unknown }).message === 'string') return (body as { message: string }).message;
  if (typeof body === 'string' && body !== '') return body.slice(0, 200);
  return `HTTP ${code}`;
}
