// The CNI kubeconfig's token (cni/cni-token.ts, cni/kubeconfig-refresher.ts, install.ts refreshKubeconfig)
// against the fake apiserver enforcing deploy/rbac.yaml: this pod's tortie-node token buys a tortie-cni
// token with TokenRequest; it is renewed before it expires; the pod token stands in only when RBAC
// forbids the TokenRequest.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CniTokenKeeper, RENEW_AT_FRACTION } from '../../cni/cni-token';
import { optionsFromEnv, refreshKubeconfig, type InstallOptions } from '../../cni/install';
import { startKubeconfigRefresher, type Refresher } from '../../cni/kubeconfig-refresher';
import { FakeApiServer } from './fake-apiserver';
import { rbacAuthorizer } from './fake-rbac';
import { DEPLOY, readDocs } from './manifests';

const NS = 'tortie-system';
const POD_TOKEN = 'pod-token-of-tortie-node';
const docs = readDocs(join(DEPLOY, 'rbac.yaml'));

let work: string;
let sa: string;
const servers: FakeApiServer[] = [];
const refreshers: Refresher[] = [];

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'tk8-cnitoken-'));
  sa = join(work, 'sa');
  mkdirSync(sa);
  writeFileSync(join(sa, 'token'), `${POD_TOKEN}\n`);
  writeFileSync(join(sa, 'namespace'), NS);
});
afterEach(async () => {
  for (const r of refreshers.splice(0)) r.stop();
  for (const s of servers.splice(0)) await s.close();
});
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

/** A fake cluster with the ServiceAccounts, this pod's token, and RBAC from `rbac` (default: rbac.yaml). */
async function cluster(opts: { maxTokenSeconds?: number; rbac?: typeof docs } = {}): Promise<FakeApiServer> {
  const api = await FakeApiServer.start({ maxTokenSeconds: opts.maxTokenSeconds });
  servers.push(api);
  for (const name of ['tortie-node', 'tortie-cni']) {
    const r = await fetch(`${api.url}/api/v1/namespaces/${NS}/serviceaccounts`, { method: 'POST', body: JSON.stringify({ metadata: { name } }) });
    expect(r.status).toBe(201);
  }
  api.addToken(POD_TOKEN, { namespace: NS, name: 'tortie-node' });
  api.setAuthorizer(rbacAuthorizer(opts.rbac ?? docs));
  return api;
}

function options(api: FakeApiServer, dir: string, log: string[]): InstallOptions {
  const net = join(work, dir);
  mkdirSync(net, { recursive: true });
  const o = optionsFromEnv([`--server=${api.url}`], { CNI_DATASTORE: 'kubernetes', SERVICEACCOUNT_DIR: sa, CNI_BIN_DIR: join(net, 'bin'), CNI_NET_DIR: net });
  return { ...o, log: (l) => log.push(l) };
}

const kubeconfigToken = (o: InstallOptions): string => (JSON.parse(readFileSync(o.kubeconfigPath, 'utf8')) as { users: Array<{ user: { token: string } }> }).users[0].user.token;

