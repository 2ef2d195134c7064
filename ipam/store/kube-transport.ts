// The HTTP a Kubernetes store does, behind one small interface, so the store's logic (CAS, two-step delete,
// watch resume) is written once and runs over either transport:
//   kube-rest.ts        lean: node:http/https + a kubeconfig read by hand (token, client cert, CA, in-cluster)
//   kube-client-node.ts @kubernetes/client-node's auth (exec/auth-provider plugins, YAML, proxies) and Watch
// The lean one exists because loading client-node costs a CNI ADD ~400 ms of CPU (issue #5).

export interface KubeRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path and query, e.g. `/apis/tortie.dev/v1/ippools?limit=1`. */
  readonly path: string;
  /** Sent as JSON. */
  readonly body?: unknown;
  /** Default application/json; a merge patch says application/merge-patch+json. */
  readonly contentType?: string;
}

export interface KubeResponse {
  readonly status: number;
  /** The body parsed as JSON, or its text when it is not JSON (empty string for no body). */
  readonly body: unknown;
}

/** Called per watch event (`ADDED`, `MODIFIED`, `DELETED`, `ERROR`) with the event's object. */
export type WatchEventHandler = (type: string, obj: unknown) => void;
/**
 * Called once when the stream ends: `undefined` for a clean end, else the error; an HTTP refusal carries
 * its status as `statusCode` (410 = the revision asked for is compacted away).
 */
export type WatchDoneHandler = (err: unknown) => void;

export interface KubeWatchSource {
  /** Starts `GET path?watch=true&<query>`; resolves with what aborts it. */
  watch(path: string, query: Readonly<Record<string, string>>, onEvent: WatchEventHandler, onDone: WatchDoneHandler): Promise<AbortController>;
}

export interface KubeTransport {
  /** `lean` or `client-node`: for tests, benchmarks and log lines. */
  readonly name: string;
  /** Resolves for every HTTP status (the store decides what a 404/409 means); rejects on network errors. */
  request(req: KubeRequest): Promise<KubeResponse>;
  /** Absent on the lean transport: a store that must watch gets a source from elsewhere (kube-store.ts). */
  readonly watcher?: KubeWatchSource;
  /** Drops idle keep-alive connections. */
  close(): void;
}
