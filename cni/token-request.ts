// One TokenRequest (`POST /api/v1/namespaces/{ns}/serviceaccounts/{name}/token`, authentication.k8s.io/v1)
// with node:http(s) alone: install-cni and its sidecar need this one call, and loading
// @kubernetes/client-node for it would cost ~400 ms and ~70 MB in a container limited to 96 MiB.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface TokenRequestOptions {
  /** https://host:port of the apiserver (http:// only for the fake apiserver in tests). */
  readonly server: string;
  /** The caller's own token (the pod's service-account token). */
  readonly bearer: string;
  /** Cluster CA; absent = system trust store. */
  readonly caPem?: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  /** Asked-for lifetime; the apiserver may grant less (--service-account-max-token-expiration). */
  readonly expirationSeconds: number;
  readonly timeoutMs?: number;
}

export interface IssuedToken {
  readonly token: string;
  /** status.expirationTimestamp, ms since the epoch (the apiserver's clock). */
  readonly expiresAt: number;
  /** The lifetime granted (spec.expirationSeconds of the answer), independent of clock skew. */
  readonly lifetimeSeconds: number;
}

/** `status` is the HTTP status when the apiserver answered (403 = RBAC said no). */
export class TokenRequestError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'TokenRequestError';
  }
}

export function tokenRequestPath(namespace: string, serviceAccount: string): string {
  return `/api/v1/namespaces/${encodeURIComponent(namespace)}/serviceaccounts/${encodeURIComponent(serviceAccount)}/token`;
}

export function requestToken(o: TokenRequestOptions): Promise<IssuedToken> {
  const url = new URL(tokenRequestPath(o.namespace, o.serviceAccount), o.server);
  // No audiences: the apiserver's own (default) audience, which is what the plugin's client presents to.
  const body = JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: o.expirationSeconds } });
  const what = `TokenRequest for ${o.namespace}/${o.serviceAccount}`;
  const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${o.bearer}`, 'content-type': 'application/json', accept: 'application/json', 'content-length': Buffer.byteLength(body) },
        ...(o.caPem ? { ca: o.caPem } : {}),
        timeout: o.timeoutMs ?? 10_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (e) => reject(new TokenRequestError(`${what}: ${e.message}`)));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          const status = res.statusCode ?? 0;
          let parsed: { message?: string; spec?: { expirationSeconds?: number }; status?: { token?: string; expirationTimestamp?: string } } = {};
          try {
            parsed = JSON.parse(text) as typeof parsed;
          } catch {
            /* reported below */
          }
          if (status < 200 || status >= 300) return reject(new TokenRequestError(`${what}: HTTP ${status}: ${parsed.message ?? text.slice(0, 200)}`, status));
          const token = parsed.status?.token;
          const expiresAt = Date.parse(parsed.status?.expirationTimestamp ?? '');
          if (!token || !Number.isFinite(expiresAt)) return reject(new TokenRequestError(`${what}: the answer has no status.token / expirationTimestamp`, status));
          const granted = parsed.spec?.expirationSeconds;
          resolve({ token, expiresAt, lifetimeSeconds: typeof granted === 'number' && granted > 0 ? granted : Math.max(0, (expiresAt - Date.now()) / 1000) });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${o.timeoutMs ?? 10_000} ms`)));
    req.on('error', (e) => reject(new TokenRequestError(`${what}: ${e.message}`)));
    req.end(body);
  });
}
