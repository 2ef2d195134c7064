import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultLeanKubeconfig, inClusterConfig, parseLeanKubeconfig, type LeanResult } from './kubeconfig-lean';

const dir = mkdtempSync(join(tmpdir(), 't13-kc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const doc = (cluster: Record<string, unknown>, user: Record<string, unknown>, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': 'c',
    clusters: [{ name: 'other', cluster: { server: 'https://wrong:1' } }, { name: 'k', cluster }],
    users: [{ name: 'u', user }],
    contexts: [{ name: 'c', context: { cluster: 'k', user: 'u' } }],
    ...extra,
  });
const reason = (r: LeanResult): string => (r.ok ? 'ok' : r.reason);

describe('parseLeanKubeconfig', () => {
  it("reads install-cni's form: server, CA data, token (the current context's cluster, not the first)", () => {
    const r = parseLeanKubeconfig(doc({ server: 'https://10.96.0.1:443', 'certificate-authority-data': Buffer.from('CA PEM').toString('base64') }, { token: 'tok' }), 'kc', dir);
    if (!r.ok) throw new Error(r.reason);
    expect(r.config.server.href).toBe('https://10.96.0.1/');
    expect(r.config.server.port).toBe('');
    expect(r.config.ca?.toString()).toBe('CA PEM');
    expect(r.config.token).toBe('tok');
    expect(r.config.insecure).toBe(false);
  });

  it('reads files relative to the kubeconfig, client certificates, tokenFile, tls-server-name', () => {
    writeFileSync(join(dir, 'ca.crt'), 'CA');
    writeFileSync(join(dir, 'c.crt'), 'CERT');
    writeFileSync(join(dir, 'c.key'), 'KEY');
    const r = parseLeanKubeconfig(
      doc({ server: 'https://api:6443', 'certificate-authority': 'ca.crt', 'tls-server-name': 'kubernetes' }, { 'client-certificate': 'c.crt', 'client-key': join(dir, 'c.key'), tokenFile: 'tok' }),
      'kc',
      dir,
    );
    if (!r.ok) throw new Error(r.reason);
    expect([r.config.ca?.toString(), r.config.cert?.toString(), r.config.key?.toString()]).toEqual(['CA', 'CERT', 'KEY']);
    expect(r.config.tokenFile).toBe(join(dir, 'tok'));
    expect(r.config.servername).toBe('kubernetes');
  });

  it('leaves every other form to client-node, saying why', () => {
    expect(reason(parseLeanKubeconfig('apiVersion: v1\nkind: Config\n', 'kc', dir))).toMatch(/kc: not JSON/);
    expect(reason(parseLeanKubeconfig(doc({ server: 'https://a' }, { exec: { command: 'aws' } }), 'kc', dir))).toMatch(/uses exec/);
    expect(reason(parseLeanKubeconfig(doc({ server: 'https://a' }, { 'auth-provider': { name: 'oidc' } }), 'kc', dir))).toMatch(/uses auth-provider/);
    expect(reason(parseLeanKubeconfig(doc({ server: 'https://a', 'proxy-url': 'http://p' }, {}), 'kc', dir))).toMatch(/uses proxy-url/);
    expect(reason(parseLeanKubeconfig(doc({ server: 'https://a' }, { username: 'a', password: 'b' }), 'kc', dir))).toMatch(/uses username, password/);
    expect(reason(parseLeanKubeconfig(doc({ server: 'http://a:8080' }, { token: 't' }), 'kc', dir))).toMatch(/plain http without insecure-skip-tls-verify/);
    expect(reason(parseLeanKubeconfig(doc({ server: 'https://a' }, { 'client-certificate-data': 'QQ==' }), 'kc', dir))).toMatch(/certificate without key/);
    expect(reason(parseLeanKubeconfig(doc({ server: 'https://a' }, {}, { 'current-context': 'nope' }), 'kc', dir))).toMatch(/context nope not found/);
    // plain http is fine with the flag client-node also wants for it
    expect(reason(parseLeanKubeconfig(doc({ server: 'http://a:8080', 'insecure-skip-tls-verify': true }, { token: 't' }), 'kc', dir))).toBe('ok');
  });
});

describe('in-cluster and default kubeconfig', () => {
  const sa = join(dir, 'sa');
  mkdirSync(sa, { recursive: true });
  writeFileSync(join(sa, 'token'), 'sa-token\n');
  writeFileSync(join(sa, 'ca.crt'), 'SA CA');

  it("reads the pod's service account (IPv6 service address bracketed)", () => {
    const r = inClusterConfig({ KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '6443' }, sa);
    if (!r.ok) throw new Error(r.reason);
    expect(r.config.server.host).toBe('[fd00::1]:6443');
    expect(r.config.ca?.toString()).toBe('SA CA');
    expect(r.config.tokenFile).toBe(join(sa, 'token'));
    expect(reason(inClusterConfig({}, sa))).toMatch(/KUBERNETES_SERVICE_HOST is not set/);
  });

  it("follows client-node's default order: $KUBECONFIG, ~/.kube/config, service account", () => {
    const kc = join(dir, 'one.json');
    writeFileSync(kc, doc({ server: 'https://one' }, { token: '1' }));
    const first = defaultLeanKubeconfig({ KUBECONFIG: kc, KUBERNETES_SERVICE_HOST: '10.96.0.1' }, sa);
    expect(first.ok && first.config.server.host).toBe('one');
    expect(reason(defaultLeanKubeconfig({ KUBECONFIG: `${kc}:${kc}` }, sa))).toMatch(/lists 2 files/);
    const home = join(dir, 'home');
    mkdirSync(join(home, '.kube'), { recursive: true });
    writeFileSync(join(home, '.kube', 'config'), doc({ server: 'https://home' }, { token: 'h' }));
    const fromHome = defaultLeanKubeconfig({ HOME: home, KUBERNETES_SERVICE_HOST: '10.96.0.1' }, sa);
    expect(fromHome.ok && fromHome.config.server.host).toBe('home');
    const inPod = defaultLeanKubeconfig({ HOME: join(dir, 'nohome'), KUBERNETES_SERVICE_HOST: '10.96.0.1' }, sa);
    expect(inPod.ok && inPod.config.server.href).toBe('https://10.96.0.1/');
    expect(reason(defaultLeanKubeconfig({ HOME: join(dir, 'nohome') }, sa))).toMatch(/no kubeconfig found/);
  });
});
