// An in-process stand-in for kube-apiserver (none can be installed here): node:http on 127.0.0.1, a
// random port, plain JSON. It implements the parts of the API semantics our code relies on, so tests can
// fail for the same reasons a real cluster would make them fail:
// Core types served: nodes, and namespaced secrets, events, pods and serviceaccounts (CORE_TYPES).
//   - one global, monotonically increasing resourceVersion (etcd's revision) shared by every resource;
//   - create → 409 AlreadyExists; PUT needs metadata.resourceVersion and 409s on a stale one (CAS);
//     merge-patch (a resourceVersion inside the patch is a precondition, as in the real server);
//   - delete with DeleteOptions.preconditions {uid, resourceVersion} → 409 on mismatch;
//   - list with labelSelector / fieldSelector (metadata.name, metadata.namespace) / limit+continue;
//   - watch (`?watch=true&resourceVersion=N`): chunked JSON lines ADDED/MODIFIED/DELETED for every change
//     after N, replayed from a bounded history; N older than the history → 410 Gone (as an HTTP status,
//     or as an ERROR event like newer servers do — `expiredAs`); no resourceVersion → synthetic ADDED
//     for what exists, then live events. Label-selected watches see ADDED/DELETED when an object starts
//     or stops matching, like the real watch cache.
//   - the status subresource for types registered with `status: true` (CRDs with `subresources: {status: {}}`):
//     create, PUT and PATCH of the object itself ignore `status`; GET/PUT/PATCH of `<name>/status` change only
//     `status` (a resourceVersion in the body is still a precondition); generation counts spec changes only;
//   - core/v1 Events are plain namespaced objects (create, merge-patch, list), as the real server stores them;
//   - TokenRequest (`POST …/serviceaccounts/<name>/token`): an opaque token for an existing ServiceAccount,
//     expirationSeconds defaulted to 3600, < 600 refused (422), capped by `maxTokenSeconds` like
//     --service-account-max-token-expiration; the token authenticates as that ServiceAccount until it expires;
//   - optional authn/authz (`setAuthorizer`): then every request needs a known, unexpired bearer token
//     (else 401) and the authorizer's yes for its verb/resource/name (else 403, worded like the real one).
// Not implemented (say so where it matters): finalizers/graceful deletion, /scale, strategic-merge/json/apply
// patches (415), admission, schema validation, bookmarks, token audiences and bound objects, consistent list snapshots across
// `continue`, events.k8s.io/v1 (our clients post core/v1 Events).
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseLabelSelector, type LabelPredicate } from './label-selector';
import { mergePatch, type Json } from './merge-patch';

export interface ResourceType {
  /** '' for the core group (served under /api/v1). */
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly kind: string;
  readonly namespaced: boolean;
}