describe('the CNI kubeconfig token', () => {
  it('is a tortie-cni token from TokenRequest (asked as tortie-node, 24 h), not the pod token; the kubeconfig is 0600', async () => {
    const api = await cluster();
    const log: string[] = [];
    const o = options(api, 'tr', log);
    expect(o.cniNamespace).toBe(NS);
    const keeper = new CniTokenKeeper({ server: api.url, serviceAccountDir: sa, namespace: NS, serviceAccount: o.cniServiceAccount, expirationSeconds: o.cniTokenSeconds, log: (l) => log.push(l) });
    const t = await keeper.token();
    expect(t.source).toBe('tokenrequest');
    expect(refreshKubeconfig(o, t.token)).toBe(true);
    const token = kubeconfigToken(o);
    expect(token).not.toBe(POD_TOKEN);
    expect(api.tokenSubject(token)).toEqual({ namespace: NS, name: 'tortie-cni' });
    expect(statSync(o.kubeconfigPath).mode & 0o777).toBe(0o600);
    expect(api.requests).toContain(`POST /api/v1/namespaces/${NS}/serviceaccounts/tortie-cni/token`);
    // 24 h asked and granted: renewed with a third left, 16 h from now.
    expect(o.cniTokenSeconds).toBe(86_400);
    expect(t.renewAt! - Date.now()).toBeGreaterThan(86_400_000 * RENEW_AT_FRACTION - 60_000);
    expect(t.renewAt! - Date.now()).toBeLessThanOrEqual(86_400_000 * RENEW_AT_FRACTION);
    // A second ask before that is served from memory: no new TokenRequest.
    const before = api.requests.length;
    expect((await keeper.token()).token).toBe(t.token);
    expect(api.requests.length).toBe(before);
    expect(log.join('\n')).not.toMatch(/warning/);
  });

  it('the refresher rewrites the kubeconfig before the token expires, and the file always holds a valid token', async () => {
    // The apiserver grants 3 s whatever is asked (--service-account-max-token-expiration): renewal at 2 s.
    const api = await cluster({ maxTokenSeconds: 3 });
    const log: string[] = [];
    const o = options(api, 'refresh', log);
    const keeper = new CniTokenKeeper({ server: api.url, serviceAccountDir: sa, namespace: NS, serviceAccount: 'tortie-cni', expirationSeconds: 86_400, log: (l) => log.push(l) });
    const r = startKubeconfigRefresher({ everySec: 0.1, token: () => keeper.token(), write: (t) => refreshKubeconfig(o, t), log: (l) => log.push(l) });
    refreshers.push(r);
    await r.tick();
    const first = kubeconfigToken(o);
    const started = Date.now();
    expect(api.tokenSubject(first)?.name).toBe('tortie-cni');
    let second = first;
    while (second === first && Date.now() - started < 6000) {
      await new Promise((res) => setTimeout(res, 20));
      second = kubeconfigToken(o);
    }
    expect(second).not.toBe(first);
    // Rewritten while the old one still worked, and not long before the ⅔ mark.
    expect(api.tokenSubject(first)).toBeDefined();
    expect(Date.now() - started).toBeGreaterThan(1500);
    expect(api.tokenSubject(second)?.name).toBe('tortie-cni');
    // Past the first token's expiry, the plugin's file still authenticates.
    while (api.tokenSubject(first) !== undefined) await new Promise((res) => setTimeout(res, 20));
    expect(api.tokenSubject(kubeconfigToken(o))?.name).toBe('tortie-cni');
    expect(log.filter((l) => l.startsWith('error'))).toEqual([]);
  }, 15_000);

  it('falls back to the pod token, with a warning, only when TokenRequest is forbidden; switches back once allowed', async () => {
    const withoutTokenRole = docs.filter((d) => d.metadata.name !== 'tortie-node-cni-token');
    const api = await cluster({ rbac: withoutTokenRole });
    const log: string[] = [];
    const o = options(api, 'fallback', log);
    const keeper = new CniTokenKeeper({ server: api.url, serviceAccountDir: sa, namespace: NS, serviceAccount: 'tortie-cni', expirationSeconds: 86_400, log: (l) => log.push(l) });
    const t = await keeper.token();
    expect(t.source).toBe('pod');
    refreshKubeconfig(o, t.token);
    expect(kubeconfigToken(o)).toBe(POD_TOKEN);
    expect(log.filter((l) => l.startsWith('warning'))).toHaveLength(1);
    expect(log[0]).toMatch(/HTTP 403: serviceaccounts "tortie-cni" is forbidden: User "system:serviceaccount:tortie-system:tortie-node" cannot create resource "serviceaccounts\/token"/);
    // Every later check asks again (warning once); once the Role is applied, the tortie-cni token takes over.
    await keeper.token();
    expect(log.filter((l) => l.startsWith('warning'))).toHaveLength(1);
    api.setAuthorizer(rbacAuthorizer(docs));
    const u = await keeper.token();
    expect(u.source).toBe('tokenrequest');
    expect(refreshKubeconfig(o, u.token)).toBe(true);
    expect(api.tokenSubject(kubeconfigToken(o))?.name).toBe('tortie-cni');
  });

  it('RBAC withdrawn while a tortie-cni token is held: that token is kept until 5 minutes before it expires, then the pod token', async () => {
    const api = await cluster();
    const log: string[] = [];
    let clock = Date.now();
    const keeper = new CniTokenKeeper({ server: api.url, serviceAccountDir: sa, namespace: NS, serviceAccount: 'tortie-cni', expirationSeconds: 86_400, log: (l) => log.push(l), now: () => clock });
    const t = await keeper.token();
    expect(t.validUntil).toBe(clock + 86_400_000);
    api.setAuthorizer(rbacAuthorizer(docs.filter((d) => d.metadata.name !== 'tortie-node-cni-token')));
    clock += 17 * 3600_000; // past the renewal point: it asks, is refused, keeps the token it has
    expect((await keeper.token()).token).toBe(t.token);
    clock += 3600_000;
    expect((await keeper.token()).token).toBe(t.token);
    expect(log.filter((l) => l.startsWith('warning'))).toHaveLength(1);
    clock = t.validUntil! - 4 * 60_000;
    expect((await keeper.token()).source).toBe('pod');
    api.setAuthorizer(rbacAuthorizer(docs));
    expect((await keeper.token()).source).toBe('tokenrequest');
    expect(log.filter((l) => l.startsWith('CNI kubeconfig token'))).toHaveLength(2);
  });

  it('other failures are errors, not a fallback: a missing tortie-cni ServiceAccount, a pod token the apiserver does not know', async () => {
    const api = await cluster();
    const keeper = (serviceAccount: string) => new CniTokenKeeper({ server: api.url, serviceAccountDir: sa, namespace: NS, serviceAccount, expirationSeconds: 86_400, log: () => {} });
    // RBAC allows only tortie-cni; a ServiceAccount outside resourceNames is a 403 even if it existed,
    // so delete tortie-cni itself to see the 404.
    const del = await fetch(`${api.url}/api/v1/namespaces/${NS}/serviceaccounts/tortie-cni`, { method: 'DELETE', headers: { authorization: `Bearer ${POD_TOKEN}` } });
    expect(del.status).toBe(403);
    api.setAuthorizer(undefined);
    expect((await fetch(`${api.url}/api/v1/namespaces/${NS}/serviceaccounts/tortie-cni`, { method: 'DELETE' })).status).toBe(200);
    api.setAuthorizer(rbacAuthorizer(docs));
    await expect(keeper('tortie-cni').token()).rejects.toThrow(/HTTP 404: serviceaccounts "tortie-cni" not found/);
    const stranger = await cluster();
    stranger.setAuthorizer(() => true);
    const t = new CniTokenKeeper({ server: stranger.url, serviceAccountDir: join(work, 'nowhere'), namespace: NS, serviceAccount: 'tortie-cni', expirationSeconds: 86_400, log: () => {} });
    await expect(t.token()).rejects.toThrow(/no service-account token/);
    const other = join(work, 'other-sa');
    mkdirSync(other, { recursive: true });
    writeFileSync(join(other, 'token'), 'not-a-token-this-apiserver-issued');
    const u = new CniTokenKeeper({ server: stranger.url, serviceAccountDir: other, namespace: NS, serviceAccount: 'tortie-cni', expirationSeconds: 86_400, log: () => {} });
    await expect(u.token()).rejects.toThrow(/HTTP 401/);
  });
});
