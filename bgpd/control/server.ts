// The control socket: a unix stream socket (mode 0600, root only) speaking newline-delimited JSON.
// Each line is a ControlRequest; each gets one ControlResponse line with the same id. Handlers may
// be async; responses go out in completion order (clients match on id).
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import * as net from 'node:net';
import { dirname } from 'node:path';
import type { ControlRequest, ControlResponse } from './protocol';

export type ControlHandler = (req: ControlRequest) => Promise<unknown> | unknown;

/** Thrown by handlers for an operator error (unknown peer...): sent as `error`, not logged as a bug. */
export class ControlError extends Error {}

const MAX_LINE = 64 * 1024;

export class ControlServer {
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();

  constructor(
    readonly path: string,
    private readonly handler: ControlHandler,
    private readonly onBug: (err: unknown) => void = () => {},
  ) {
    this.server = net.createServer((s) => this.onConnection(s));
  }

  async listen(): Promise<void> {
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o755 });
    // a socket file left by a killed daemon would make listen fail with EADDRINUSE
    rmSync(this.path, { force: true });
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.path, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    chmodSync(this.path, 0o600);
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    rmSync(this.path, { force: true });
  }

  private onConnection(s: net.Socket): void {
    this.sockets.add(s);
    s.on('close', () => this.sockets.delete(s));
    s.on('error', () => s.destroy());
    let buf = '';
    s.setEncoding('utf8');
    s.on('data', (chunk: string) => {
      buf += chunk;
      if (buf.length > MAX_LINE && !buf.includes('\n')) {
        this.reply(s, { id: 0, ok: false, error: 'request too long' });
        s.end();
        return;
      }
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (line) this.handleLine(s, line).catch((err: unknown) => this.onBug(err));
      }
    });
  }

  private async handleLine(s: net.Socket, line: string): Promise<void> {
    let req: ControlRequest;
    try {
      const parsed = JSON.parse(line) as unknown;
      if (!parsed || typeof parsed !== 'object' || typeof (parsed as { cmd?: unknown }).cmd !== 'string') throw new Error('no cmd');
      req = parsed as ControlRequest;
    } catch {
      this.reply(s, { id: 0, ok: false, error: 'malformed request: expected one JSON object with "cmd" per line' });
      return;
    }
    const id = typeof req.id === 'number' ? req.id : 0;
    try {
      const data = await this.handler(req);
      this.reply(s, { id, ok: true, data: data ?? null });
    } catch (err) {
      if (!(err instanceof ControlError)) this.onBug(err);
      this.reply(s, { id, ok: false, error: err instanceof Error ? err.message : String(err) });
    }
  }

  private reply(s: net.Socket, r: ControlResponse): void {
    if (!s.destroyed) s.write(JSON.stringify(r) + '\n');
  }
}