export interface ObjectMeta {
  name: string;
  namespace?: string;
  generateName?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [k: string]: unknown;
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  [k: string]: unknown;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface FakeApiServerOptions {
  /** How many change events are kept for watch replay (older revisions get 410). Default 10000. */
  readonly historyLimit?: number;
  /** How a too-old watch revision is refused: HTTP 410 (default) or a 200 stream with one ERROR event. */
  readonly expiredAs?: 'http' | 'event';
  /** Listen address; default 127.0.0.1 (another netns's daemons need an address on a lab link). */
  readonly host?: string;
  /** Default 0 (ephemeral). */
  readonly port?: number;
  /** Longest TokenRequest lifetime granted (the real server's --service-account-max-token-expiration). */
  readonly maxTokenSeconds?: number;
}

export interface ServiceAccountRef {
  readonly namespace: string;
  readonly name: string;
}

/** What a resource request asks for, as RBAC sees it. */
export interface RequestAttributes {
  readonly verb: string;
  /** '' for the core group. */
  readonly group: string;
  readonly resource: string;
  readonly subresource?: string;
  readonly namespace?: string;
  readonly name?: string;
}

/** true = allowed. Discovery paths are allowed for every authenticated caller without asking. */
export type Authorizer = (who: ServiceAccountRef, attrs: RequestAttributes) => boolean;

export type HookAnswer = { status: number; body: unknown } | undefined;
/** Lets a test answer a request itself (fault injection) or hold it (return a promise); undefined = serve it. */
export type RequestHook = (req: { method: string; path: string; query: URLSearchParams }) => HookAnswer | Promise<HookAnswer>;

export interface PrinterColumn {
  readonly name: string;
  readonly type: string;
  readonly jsonPath: string;
  readonly priority?: number;
  readonly description?: string;
}

/** Returns the problems with an object (empty = valid). */
export type ObjectValidator = (obj: KubeObject) => string[];

export const CORE_TYPES: readonly ResourceType[] = [
  { group: '', version: 'v1', plural: 'nodes', kind: 'Node', namespaced: false },
  { group: '', version: 'v1', plural: 'secrets', kind: 'Secret', namespaced: true },
  { group: '', version: 'v1', plural: 'events', kind: 'Event', namespaced: true },
  // Pods: IPAM gc in kubernetes mode asks whether an allocation's pod still exists (no kubelet here:
  // a test writes spec.nodeName and status itself).
  { group: '', version: 'v1', plural: 'pods', kind: 'Pod', namespaced: true },
  // TokenRequest is a subresource of a ServiceAccount, which must exist.
  { group: '', version: 'v1', plural: 'serviceaccounts', kind: 'ServiceAccount', namespaced: true },
];

interface HistoryEntry {
  readonly rv: number;
  readonly rt: string;
  readonly type: WatchEventType;
  readonly obj: KubeObject;
  /** The object before the change (MODIFIED), so selector-filtered watches can tell enter/leave. */
  readonly prev?: KubeObject;
}

interface Watcher {
  readonly rt: string;
  readonly namespace?: string;
  readonly matches: (o: KubeObject) => boolean;
  readonly res: ServerResponse;
}

class HttpError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

const clone = <T>(v: T): T => structuredClone(v);
const rtKey = (group: string, version: string, plural: string): string => `${group}/${version}/${plural}`;
const apiVersionOf = (t: ResourceType): string => (t.group === '' ? t.version : `${t.group}/${t.version}`);
const objKey = (ns: string | undefined, name: string): string => `${ns ?? ''}/${name}`;

export class FakeApiServer {
  private readonly types = new Map<string, ResourceType>();
  private readonly validators = new Map<string, ObjectValidator>();
  /** Types with the status subresource. */
  private readonly withStatus = new Set<string>();
  private readonly columns = new Map<string, readonly PrinterColumn[]>();
  private readonly store = new Map<string, Map<string, KubeObject>>();
  private readonly history: HistoryEntry[] = [];
  private readonly watchers = new Set<Watcher>();
  private readonly historyLimit: number;
  private readonly expiredAs: 'http' | 'event';
  // Start well above 0 so a bug that confuses "no revision" with a revision shows up.
  private rev = 1000;
  /** Revisions ≤ this are no longer in the history. */
  private compactedRev = 1000;
  private hook?: RequestHook;
  private authorizer?: Authorizer;
  private readonly tokens = new Map<string, { sa: ServiceAccountRef; expiresAt?: number }>();
  private readonly maxTokenSeconds?: number;
  /** Every request as `METHOD /path?query`, for tests that check what a client sent. */
  readonly requests: string[] = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
    opts: FakeApiServerOptions,
  ) {
    this.historyLimit = opts.historyLimit ?? 10_000;
    this.expiredAs = opts.expiredAs ?? 'http';
    this.maxTokenSeconds = opts.maxTokenSeconds;
    for (const t of CORE_TYPES) this.register(t);
  }

