// The lean transport against a local https server with a CA of the test's own (openssl): server
// verification by the kubeconfig's CA, bearer token, client certificate, one kept-alive connection for
// the requests of a CNI call, and answers passed on as they come (status + parsed JSON).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LeanTransport } from './kube-rest';
import { parseLeanKubeconfig, type LeanKubeConfig } from './kubeconfig-lean';

const dir = mkdtempSync(join(tmpdir(), 't13-rest-'));
const ssl = (...args: string[]): void => {
  const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
};
const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

interface Seen {
  path: string;
  auth?: string;
  peerCn?: string;
  port: number;
}
const seen: Seen[] = [];
let server: Server;
let url: string;

beforeAll(async () => {
  ssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-subj', '/CN=t13-ca', '-days', '1');
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  for (const [name, cn, ext] of [['srv', 'apiserver', ['-extfile', 'san.ext']], ['cli', 'tortie-cni', []]] as const) {
    ssl('req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
    ssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '1', ...ext);
  }
  const f = (n: string): Buffer => readFileSync(join(dir, n));
  server = createServer({ key: f('srv.key'), cert: f('srv.crt'), ca: f('ca.crt'), requestCert: true, rejectUnauthorized: false }, (req, res) => {
    const sock = req.socket as TLSSocket;
    const peer = sock.getPeerCertificate();
    seen.push({ path: req.url ?? '', ...(req.headers.authorization ? { auth: req.headers.authorization } : {}), ...(peer?.subject ? { peerCn: String(peer.subject.CN) } : {}), port: sock.remotePort ?? 0 });
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (req.url === '/missing') {
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ kind: 'Status', code: 404, message: 'ippools "x" not found' }));
      } else if (req.url === '/html') res.writeHead(502).end('<html>bad gateway</html>');
      else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ method: req.method, type: req.headers['content-type'], body: body ? JSON.parse(body) : null }));
    });
  });
  // No idle limit (and no Keep-Alive: timeout hint, which Node's agent would follow): like a server whose
  // idle close the client cannot see coming, so only the transport's own limit closes idle connections.
  server.keepAliveTimeout = 0;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 30_000);

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

function config(cluster: Record<string, unknown>, user: Record<string, unknown>): LeanKubeConfig {
  const r = parseLeanKubeconfig(
    JSON.stringify({ 'current-context': 'c', clusters: [{ name: 'k', cluster: { server: url, ...cluster } }], users: [{ name: 'u', user }], contexts: [{ name: 'c', context: { cluster: 'k', user: 'u' } }] }),
    'test',
    dir,
  );
  if (!r.ok) throw new Error(r.reason);
  return r.config;
}

const caData = (): string => readFileSync(join(dir, 'ca.crt')).toString('base64');

