// Turns what the Kubernetes sources found wrong with objects (k8s-problems.ts) into what an admin sees:
// a `Valid` status condition on the CRD object (through the status subresource), a Warning Event, and a
// log line. Every node runs an agent and sees the same problems, so writes are kept to what changed:
//   - a condition is written only when it differs from the one the informer shows on the object, with the
//     object's resourceVersion as a precondition: two nodes racing get one write and one 409, and the loser
//     re-evaluates against the winner's condition on the next recomputation instead of overwriting it;
//   - an Event is posted when a problem is new for this process (not on every recomputation); a problem still
//     there after `repostMs` bumps that Event's count/lastTimestamp, as kubelet's event aggregation does;
//   - a log line once per distinct problem, and once when the object is valid again.
// API errors (403 without RBAC, 404 object gone, 409 lost race) are logged once and never thrown; writes run
// one at a time from a bounded queue, so report() never blocks or fails the peer recomputation.
// Load lazily, like k8s-source (client-node costs ~400 ms to load).
import { CoreV1Api, CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { createHash } from 'node:crypto';
import type { Logger } from '../session/peer-config';
import { silentLogger } from '../session/peer-config';
import type { ObjectProblems, ObjectRef, ProblemReporter, ReportedKind, StatusCondition } from './k8s-problems';

const GROUP = 'tortie.dev';
const VERSION = 'v1';
export const COMPONENT = 'tortie-bgpd';
export const INVALID_REASON = 'InvalidSpec';
export const CONDITION_TYPE = 'Valid';
/** Where Events about cluster-scoped objects go (Kubernetes does the same for Nodes). */
export const EVENT_NAMESPACE = 'default';
const PLURALS: Partial<Record<ReportedKind, string>> = {
  BGPPeer: 'bgppeers',
  BGPConfiguration: 'bgpconfigurations',
  BGPFilter: 'bgpfilters',
  IPPool: 'ippools',
};
// Event messages are capped at 1 KiB by events.k8s.io; keep conditions as short.
const MAX_MESSAGE = 1024;

/** The three API calls the reporter makes (a seam for tests; the default goes through client-node). */
export interface ReportApi {
  patchStatus(plural: string, name: string, body: Record<string, unknown>): Promise<unknown>;
  createEvent(namespace: string, body: EventBody): Promise<unknown>;
  patchEvent(namespace: string, name: string, body: Record<string, unknown>): Promise<unknown>;
}

/** A core/v1 Event as posted (timestamps as RFC 3339 strings). */
export interface EventBody {
  metadata: { name: string; namespace: string };
  involvedObject: { kind: string; apiVersion: string; name: string; uid?: string; resourceVersion?: string };
  reason: string;
  message: string;
  type: 'Warning' | 'Normal';
  source: { component: string; host: string };
  reportingComponent: string;
  reportingInstance: string;
  firstTimestamp: string;
  lastTimestamp: string;
  count: number;
}

export interface KubernetesProblemReporterOptions {
  /** Used to build the default API client; one of kubeConfig / api is needed. */
  kubeConfig?: KubeConfig;
  api?: ReportApi;
  /** This node's name: the Event's source.host and reportingInstance. */
  host: string;
  logger?: Logger;
  /** Writes waiting at most (further ones are dropped, with one warning). Default 512. */
  maxQueue?: number;
  /** A problem still present after this long bumps its Event's count. Default 10 min; 0 = never. */
  repostMs?: number;
  /** After a 403, that kind of write is not retried for this long. Default 60 s. */
  deniedBackoffMs?: number;
  now?: () => number;
}

interface Posted {
  eventName: string;
  /** This process created the Event (another node's create won otherwise): only the creator bumps it. */
  mine: boolean;
  count: number;
  first: string;
  last: number;
}

interface PendingStatus {
  ref: ObjectRef;
  body: Record<string, unknown>;
  sig: string;
}

export class KubernetesProblemReporter implements ProblemReporter {
  private readonly api: ReportApi;
  private readonly log: Logger;
  private readonly host: string;
  private readonly maxQueue: number;
  private readonly repostMs: number;
  private readonly deniedMs: number;
  private readonly now: () => number;
  /** Writes in order; a status write is a key into `pendingStatus`, so only the newest desired one runs. */
  private readonly queue: Array<{ statusKey: string } | { event: () => Promise<void> }> = [];
  private readonly pendingStatus = new Map<string, PendingStatus>();
  /** status key → signature of the last condition sent for the object revision it was computed from. */
  private readonly sentStatus = new Map<string, string>();
  /** status key → the condition message this process last computed (whether or not it wrote it). */
  private readonly ownVerdict = new Map<string, string>();
  /** object key (kind/name/uid) → problem → the Event that reported it. */
  private readonly posted = new Map<string, Map<string, Posted>>();
  /** object key → problems already logged. */
  private readonly logged = new Map<string, Set<string>>();
  private readonly loggedErrors = new Set<string>();
  private readonly deniedUntil = new Map<string, number>();
  private running: Promise<void> | undefined;
  private dropped = 0;
  private closed = false;

  constructor(opts: KubernetesProblemReporterOptions) {
    if (!opts.api && !opts.kubeConfig) throw new Error('KubernetesProblemReporter needs a kubeConfig or an api');
    this.api = opts.api ?? clientApi(opts.kubeConfig!);
    this.log = opts.logger ?? silentLogger;
    this.host = opts.host;
    this.maxQueue = opts.maxQueue ?? 512;
    this.repostMs = opts.repostMs ?? 600_000;
    this.deniedMs = opts.deniedBackoffMs ?? 60_000;
    this.now = opts.now ?? Date.now;
  }

  report(kinds: readonly ReportedKind[], items: readonly ObjectProblems[]): void {
    if (this.closed) return;
    // called inside the peer recomputation: whatever goes wrong here must not stop that
    try {
      this.record(kinds, items);
    } catch (err) {
      this.apiError('report', 'reporter', err);
    }
    this.kick();
  }

  private record(kinds: readonly ReportedKind[], items: readonly ObjectProblems[]): void {
    const seen = new Set<string>();
    for (const item of items) {
      const key = objectKey(item.ref);
      seen.add(key);
      this.logProblems(key, item);
      this.eventFor(key, item);
      if (PLURALS[item.ref.kind] !== undefined) this.conditionFor(item);
    }
    // forget objects of these kinds that are gone, so memory follows the cluster
    for (const m of [this.posted, this.logged])
      for (const k of m.keys()) if (kinds.includes(k.split('/')[0] as ReportedKind) && !seen.has(k)) m.delete(k);
    const seenStatus = new Set(items.map((i) => `${i.ref.kind}/${i.ref.name}`));
    for (const m of [this.sentStatus, this.ownVerdict])
      for (const k of m.keys()) if (kinds.includes(k.split('/')[0] as ReportedKind) && !seenStatus.has(k)) m.delete(k);
  }

  /** Resolves once every queued write has been attempted (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Drops what is queued; later reports are ignored. */
  close(): void {
    this.closed = true;
    this.queue.length = 0;
    this.pendingStatus.clear();
  }

  // ---- deciding what to write ----

  private logProblems(key: string, { ref, problems }: ObjectProblems): void {
    const had = this.logged.get(key);
    if (problems.length === 0) {
      if (had?.size) this.log.info({ kind: ref.kind, name: ref.name }, `${ref.kind} ${ref.name} is valid again`);
      this.logged.delete(key);
      return;
    }
    const set = had ?? new Set<string>();
    for (const p of problems) {
      if (set.has(p)) continue;
      set.add(p);
      this.log.warn({ kind: ref.kind, name: ref.name, problem: p }, `${ref.kind} ${ref.name}: ${p}`);
    }
    // a problem that was fixed and comes back is logged again
    for (const p of set) if (!problems.includes(p)) set.delete(p);
    this.logged.set(key, set);
  }

  private eventFor(key: string, { ref, problems }: ObjectProblems): void {
    if (problems.length === 0) {
      this.posted.delete(key);
      return;
    }
    const known = this.posted.get(key) ?? new Map<string, Posted>();
    for (const p of known.keys()) if (!problems.includes(p)) known.delete(p);
    this.posted.set(key, known);
    const now = this.now();
    if (problems.some((p) => !known.has(p))) {
      const first = new Date(now).toISOString();
      const posted: Posted = { eventName: eventName(ref, problems), mine: false, count: 1, first, last: now };
      for (const p of problems) known.set(p, posted);
      const body = this.eventBody(ref, problems, posted);
      this.enqueue({ event: () => this.createEvent(ref, body, posted) });
      return;
    }
    // aggregation: one patch per distinct Event that is due (several problems may share one)
    if (this.repostMs <= 0) return;
    for (const posted of new Set(known.values())) {
      if (!posted.mine || now - posted.last < this.repostMs) continue;
      posted.last = now;
      posted.count++;
      const patch = { count: posted.count, lastTimestamp: new Date(now).toISOString() };
      const recreate = this.eventBody(ref, problems, posted);
      this.enqueue({ event: () => this.bumpEvent(ref, posted, patch, recreate) });
    }
  }

  private conditionFor({ ref, problems }: ObjectProblems): void {
    const key = `${ref.kind}/${ref.name}`;
    const current = ref.conditions?.find((c) => c.type === CONDITION_TYPE);
    const gen = ref.generation !== undefined ? { observedGeneration: ref.generation } : {};
    let want: StatusCondition;
    if (problems.length > 0) {
      want = { type: CONDITION_TYPE, status: 'False', reason: INVALID_REASON, message: cap(problems.join('; ')), ...gen };
    } else {
      // Valid objects that never had the condition are left alone: writing True on every object at start-up
      // would be one write per object per node for nothing. (A False still queued is now moot.)
      if (!current) {
        this.pendingStatus.delete(key);
        return;
      }
      want = { type: CONDITION_TYPE, status: 'True', reason: 'Valid', message: 'the spec is valid', ...gen };
    }
    const ownBefore = this.ownVerdict.get(key);
    this.ownVerdict.set(key, want.message ?? '');
    if (current && (sameCondition(current, want) || !mayReplace(current, want, ownBefore))) {
      this.sentStatus.delete(key);
      this.pendingStatus.delete(key);
      return;
    }
    const sig = `${ref.resourceVersion ?? ''} ${JSON.stringify(want)}`;
    // already sent for this revision of the object: wait for the informer to show the result
    if (this.sentStatus.get(key) === sig || this.pendingStatus.get(key)?.sig === sig) return;
    const lastTransitionTime = current && current.status === want.status && current.lastTransitionTime ? current.lastTransitionTime : rfc3339(this.now());
    const others = (ref.conditions ?? []).filter((c) => c.type !== CONDITION_TYPE);
    const body: Record<string, unknown> = {
      ...(ref.resourceVersion !== undefined ? { metadata: { resourceVersion: ref.resourceVersion } } : {}),
      status: { conditions: [...others, { ...want, lastTransitionTime }] },
    };
    const queued = this.pendingStatus.has(key);
    this.pendingStatus.set(key, { ref, body, sig });
    if (!queued && !this.enqueue({ statusKey: key })) this.pendingStatus.delete(key);
  }

  private eventBody(ref: ObjectRef, problems: readonly string[], posted: Posted): EventBody {
    return {
      metadata: { name: posted.eventName, namespace: EVENT_NAMESPACE },
      involvedObject: {
        kind: ref.kind,
        apiVersion: ref.apiVersion,
        name: ref.name,
        // as kubelet does for Node events: uid = the node's name (`kubectl describe node` finds both forms)
        ...(ref.kind === 'Node' ? { uid: ref.name } : ref.uid !== undefined ? { uid: ref.uid } : {}),
        ...(ref.resourceVersion !== undefined ? { resourceVersion: ref.resourceVersion } : {}),
      },
      reason: INVALID_REASON,
      message: cap(`${ref.kind} ${ref.name}: ${problems.join('; ')}`),
      type: 'Warning',
      source: { component: COMPONENT, host: this.host },
      reportingComponent: COMPONENT,
      reportingInstance: this.host,
      firstTimestamp: posted.first,
      lastTimestamp: new Date(posted.last).toISOString(),
      count: posted.count,
    };
  }

  // ---- the queue ----

  private enqueue(task: { statusKey: string } | { event: () => Promise<void> }): boolean {
    if (this.queue.length >= this.maxQueue) {
      if (this.dropped++ === 0) this.log.warn({ maxQueue: this.maxQueue }, 'kubernetes problem reports are not keeping up: dropping some Events/conditions');
      return false;
    }
    this.queue.push(task);
    return true;
  }

  private kick(): void {
    if (this.running || this.queue.length === 0) return;
    this.running = this.drain().finally(() => {
      this.running = undefined;
      // a report that arrived during the last await
      if (this.queue.length > 0 && !this.closed) this.kick();
    });
  }

  private async drain(): Promise<void> {
    for (let task = this.queue.shift(); task; task = this.queue.shift()) {
      try {
        if ('event' in task) await task.event();
        else {
          const p = this.pendingStatus.get(task.statusKey);
          this.pendingStatus.delete(task.statusKey);
          if (p) await this.writeStatus(task.statusKey, p);
        }
      } catch (err) {
        // the writers handle API errors; this is a bug guard so the queue never stops
        this.apiError('report', 'queue', err);
      }
    }
  }

  // ---- the writes ----

  private async writeStatus(key: string, p: PendingStatus): Promise<void> {
    const plural = PLURALS[p.ref.kind]!;
    if (this.denied(`status:${plural}`)) return;
    this.sentStatus.set(key, p.sig);
    try {
      await this.api.patchStatus(plural, p.ref.name, p.body);
    } catch (err) {
      const code = codeOf(err);
      // 409: another node (or the admin) changed the object first; the informer brings the new revision
      // and the next recomputation decides again. 404: the object is gone (or its CRD has no status
      // subresource): not again for this revision either. Anything else: retried on the next recomputation.
      if (code !== 409 && code !== 404) this.sentStatus.delete(key);
      if (code === 403) this.deny(`status:${plural}`);
      this.apiError(`patch ${plural}/status`, p.ref.kind, err);
    }
  }

  private async createEvent(ref: ObjectRef, body: EventBody, posted: Posted): Promise<void> {
    if (this.denied('events')) return;
    try {
      await this.api.createEvent(EVENT_NAMESPACE, body);
      posted.mine = true;
    } catch (err) {
      const code = codeOf(err);
      // 409 AlreadyExists: another node posted this very Event (same object, same problems) first
      if (code === 409) return;
      if (code === 403) this.deny('events');
      this.apiError('create event', ref.kind, err);
    }
  }

  private async bumpEvent(ref: ObjectRef, posted: Posted, patch: Record<string, unknown>, recreate: EventBody): Promise<void> {
    if (this.denied('events')) return;
    try {
      await this.api.patchEvent(EVENT_NAMESPACE, posted.eventName, patch);
    } catch (err) {
      // Events expire (1 h by default): post it again
      if (codeOf(err) === 404) return this.createEvent(ref, recreate, posted);
      if (codeOf(err) === 403) this.deny('events');
      this.apiError('patch event', ref.kind, err);
    }
  }

  private denied(what: string): boolean {
    return (this.deniedUntil.get(what) ?? 0) > this.now();
  }

  private deny(what: string): void {
    this.deniedUntil.set(what, this.now() + this.deniedMs);
  }

  /** Once per operation, kind and status code: a cluster without the RBAC would otherwise log on every event. */
  private apiError(op: string, kind: string, err: unknown): void {
    const code = codeOf(err);
    const key = `${op} ${kind} ${code ?? 'x'}`;
    if (this.loggedErrors.has(key)) return;
    this.loggedErrors.add(key);
    const msg = code === 403
      ? `cannot ${op} for ${kind} (403 Forbidden): grant it in deploy/rbac.yaml; problems are still logged`
      : code === 409 || code === 404
        ? `${op} for ${kind}: HTTP ${code} (object changed or deleted meanwhile); will re-evaluate on the next change`
        : `${op} for ${kind} failed`;
    const fields = { err: messageOf(err), ...(code !== undefined ? { code } : {}) };
    if (code === 409 || code === 404) this.log.debug(fields, msg);
    else this.log.warn(fields, msg);
  }
}

// ---- helpers ----

function clientApi(kc: KubeConfig): ReportApi {
  const core = kc.makeApiClient(CoreV1Api);
  const co = kc.makeApiClient(CustomObjectsApi);
  const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
  return {
    patchStatus: (plural, name, body) => co.patchClusterCustomObjectStatus({ group: GROUP, version: VERSION, plural, name, body }, merge),
    // client-node's serializer wants Date objects for the timestamps
    createEvent: (namespace, body) =>
      core.createNamespacedEvent({
        namespace,
        body: { ...body, firstTimestamp: new Date(body.firstTimestamp), lastTimestamp: new Date(body.lastTimestamp) },
      }),
    patchEvent: (namespace, name, body) => core.patchNamespacedEvent({ namespace, name, body }, merge),
  };
}

function objectKey(ref: ObjectRef): string {
  // with the uid: a deleted and re-created object with the same problem is a new object to tell about
  return `${ref.kind}/${ref.name}/${ref.uid ?? ''}`;
}

/**
 * Whether this node may overwrite a Valid condition another writer (maybe another node) left. Nodes can
 * disagree (a problem only one node sees); without this rule two of them would rewrite each other's
 * verdict on every status change, forever. A new problem always shows (→ False); otherwise a node replaces
 * only a verdict it reached itself (its problems changed or went away) or one about an older generation.
 * With that, disagreeing nodes settle after at most two writes.
 */
function mayReplace(current: StatusCondition, want: StatusCondition, ownBefore: string | undefined): boolean {
  if (want.status === 'False' && current.status !== 'False') return true;
  if (want.observedGeneration !== undefined && (current.observedGeneration === undefined || current.observedGeneration < want.observedGeneration)) return true;
  return current.message === ownBefore;
}

function sameCondition(a: StatusCondition, b: StatusCondition): boolean {
  return a.status === b.status && a.reason === b.reason && a.message === b.message && (b.observedGeneration === undefined || a.observedGeneration === b.observedGeneration);
}

/**
 * `<object>.<hash of object uid and problems>` (kubelet uses `<object>.<unix nanos>`): every node that
 * sees the same problems names the same Event, so the first create wins and the others get 409 — one
 * Event per problem set in the cluster, not one per node.
 */
function eventName(ref: ObjectRef, problems: readonly string[]): string {
  const h = createHash('sha256').update(`${ref.kind}/${ref.name}/${ref.uid ?? ''}\n${problems.join('\n')}`).digest('hex').slice(0, 16);
  // an object name may use all 253 characters an Event name may have
  return `${ref.name.slice(0, 253 - 17)}.${h}`;
}

function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
}

function cap(s: string): string {
  return s.length <= MAX_MESSAGE ? s : `${s.slice(0, MAX_MESSAGE - 1)}…`;
}

function codeOf(err: unknown): number | undefined {
  const e = err as { code?: unknown; statusCode?: unknown } | undefined;
  const c = e?.code ?? e?.statusCode;
  return typeof c === 'number' ? c : undefined;
}

function messageOf(err: unknown): string {
  const body = (err as { body?: unknown } | undefined)?.body;
  if (typeof body === 'string') {
    try {
      const m = (JSON.parse(body) as { message?: unknown }).message;
      if (typeof m === 'string') return m;
    } catch {
      /* not JSON */
    }
  }
  return err instanceof Error ? err.message : String(err);
}
