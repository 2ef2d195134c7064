// One JSON request over node:http/node:https: the part both Kubernetes transports share, so a response
// (status, parsed body, error text) looks the same whichever of them made the connection.
import type { Agent as HttpAgent, IncomingMessage, OutgoingHttpHeaders, RequestOptions } from 'node:http';
import type { KubeResponse } from './kube-transport';

export interface HttpModule {
  request(url: URL, opts: RequestOptions, cb: (res: IncomingMessage) => void): import('node:http').ClientRequest;
}

export interface JsonRequest {
  readonly mod: HttpModule;
  readonly url: URL;
  readonly method: string;
  readonly headers: OutgoingHttpHeaders;
  readonly agent?: HttpAgent;
  /** TLS settings (ca, cert, key, rejectUnauthorized, servername) when no agent carries them. */
  readonly tls?: Readonly<Record<string, unknown>>;
  readonly body?: unknown;
  readonly contentType?: string;
  /** No answer (headers) within this many ms → error. Default 30 s. */
  readonly timeoutMs?: number;
}

export function sendJson(r: JsonRequest): Promise<KubeResponse> {
  const payload = r.body === undefined ? undefined : JSON.stringify(r.body);
  const headers: OutgoingHttpHeaders = { accept: 'application/json', ...r.headers };
  if (payload !== undefined) {
    headers['content-type'] = r.contentType ?? 'application/json';
    headers['content-length'] = Buffer.byteLength(payload);
  }
  return new Promise((resolve, reject) => {
    const req = r.mod.request(r.url, { method: r.method, headers, ...(r.agent ? { agent: r.agent } : {}), ...r.tls }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = text;
        if (text !== '') {
          try {
            body = JSON.parse(text);
          } catch {
            // not JSON: keep the text (a proxy's HTML error page, say)
          }
        }
        resolve({ status: res.statusCode ?? 0, body });
      });
    });
    req.setTimeout(r.timeoutMs ?? 30_000, () => req.destroy(new Error(`no answer from ${r.url.origin} in ${r.timeoutMs ?? 30_000} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}
