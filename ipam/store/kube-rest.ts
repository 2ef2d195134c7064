// The lean Kubernetes transport: node:http/node:https with the settings of a kubeconfig read by
// kubeconfig-lean.ts — no @kubernetes/client-node, so a CNI ADD pays only for node:https (a few ms of CPU)
// instead of the client's ~400 ms load. One keep-alive agent: an ADD makes 5–10 requests, and a TLS
// handshake per request would cost more than the requests themselves. No watch: a store that must watch
// uses client-node for it (kube-store.ts).
import * as http from 'node:http';
import * as https from 'node:https';
import { readFileSync } from 'node:fs';
import { sendJson } from './kube-http';
import type { LeanKubeConfig } from './kubeconfig-lean';
import type { KubeRequest, KubeResponse, KubeTransport } from './kube-transport';

/** How long a token read from tokenFile is used before the file is read again. */
const TOKEN_REREAD_MS = 60_000;
/**
 * An idle kept connection is closed by us after this long: a CNI call is over well within it, and a
 * long-lived caller (bgpd, a few requests a minute) then never sends on a connection the server or a load
 * balancer is closing at that very moment (an error we could not safely retry for a POST).
 */
const IDLE_SOCKET_MS = 4_000;

export class LeanTransport implements KubeTransport {
  readonly name = 'lean';
  private readonly agent: http.Agent;
  private readonly mod: typeof http | typeof https;
  private token: string | undefined;
  private tokenReadAt = 0;

  constructor(private readonly cfg: LeanKubeConfig) {
    const tlsOn = cfg.server.protocol === 'https:';
    this.mod = tlsOn ? https : http;
    // A handful of requests per CNI call, some concurrent (a list per kind): a few sockets, kept.
    this.agent = tlsOn
      ? new https.Agent({
          keepAlive: true,
          maxSockets: 4,
          timeout: IDLE_SOCKET_MS,
          ...(cfg.ca ? { ca: cfg.ca } : {}),
          ...(cfg.cert ? { cert: cfg.cert, key: cfg.key } : {}),
          ...(cfg.servername ? { servername: cfg.servername } : {}),
          rejectUnauthorized: !cfg.insecure,
        })
      : new http.Agent({ keepAlive: true, maxSockets: 4, timeout: IDLE_SOCKET_MS });
    this.token = cfg.token;
  }

  // async: an unreadable tokenFile rejects the request like any other failure, never throws at the caller
  async request(req: KubeRequest): Promise<KubeResponse> {
    const token = this.bearer();
    return sendJson({
      mod: this.mod,
      url: new URL(req.path, this.cfg.server),
      method: req.method,
      headers: token ? { authorization: `Bearer ${token}` } : {},
      agent: this.agent,
      body: req.body,
      ...(req.contentType ? { contentType: req.contentType } : {}),
    });
  }

  close(): void {
    this.agent.destroy();
  }

  private bearer(): string | undefined {
    const file = this.cfg.tokenFile;
    if (!file || this.cfg.token) return this.token;
    const now = Date.now();
    if (this.token === undefined || now - this.tokenReadAt > TOKEN_REREAD_MS) {
      this.token = readFileSync(file, 'utf8').trim();
      this.tokenReadAt = now;
    }
    return this.token;
  }
}