describe('LeanTransport', () => {
  it('verifies the server by the CA data, sends the token, keeps one connection for a run of requests', async () => {
    const t = new LeanTransport(config({ 'certificate-authority-data': caData() }, { token: 'tok-1' }));
    seen.length = 0;
    const a = await t.request({ method: 'GET', path: '/apis/tortie.dev/v1/ippools?limit=1' });
    const b = await t.request({ method: 'PATCH', path: '/p', body: { metadata: { resourceVersion: '7' } }, contentType: 'application/merge-patch+json' });
    const c = await t.request({ method: 'POST', path: '/c', body: { a: 1 } });
    t.close();
    expect(a).toEqual({ status: 200, body: { method: 'GET', body: null } });
    expect(b.body).toEqual({ method: 'PATCH', type: 'application/merge-patch+json', body: { metadata: { resourceVersion: '7' } } });
    expect(c.body).toEqual({ method: 'POST', type: 'application/json', body: { a: 1 } });
    expect(seen.map((s) => [s.path, s.auth, s.peerCn])).toEqual([
      ['/apis/tortie.dev/v1/ippools?limit=1', 'Bearer tok-1', undefined],
      ['/p', 'Bearer tok-1', undefined],
      ['/c', 'Bearer tok-1', undefined],
    ]);
    expect(new Set(seen.map((s) => s.port)).size).toBe(1);
  });

  it('presents a client certificate (files relative to the kubeconfig), token from tokenFile', async () => {
    writeFileSync(join(dir, 'token'), 'from-file\n');
    const t = new LeanTransport(config({ 'certificate-authority': 'ca.crt' }, { 'client-certificate': 'cli.crt', 'client-key': 'cli.key', tokenFile: 'token' }));
    seen.length = 0;
    await t.request({ method: 'GET', path: '/x' });
    t.close();
    expect(seen).toMatchObject([{ path: '/x', auth: 'Bearer from-file', peerCn: 'tortie-cni' }]);
  });

  it('reads tokenFile again after a minute (kubelet rotates projected tokens)', async () => {
    writeFileSync(join(dir, 'rotating'), 'first\n');
    const t = new LeanTransport(config({ 'certificate-authority-data': caData() }, { tokenFile: 'rotating' }));
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      seen.length = 0;
      await t.request({ method: 'GET', path: '/1' });
      writeFileSync(join(dir, 'rotating'), 'second\n');
      await t.request({ method: 'GET', path: '/2' });
      vi.setSystemTime(Date.now() + 61_000);
      await t.request({ method: 'GET', path: '/3' });
    } finally {
      vi.useRealTimers();
      t.close();
    }
    expect(seen.map((s) => s.auth)).toEqual(['Bearer first', 'Bearer first', 'Bearer second']);
  });

  it('an unreadable tokenFile rejects the request (never a synchronous throw), and a readable one is used again', async () => {
    const t = new LeanTransport(config({ 'certificate-authority-data': caData() }, { tokenFile: 'not-there' }));
    try {
      let p: Promise<unknown> | undefined;
      expect(() => (p = t.request({ method: 'GET', path: '/no-token' }))).not.toThrow();
      await expect(p).rejects.toThrow(/ENOENT.*not-there/);
      writeFileSync(join(dir, 'not-there'), 'late\n');
      seen.length = 0;
      await t.request({ method: 'GET', path: '/late' });
      expect(seen.map((s) => s.auth)).toEqual(['Bearer late']);
    } finally {
      t.close();
      rmSync(join(dir, 'not-there'), { force: true });
    }
  });

  it('closes an idle kept connection after a few seconds (never reused once the server may be closing it)', async () => {
    const t = new LeanTransport(config({ 'certificate-authority-data': caData() }, { token: 't' }));
    seen.length = 0;
    await t.request({ method: 'GET', path: '/a' });
    await t.request({ method: 'GET', path: '/b' });
    await new Promise((r) => setTimeout(r, 4_300));
    await t.request({ method: 'GET', path: '/c' });
    t.close();
    const ports = seen.map((s) => s.port);
    expect(ports[0]).toBe(ports[1]);
    expect(ports[2]).not.toBe(ports[1]);
  }, 15_000);

  it('passes error answers on as status + parsed body (text when not JSON)', async () => {
    const t = new LeanTransport(config({ 'certificate-authority-data': caData() }, { token: 't' }));
    expect(await t.request({ method: 'GET', path: '/missing' })).toEqual({ status: 404, body: { kind: 'Status', code: 404, message: 'ippools "x" not found' } });
    expect(await t.request({ method: 'GET', path: '/html' })).toEqual({ status: 502, body: '<html>bad gateway</html>' });
    t.close();
  });

  it('refuses a server its CA did not sign, unless insecure-skip-tls-verify', async () => {
    const noCa = new LeanTransport(config({}, { token: 't' }));
    await expect(noCa.request({ method: 'GET', path: '/x' })).rejects.toThrow(/self.signed|unable to (get|verify)/i);
    noCa.close();
    const insecure = new LeanTransport(config({ 'insecure-skip-tls-verify': true }, { token: 't' }));
    expect((await insecure.request({ method: 'GET', path: '/x' })).status).toBe(200);
    insecure.close();
  });
});
