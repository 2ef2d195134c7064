import { describe, it, expect, afterEach } from 'vitest';
import { mkdtempSync, statSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request, NotRunningError } from './client';
import { ControlError, ControlServer } from './server';

const servers: ControlServer[] = [];
afterEach(async () => { for (const s of servers.splice(0)) await s.close(); });

async function serve(handler: ConstructorParameters<typeof ControlServer>[1], bugs: unknown[] = []): Promise<string> {
  const path = join(mkdtempSync(join(tmpdir(), 'tortie-ctl-')), 'run', 'bgpd.sock');
  const s = new ControlServer(path, handler, (e) => bugs.push(e));
  await s.listen();
  servers.push(s);
  return path;
}

describe('control socket', () => {
  it('answers requests by id on a 0600 socket', async () => {
    const path = await serve(async (req) => ({ echo: req.cmd }));
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(await request(path, { cmd: 'show peers' })).toEqual({ id: 1, ok: true, data: { echo: 'show peers' } });
  });

  it('operator errors and bugs both come back as errors; only bugs are reported', async () => {
    const bugs: unknown[] = [];
    const path = await serve((req) => {
      if (req.cmd === 'reload') throw new ControlError('no such peer: x');
      throw new TypeError('oops');
    }, bugs);
    expect(await request(path, { cmd: 'reload' })).toEqual({ id: 1, ok: false, error: 'no such peer: x' });
    expect(await request(path, { cmd: 'status' })).toEqual({ id: 1, ok: false, error: 'oops' });
    expect(bugs).toHaveLength(1);
  });

  it('several requests on one connection, and malformed lines get an error', async () => {
    const path = await serve((req) => req.id);
    const lines = await new Promise<string[]>((resolve) => {
      const s = net.connect(path);
      let buf = '';
      s.on('data', (d) => {
        buf += String(d);
        if (buf.split('\n').length > 3) { s.end(); resolve(buf.trim().split('\n')); }
      });
      s.write('{"cmd":"status","id":7}\nnot json\n{"cmd":"status","id":8}\n');
    });
    const parsed = lines.map((l) => JSON.parse(l) as { id: number; ok: boolean });
    expect(parsed.filter((r) => r.ok).map((r) => r.id).sort()).toEqual([7, 8]);
    expect(parsed.find((r) => !r.ok)).toMatchObject({ id: 0, error: /malformed request/ });
  });

  it('a missing socket is "bgpd is not running"', async () => {
    const err = await request('/nonexistent/bgpd.sock', { cmd: 'status' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotRunningError);
    expect((err as Error).message).toBe('bgpd is not running: cannot connect to /nonexistent/bgpd.sock');
  });
});
