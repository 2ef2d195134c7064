// The health endpoint: /healthz (the process answers, whatever BGP does: liveness must not restart a
// daemon whose peers are down), /readyz (datastore + first convergence, see readiness.ts),
// /metrics (Prometheus text). Meant for localhost (kubelet probes, a node-local scraper).
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { buildRegistry } from './metrics';
import { ReadinessGate } from './readiness';
import type { HealthSources } from './types';

export interface HealthServerOptions {
  address: string;
  /** 0 picks a free port (tests). */
  port: number;
  sources: HealthSources;
  /**
   * How long after start /readyz waits for the first convergence (every peer Established, none in a
   * graceful restart) before one Established peer is enough — Calico's -threshold-time. Default 30 s.
   */
  graceMs?: number;
  /** When the sessions started (ms since epoch). Default: when this server was created. */
  startedAt?: number;
  /** How long /readyz waits for the datastore. Default 2 s. */
  datastoreTimeoutMs?: number;
  processMetrics?: boolean;
}

export class HealthServer {
  private readonly server: Server;
  private readonly registry: Registry;
  private readonly gate: ReadinessGate;

  constructor(private readonly opts: HealthServerOptions) {
    this.registry = buildRegistry(opts.sources, { processMetrics: opts.processMetrics });
    this.gate = new ReadinessGate(opts.startedAt ?? Date.now(), opts.graceMs ?? 30_000);
    this.server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      const send = (code: number, type: string, body: string): void => {
        res.writeHead(code, { 'content-type': type, 'cache-control': 'no-store' });
        res.end(body);
      };
      if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'text/plain', 'method not allowed\n');
      if (path === '/healthz') return send(200, 'text/plain', 'ok\n');
      if (path === '/readyz') {
        void this.readiness().then(
          (r) => send(r.ready ? 200 : 503, 'application/json', JSON.stringify(r) + '\n'),
          (err: unknown) => send(500, 'text/plain', `${String(err)}\n`),
        );
        return;
      }
      if (path === '/metrics') {
        void this.registry.metrics().then(
          (text) => send(200, this.registry.contentType, text),
          (err: unknown) => send(500, 'text/plain', `${String(err)}\n`),
        );
        return;
      }
      send(404, 'text/plain', 'not found: try /healthz, /readyz or /metrics\n');
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.opts.port, this.opts.address, () => resolve());
    });
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async readiness() {
    const timeout = new Promise<boolean>((r) => setTimeout(() => r(false), this.opts.datastoreTimeoutMs ?? 2000).unref());
    const ds = await Promise.race([this.opts.sources.datastoreReachable().catch(() => false), timeout]);
    return this.gate.judge(ds, this.opts.sources.peers(), Date.now(), this.opts.sources.peersSynced?.() ?? true);
  }
}