  static async start(opts: FakeApiServerOptions = {}): Promise<FakeApiServer> {
    let self: FakeApiServer | undefined;
    const server = createServer((req, res) => void self!.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    self = new FakeApiServer(server, `http://${opts.host ?? '127.0.0.1'}:${port}`, opts);
    return self;
  }

  /**
   * `validate` stands in for the CRD's schema (its problems make create/replace/patch fail with 422);
   * `columns` are the CRD's additionalPrinterColumns, served as a Table to kubectl; `status` = the CRD has
   * `subresources: {status: {}}`.
   */
  register(t: ResourceType, opts: { validate?: ObjectValidator; columns?: readonly PrinterColumn[]; status?: boolean } = {}): void {
    const k = rtKey(t.group, t.version, t.plural);
    this.types.set(k, t);
    if (opts.status) this.withStatus.add(k);
    else this.withStatus.delete(k);
    if (opts.validate) this.validators.set(k, opts.validate);
    if (opts.columns) this.columns.set(k, opts.columns);
    if (!this.store.has(k)) this.store.set(k, new Map());
  }

  /** Current global resourceVersion (the revision of the newest change). */
  get revision(): number {
    return this.rev;
  }

  /** Forgets the watch history, so any watch from an older revision gets 410. */
  compact(): void {
    this.history.length = 0;
    this.compactedRev = this.rev;
  }

  /** Ends every open watch stream (a client must reconnect, as after an apiserver restart). */
  dropWatches(): void {
    for (const w of this.watchers) w.res.end();
    this.watchers.clear();
  }

  setHook(hook: RequestHook | undefined): void {
    this.hook = hook;
  }

  /** From now on every request must authenticate with a bearer token and pass `a`; undefined = open again. */
  setAuthorizer(a: Authorizer | undefined): void {
    this.authorizer = a;
  }

  /** A token that authenticates as `sa` (a pod's projected token, say); `expiresAt` in ms since the epoch. */
  addToken(token: string, sa: ServiceAccountRef, expiresAt?: number): void {
    this.tokens.set(token, { sa, expiresAt });
  }

  /** Whom `token` authenticates as right now (undefined: unknown or expired). */
  tokenSubject(token: string, now = Date.now()): ServiceAccountRef | undefined {
    const t = this.tokens.get(token);
    return t && (t.expiresAt === undefined || now < t.expiresAt) ? t.sa : undefined;
  }

  /** The stored objects of a type (copies), sorted by namespace/name. */
  objects(t: Pick<ResourceType, 'group' | 'version' | 'plural'>): KubeObject[] {
    const m = this.store.get(rtKey(t.group, t.version, t.plural));
    if (!m) throw new Error(`unregistered resource ${t.group}/${t.version}/${t.plural}`);
    return [...m.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, o]) => clone(o));
  }

  get openWatches(): number {
    return this.watchers.size;
  }

  async close(): Promise<void> {
    for (const w of this.watchers) w.res.end();
    this.watchers.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- HTTP plumbing ----

  /** The request handler, for a second listener (e.g. one created inside a lab netns). */
  get handler(): (req: IncomingMessage, res: ServerResponse) => void {
    return (req, res) => void this.handle(req, res);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const method = req.method ?? 'GET';
    this.requests.push(`${method} ${url.pathname}${url.search}`);
    try {
      const body = await readBody(req);
      if (this.authorizer) this.authorize(this.authorizer, method, url, req.headers.authorization);
      const injected = await this.hook?.({ method, path: url.pathname, query: url.searchParams });
      if (injected) return send(res, injected.status, injected.body);
        this.route(method, url, body, req.headers['content-type'] ?? '', res, /as=Table/.test(req.headers.accept ?? ''));
    } catch (err) {
      if (err instanceof HttpError) return send(res, err.code, statusBody(err));
      send(res, 500, statusBody(new HttpError(500, 'InternalError', (err as Error).stack ?? String(err))));
    }
  }

  /** `asTable`: the client asked for a meta.k8s.io Table (kubectl get). */
  private route(method: string, url: URL, body: string, contentType: string, res: ServerResponse, asTable: boolean): void {
    const seg = url.pathname.split('/').filter((s) => s !== '').map(decodeURIComponent);
    if (method === 'GET') {
      const d = this.discovery(seg);
      if (d) return send(res, 200, d);
    }
    let group: string;
    let version: string;
    let rest: string[];
    if (seg[0] === 'api' && seg.length >= 2) [group, version, rest] = ['', seg[1], seg.slice(2)];
    else if (seg[0] === 'apis' && seg.length >= 3) [group, version, rest] = [seg[1], seg[2], seg.slice(3)];
    else throw notFound();
    let namespace: string | undefined;
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
    if (rest.length < 1 || rest.length > 3) throw notFound();
    const t = this.types.get(rtKey(group, version, rest[0]));
    if (!t || (namespace !== undefined && !t.namespaced)) throw notFound();
    const name = rest[1];
    if (rest.length === 3 && t.plural === 'serviceaccounts' && rest[2] === 'token' && namespace !== undefined) {
      if (method !== 'POST') throw new HttpError(405, 'MethodNotAllowed', `${method} is not supported on serviceaccounts/token`);
      return send(res, 201, this.tokenRequest(t, namespace, name, parseJson(body)));
    }
    if (rest.length === 3) {
      if (rest[2] !== 'status' || !this.hasStatus(t)) throw notFound();
      if (t.namespaced && namespace === undefined) throw notFound();
      return this.statusRoute(t, namespace, name, method, body, contentType, res);
    }
    const q = url.searchParams;
    if (name === undefined) {
      if (method === 'GET') {
        if (q.get('watch') === 'true' || q.get('watch') === '1') return this.watch(t, namespace, q, res);
        const list = this.list(t, namespace, q);
        return send(res, 200, asTable ? this.table(t, list.items as KubeObject[], list.metadata) : list);
      }
      if (method === 'POST') {
        if (t.namespaced && namespace === undefined) throw notFound();
        return send(res, 201, this.create(t, namespace, parseJson(body)));
      }
      throw new HttpError(405, 'MethodNotAllowed', `${method} is not supported on a collection here`);
    }
    if (t.namespaced && namespace === undefined) throw notFound();
    if (method === 'GET') {
      const obj = clone(this.mustGet(t, namespace, name));
      return send(res, 200, asTable ? this.table(t, [obj], { resourceVersion: String(this.rev) } as unknown as ObjectMeta) : obj);
    }
    if (method === 'PUT') return send(res, 200, this.replace(t, namespace, name, parseJson(body)));
    if (method === 'PATCH') {
      const type = contentType.split(';')[0].trim();
      if (type !== 'application/merge-patch+json')
        throw new HttpError(415, 'UnsupportedMediaType', `the fake apiserver only does application/merge-patch+json, not ${JSON.stringify(type)}`);
      return send(res, 200, this.patch(t, namespace, name, parseJson(body)));
    }
    if (method === 'DELETE') return send(res, 200, this.remove(t, namespace, name, body === '' ? {} : parseJson(body)));
    throw new HttpError(405, 'MethodNotAllowed', `${method} is not supported here`);
  }

  /** `<name>/status`: reads the whole object; writes change `status` only. */
  private statusRoute(t: ResourceType, ns: string | undefined, name: string, method: string, body: string, contentType: string, res: ServerResponse): void {
    const cur = this.mustGet(t, ns, name);
    if (method === 'GET') return send(res, 200, clone(cur));
    let incoming: KubeObject;
    if (method === 'PUT') {
      incoming = this.checkShape(t, parseJson(body));
      if (incoming.metadata.name !== name) throw new HttpError(400, 'BadRequest', `the name of the object (${incoming.metadata.name}) does not match the name on the URL (${name})`);
      if (!incoming.metadata.resourceVersion) throw invalid(t, name, 'metadata.resourceVersion: Invalid value: 0x0: must be specified for an update');
      if (incoming.metadata.resourceVersion !== cur.metadata.resourceVersion) throw conflict(t, name);
    } else if (method === 'PATCH') {
      const type = contentType.split(';')[0].trim();
      if (type !== 'application/merge-patch+json')
        throw new HttpError(415, 'UnsupportedMediaType', `the fake apiserver only does application/merge-patch+json, not ${JSON.stringify(type)}`);
      const patch = parseJson(body);
      const wanted = (patch.metadata as ObjectMeta | undefined)?.resourceVersion;
      if (wanted !== undefined && wanted !== cur.metadata.resourceVersion) throw conflict(t, name);
      incoming = mergePatch(cur as unknown as Json, patch as Json) as unknown as KubeObject;
    } else throw new HttpError(405, 'MethodNotAllowed', `${method} is not supported on a status subresource`);
    // everything but status comes from the stored object, as the real status strategy does
    const next = clone(cur);
    if (incoming.status === undefined) delete next.status;
    else next.status = clone(incoming.status);
    return send(res, 200, this.commitUpdate(t, ns, cur, next));
  }

  private hasStatus(t: ResourceType): boolean {
    return this.withStatus.has(rtKey(t.group, t.version, t.plural));
  }

  // ---- discovery and tables (what kubectl needs) ----

  private discovery(seg: string[]): Record<string, unknown> | undefined {
    const types = [...this.types.values()];
    const resourceList = (group: string, version: string): Record<string, unknown> => ({
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: group === '' ? version : `${group}/${version}`,
      resources: types
        .filter((t) => t.group === group && t.version === version)
        .flatMap((t) => [
          { name: t.plural, singularName: t.kind.toLowerCase(), namespaced: t.namespaced, kind: t.kind, verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'] },
          ...(this.hasStatus(t) ? [{ name: `${t.plural}/status`, singularName: '', namespaced: t.namespaced, kind: t.kind, verbs: ['get', 'patch', 'update'] }] : []),
        ]),
    });
    if (seg.length === 1 && seg[0] === 'api') return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] };
    if (seg.length === 2 && seg[0] === 'api') return resourceList('', seg[1]);
    if (seg.length === 1 && seg[0] === 'apis') {
      const groups = [...new Set(types.filter((t) => t.group !== '').map((t) => `${t.group}/${t.version}`))].map((gv) => {
        const [name, version] = gv.split('/');
        return { name, versions: [{ groupVersion: gv, version }], preferredVersion: { groupVersion: gv, version } };
      });
      return { kind: 'APIGroupList', apiVersion: 'v1', groups };
    }
    if (seg.length === 3 && seg[0] === 'apis' && types.some((t) => t.group === seg[1] && t.version === seg[2])) return resourceList(seg[1], seg[2]);
    return undefined;
  }

  /** meta.k8s.io/v1 Table as the apiserver renders CRDs: Name, then the printer columns. */
  private table(t: ResourceType, items: KubeObject[], listMeta: ObjectMeta): Record<string, unknown> {
    const cols = this.columns.get(rtKey(t.group, t.version, t.plural)) ?? [{ name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' }];
    return {
      kind: 'Table',
      apiVersion: 'meta.k8s.io/v1',
      metadata: { resourceVersion: listMeta.resourceVersion },
      columnDefinitions: [
        { name: 'Name', type: 'string', format: 'name', description: 'Name', priority: 0 },
        ...cols.map((c) => ({ name: c.name, type: c.type, format: '', description: c.description ?? '', priority: c.priority ?? 0 })),
      ],
      rows: items.map((o) => ({
        cells: [o.metadata.name, ...cols.map((c) => cell(c, o))],
        object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata },
      })),
    };
  }

  // ---- authentication, authorization, TokenRequest ----

  private authorize(a: Authorizer, method: string, url: URL, header: string | undefined): void {
    const m = /^Bearer (.+)$/.exec(header ?? '');
    const who = m ? this.tokenSubject(m[1]) : undefined;
    if (!who) throw new HttpError(401, 'Unauthorized', 'Unauthorized');
    const attrs = attributesOf(method, url);
    if (!attrs || a(who, attrs)) return;
    const res = attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : attrs.resource;
    const where = attrs.namespace === undefined ? 'at the cluster scope' : `in the namespace "${attrs.namespace}"`;
    throw new HttpError(
      403,
      'Forbidden',
      `${attrs.resource}${attrs.name ? ` "${attrs.name}"` : ''} is forbidden: User "system:serviceaccount:${who.namespace}:${who.name}" cannot ${attrs.verb} resource "${res}" in API group "${attrs.group}" ${where}`,
      { name: attrs.name, group: attrs.group, kind: attrs.resource },
    );
  }

  private tokenRequest(t: ResourceType, ns: string, name: string, body: Record<string, unknown>): Record<string, unknown> {
    this.mustGet(t, ns, name);
    const spec = (body.spec ?? {}) as { expirationSeconds?: number; audiences?: string[] };
    const asked = spec.expirationSeconds ?? 3600;
    if (!Number.isInteger(asked) || asked < 600)
      throw new HttpError(422, 'Invalid', `TokenRequest.authentication.k8s.io "${name}" is invalid: spec.expirationSeconds: Invalid value: ${asked}: may not specify a duration less than 10 minutes`);
    const seconds = Math.min(asked, this.maxTokenSeconds ?? asked);
    const token = `fake-sa-token.${ns}.${name}.${randomUUID()}`;
    const now = Date.now();
    const expiresAt = now + seconds * 1000;
    this.tokens.set(token, { sa: { namespace: ns, name }, expiresAt });
    return {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      metadata: { name, namespace: ns, creationTimestamp: new Date(now).toISOString().replace(/\.\d+Z$/, 'Z') },
      spec: { audiences: spec.audiences ?? ['https://kubernetes.default.svc'], expirationSeconds: seconds, boundObjectRef: null },
      // RFC 3339 with seconds, as the real server writes it (sub-second lifetimes are rounded down).
      status: { token, expirationTimestamp: new Date(expiresAt).toISOString().replace(/\.\d+Z$/, 'Z') },
    };
  }

  // ---- resource semantics ----

  private coll(t: ResourceType): Map<string, KubeObject> {
    return this.store.get(rtKey(t.group, t.version, t.plural))!;
  }

  private mustGet(t: ResourceType, ns: string | undefined, name: string): KubeObject {
    const o = this.coll(t).get(objKey(ns, name));
    if (!o) throw notFoundObj(t, name);
    return o;
  }

  private list(t: ResourceType, ns: string | undefined, q: URLSearchParams): KubeObject {
    const matches = selectorOf(q);
    let items = [...this.coll(t).entries()]
      .filter(([, o]) => (ns === undefined || o.metadata.namespace === ns) && matches(o))
      .sort(([a], [b]) => (a < b ? -1 : 1));
    const cont = q.get('continue');
    if (cont) items = items.filter(([k]) => k > Buffer.from(cont, 'base64url').toString());
    const limit = Number(q.get('limit') ?? 0);
    const meta: Record<string, string> = { resourceVersion: String(this.rev) };
    if (limit > 0 && items.length > limit) {
      items = items.slice(0, limit);
      meta.continue = Buffer.from(items[items.length - 1][0]).toString('base64url');
    }
    return { apiVersion: apiVersionOf(t), kind: `${t.kind}List`, metadata: meta as unknown as ObjectMeta, items: items.map(([, o]) => clone(o)) };
  }

  private create(t: ResourceType, ns: string | undefined, body: Record<string, unknown>): KubeObject {
    const obj = this.checkShape(t, body);
    const meta = obj.metadata;
    if (ns !== undefined && meta.namespace !== undefined && meta.namespace !== ns)
      throw new HttpError(400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request');
    if (!meta.name && meta.generateName) meta.name = meta.generateName + randomUUID().slice(0, 5);
    if (!meta.name) throw invalid(t, '', 'metadata.name: Required value: name or generateName is required');
    const key = objKey(ns, meta.name);
    const c = this.coll(t);
    if (c.has(key)) throw new HttpError(409, 'AlreadyExists', `${resourceName(t)} "${meta.name}" already exists`, detailsOf(t, meta.name));
    if (ns !== undefined) meta.namespace = ns;
    else delete meta.namespace;
    if (this.hasStatus(t)) delete obj.status;
    this.validate(t, obj);
    meta.uid = randomUUID();
    meta.creationTimestamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    meta.generation = 1;
    meta.resourceVersion = String(++this.rev);
    c.set(key, obj);
    this.record(t, 'ADDED', obj);
    return clone(obj);
  }

  private replace(t: ResourceType, ns: string | undefined, name: string, body: Record<string, unknown>): KubeObject {
    const obj = this.checkShape(t, body);
    if (obj.metadata.name !== name) throw new HttpError(400, 'BadRequest', `the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`);
    const cur = this.mustGet(t, ns, name);
    if (!obj.metadata.resourceVersion) throw invalid(t, name, 'metadata.resourceVersion: Invalid value: 0x0: must be specified for an update');
    if (obj.metadata.resourceVersion !== cur.metadata.resourceVersion) throw conflict(t, name);
    return this.commitUpdate(t, ns, cur, this.keepStatus(t, cur, obj));
  }

  /** With a status subresource, writes of the object itself cannot change its status. */
  private keepStatus(t: ResourceType, cur: KubeObject, obj: KubeObject): KubeObject {
    if (!this.hasStatus(t)) return obj;
    if (cur.status === undefined) delete obj.status;
    else obj.status = clone(cur.status);
    return obj;
  }

  private patch(t: ResourceType, ns: string | undefined, name: string, body: Record<string, unknown>): KubeObject {
    const cur = this.mustGet(t, ns, name);
    const wanted = (body.metadata as ObjectMeta | undefined)?.resourceVersion;
    if (wanted !== undefined && wanted !== cur.metadata.resourceVersion) throw conflict(t, name);
    const next = mergePatch(cur as unknown as Json, body as Json) as unknown as KubeObject;
    const obj = this.checkShape(t, next as unknown as Record<string, unknown>);
    obj.metadata.name = name;
    return this.commitUpdate(t, ns, cur, this.keepStatus(t, cur, obj));
  }

  private commitUpdate(t: ResourceType, ns: string | undefined, cur: KubeObject, obj: KubeObject): KubeObject {
    const m = obj.metadata;
    m.uid = cur.metadata.uid;
    m.creationTimestamp = cur.metadata.creationTimestamp;
    if (ns !== undefined) m.namespace = ns;
    else delete m.namespace;
    this.validate(t, obj);
    const specChanged = JSON.stringify(obj.spec) !== JSON.stringify(cur.spec);
    m.generation = (cur.metadata.generation ?? 1) + (specChanged ? 1 : 0);
    m.resourceVersion = String(++this.rev);
    this.coll(t).set(objKey(ns, m.name), obj);
    this.record(t, 'MODIFIED', obj, cur);
    return clone(obj);
  }

  private remove(t: ResourceType, ns: string | undefined, name: string, opts: Record<string, unknown>): KubeObject {
    const cur = this.mustGet(t, ns, name);
    const pre = (opts.preconditions ?? {}) as { uid?: string; resourceVersion?: string };
    if (pre.uid !== undefined && pre.uid !== cur.metadata.uid)
      throw new HttpError(409, 'Conflict', `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${cur.metadata.uid}`, detailsOf(t, name));
    if (pre.resourceVersion !== undefined && pre.resourceVersion !== cur.metadata.resourceVersion)
      throw new HttpError(
        409,
        'Conflict',
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${cur.metadata.resourceVersion}`,
        detailsOf(t, name),
      );
    this.coll(t).delete(objKey(ns, name));
    // Like the etcd3 storage layer: the deleted object carries the revision of the delete itself.
    const gone = clone(cur);
    gone.metadata.resourceVersion = String(++this.rev);
    this.record(t, 'DELETED', gone);
    return clone(gone);
  }

  private validate(t: ResourceType, obj: KubeObject): void {
    const problems = this.validators.get(rtKey(t.group, t.version, t.plural))?.(obj) ?? [];
    if (problems.length) throw invalid(t, obj.metadata.name, problems.join(', '));
  }

  private checkShape(t: ResourceType, body: Record<string, unknown>): KubeObject {
    const obj = clone(body) as KubeObject;
    if (typeof obj.metadata !== 'object' || obj.metadata === null) obj.metadata = { name: '' };
    if (obj.kind !== undefined && obj.kind !== t.kind) throw new HttpError(400, 'BadRequest', `kind ${obj.kind} does not match ${t.kind}`);
    if (obj.apiVersion !== undefined && obj.apiVersion !== apiVersionOf(t))
      throw new HttpError(400, 'BadRequest', `apiVersion ${obj.apiVersion} does not match ${apiVersionOf(t)}`);
    obj.apiVersion = apiVersionOf(t);
    obj.kind = t.kind;
    return obj;
  }

  // ---- watch ----

  private record(t: ResourceType, type: WatchEventType, obj: KubeObject, prev?: KubeObject): void {
    const e: HistoryEntry = { rv: this.rev, rt: rtKey(t.group, t.version, t.plural), type, obj: clone(obj), prev: prev && clone(prev) };
    this.history.push(e);
    if (this.history.length > this.historyLimit) this.compactedRev = this.history.shift()!.rv;
    for (const w of this.watchers) this.deliver(w, e);
  }

  private deliver(w: Watcher, e: HistoryEntry): void {
    if (e.rt !== w.rt) return;
    if (w.namespace !== undefined && e.obj.metadata.namespace !== w.namespace) return;
    let type: WatchEventType = e.type;
    const now = w.matches(e.obj);
    if (e.type === 'MODIFIED') {
      const before = e.prev !== undefined && w.matches(e.prev);
      if (!now && !before) return;
      if (now && !before) type = 'ADDED';
      if (!now && before) type = 'DELETED';
    } else if (!now) return;
    w.res.write(JSON.stringify({ type, object: e.obj }) + '\n');
  }

  private watch(t: ResourceType, ns: string | undefined, q: URLSearchParams, res: ServerResponse): void {
    const rvParam = q.get('resourceVersion') ?? '';
    const from = rvParam === '' || rvParam === '0' ? undefined : Number(rvParam);
    if (from !== undefined && !Number.isInteger(from)) throw invalid(t, '', `resourceVersion: Invalid value: ${JSON.stringify(rvParam)}`);
    const expired = from !== undefined && from < this.compactedRev;
    if (expired && this.expiredAs === 'http') throw gone(from, this.compactedRev);
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    res.flushHeaders();
    if (expired) {
      res.end(JSON.stringify({ type: 'ERROR', object: statusBody(gone(from, this.compactedRev)) }) + '\n');
      return;
    }
    const w: Watcher = { rt: rtKey(t.group, t.version, t.plural), namespace: ns, matches: selectorOf(q), res };
    if (from === undefined) {
      for (const o of this.list(t, ns, q).items as KubeObject[]) res.write(JSON.stringify({ type: 'ADDED', object: o }) + '\n');
    } else {
      for (const e of this.history) if (e.rv > from) this.deliver(w, e);
    }
    this.watchers.add(w);
    res.on('close', () => this.watchers.delete(w));
    const timeout = Number(q.get('timeoutSeconds') ?? 0);
    if (timeout > 0) {
      const timer = setTimeout(() => res.end(), timeout * 1000);
      res.on('close', () => clearTimeout(timer));
    }
  }
}

// ---- helpers ----

/** RBAC's view of a resource request; undefined for discovery and other non-resource paths. */
export function attributesOf(method: string, url: URL): RequestAttributes | undefined {
  const seg = url.pathname.split('/').filter((s) => s !== '').map(decodeURIComponent);
  let group: string;
  let rest: string[];
  if (seg[0] === 'api' && seg.length >= 3) [group, rest] = ['', seg.slice(2)];
  else if (seg[0] === 'apis' && seg.length >= 4) [group, rest] = [seg[1], seg.slice(3)];
  else return undefined;
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [resource, name, subresource] = rest;
  const watching = url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1';
  const verb =
    method === 'GET' ? (name === undefined ? (watching ? 'watch' : 'list') : 'get')
    : method === 'POST' ? 'create'
    : method === 'PUT' ? 'update'
    : method === 'PATCH' ? 'patch'
    : method === 'DELETE' ? (name === undefined ? 'deletecollection' : 'delete')
    : method.toLowerCase();
  return { verb, group, resource, subresource, namespace, name };
}

/** A printer column's value: simple `.a.b` JSONPath (`\.` escapes a dot in a key); dates as an age. */
function cell(c: PrinterColumn, o: KubeObject): unknown {
  let v: unknown = o;
  for (const part of c.jsonPath.replace(/^\./, '').split(/(?<!\\)\./)) {
    if (typeof v !== 'object' || v === null) return null;
    v = (v as Record<string, unknown>)[part.replace(/\\\./g, '.')];
  }
  if (v === undefined) return null;
  if (c.type === 'date' && typeof v === 'string') {
    const s = Math.max(0, Math.round((Date.now() - Date.parse(v)) / 1000));
    return s < 120 ? `${s}s` : s < 7200 ? `${Math.round(s / 60)}m` : `${Math.round(s / 3600)}h`;
  }
  return v;
}

function selectorOf(q: URLSearchParams): (o: KubeObject) => boolean {
  let labels: LabelPredicate;
  try {
    labels = parseLabelSelector(q.get('labelSelector') ?? '');
  } catch (err) {
    throw new HttpError(400, 'BadRequest', (err as Error).message);
  }
  const fields: Array<(o: KubeObject) => boolean> = [];
  for (const term of (q.get('fieldSelector') ?? '').split(',').filter((s) => s !== '')) {
    const m = /^(metadata\.name|metadata\.namespace)(==|=|!=)(.*)$/.exec(term);
    if (!m) throw new HttpError(400, 'BadRequest', `field label not supported by the fake apiserver: ${term}`);
    const field = m[1] === 'metadata.name' ? 'name' : 'namespace';
    const eq = m[2] !== '!=';
    fields.push((o) => (o.metadata[field] === m[3]) === eq);
  }
  return (o) => labels(o.metadata.labels ?? {}) && fields.every((f) => f(o));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString();
}

function parseJson(body: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(body);
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    /* fall through */
  }
  throw new HttpError(400, 'BadRequest', 'the request body is not a JSON object');
}

function send(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function statusBody(e: HttpError): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: e.message, reason: e.reason, details: e.details, code: e.code };
}

const resourceName = (t: ResourceType): string => (t.group === '' ? t.plural : `${t.plural}.${t.group}`);
const detailsOf = (t: ResourceType, name: string): Record<string, unknown> => ({ name, group: t.group, kind: t.plural });
const notFound = (): HttpError => new HttpError(404, 'NotFound', 'the server could not find the requested resource');
const notFoundObj = (t: ResourceType, name: string): HttpError => new HttpError(404, 'NotFound', `${resourceName(t)} "${name}" not found`, detailsOf(t, name));
const invalid = (t: ResourceType, name: string, msg: string): HttpError => new HttpError(422, 'Invalid', `${t.kind} "${name}" is invalid: ${msg}`, detailsOf(t, name));
const conflict = (t: ResourceType, name: string): HttpError =>
  new HttpError(409, 'Conflict', `Operation cannot be fulfilled on ${resourceName(t)} "${name}": the object has been modified; please apply your changes to the latest version and try again`, detailsOf(t, name));
const gone = (from: number, oldest: number): HttpError => new HttpError(410, 'Expired', `too old resource version: ${from} (${oldest})`);
