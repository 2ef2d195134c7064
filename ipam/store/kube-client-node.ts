// The Kubernetes transport through @kubernetes/client-node (~400 ms to load): for what the lean one
// (kube-rest.ts) does not read — YAML kubeconfigs, exec/auth-provider plugins, proxies, merged files —
// and for watches (its Watch: long-lived streams, bgpd's case). Requests take client-node's connection
// settings (agent with TLS, auth headers, refreshed per request by its authenticators) and go out through
// kube-http.ts, like the lean transport's, so both answer in the same shape.
import * as http from 'node:http';
import * as https from 'node:https';
import { KubeConfig, Watch } from '@kubernetes/client-node';
import { sendJson } from './kube-http';
import type { KubeRequest, KubeResponse, KubeTransport, KubeWatchSource, WatchDoneHandler, WatchEventHandler } from './kube-transport';

export interface ClientNodeOptions {
  /** A kubeconfig file; absent = client-node's default ($KUBECONFIG, ~/.kube/config, in-cluster). */
  readonly kubeconfig?: string;
  /** An already-loaded config (tests). Wins over `kubeconfig`. */
  readonly kubeConfig?: KubeConfig;
}

export function loadKubeConfig(opts: ClientNodeOptions): KubeConfig {
  if (opts.kubeConfig) return opts.kubeConfig;
  const kc = new KubeConfig();
  if (opts.kubeconfig) kc.loadFromFile(opts.kubeconfig);
  else kc.loadFromDefault();
  return kc;
}

export class ClientNodeTransport implements KubeTransport, KubeWatchSource {
  readonly name = 'client-node';
  readonly kc: KubeConfig;
  readonly watcher: KubeWatchSource = this;

  constructor(opts: ClientNodeOptions = {}) {
    this.kc = loadKubeConfig(opts);
  }

  async request(req: KubeRequest): Promise<KubeResponse> {
    const cluster = this.kc.getCurrentCluster();
    if (!cluster) throw new Error('kubeconfig has no current cluster');
    const opts: https.RequestOptions = {};
    // Throws for a config it refuses (e.g. plain http without skipTLSVerify), as its API clients would.
    await this.kc.applyToHTTPSOptions(opts);
    const url = new URL(cluster.server.replace(/\/+$/, '') + req.path);
    const headers: http.OutgoingHttpHeaders = { ...(opts.headers as http.OutgoingHttpHeaders | undefined) };
    if (opts.auth) headers.authorization = `Basic ${Buffer.from(opts.auth).toString('base64')}`;
    return sendJson({
      mod: url.protocol === 'http:' ? http : https,
      url,
      method: req.method,
      headers,
      ...(opts.agent instanceof http.Agent ? { agent: opts.agent } : {}),
      body: req.body,
      ...(req.contentType ? { contentType: req.contentType } : {}),
    });
  }

  watch(path: string, query: Readonly<Record<string, string>>, onEvent: WatchEventHandler, onDone: WatchDoneHandler): Promise<AbortController> {
    return new Watch(this.kc).watch(path, { ...query }, (type: string, obj: unknown) => onEvent(type, obj), (err: unknown) => onDone(err ?? undefined));
  }

  close(): void {
    // client-node makes an agent per request: nothing kept open
  }
}
