// bgpctl's side of the control socket: send one request, wait for its response.
import * as net from 'node:net';
import type { ControlCommand, ControlResponse } from './protocol';

export class NotRunningError extends Error {
  constructor(readonly path: string, readonly code: string | undefined) {
    super(`bgpd is not running: cannot connect to ${path}`);
  }
}

export function request(path: string, cmd: ControlCommand, timeoutMs = 30_000): Promise<ControlResponse> {
  return new Promise((resolve, reject) => {
    const s = net.connect(path);
    // a `show routes --json` of 100k prefixes is tens of MB: keep chunks, look for the newline only in new ones
    const chunks: string[] = [];
    let answered = false;
    let connected = false;
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`no answer from bgpd on ${path} within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    s.setEncoding('utf8');
    s.on('connect', () => {
      connected = true;
      s.write(JSON.stringify({ ...cmd, id: 1 }) + '\n');
    });
    s.on('data', (chunk: string) => {
      if (answered) return;
      const nl = chunk.indexOf('\n');
      chunks.push(nl < 0 ? chunk : chunk.slice(0, nl));
      if (nl < 0) return;
      answered = true;
      clearTimeout(timer);
      s.end();
      try {
        resolve(JSON.parse(chunks.join('')) as ControlResponse);
      } catch {
        reject(new Error('bgpd sent a malformed response'));
      }
    });
    s.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(connected ? err : new NotRunningError(path, err.code));
    });
    s.on('close', () => {
      clearTimeout(timer);
      if (!answered) reject(new Error('bgpd closed the control connection without answering'));
    });
  });
}
