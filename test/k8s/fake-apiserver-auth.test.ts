// The fake apiserver's TokenRequest subresource and its optional authn/authz (fake-apiserver.ts).
import { afterEach, describe, expect, it } from 'vitest';
import { attributesOf, FakeApiServer, type RequestAttributes } from './fake-apiserver';

const servers: FakeApiServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function start(opts: { maxTokenSeconds?: number } = {}): Promise<FakeApiServer> {
  const api = await FakeApiServer.start(opts);
  servers.push(api);
  await fetch(`${api.url}/api/v1/namespaces/ns1/serviceaccounts`, { method: 'POST', body: JSON.stringify({ metadata: { name: 'sa1' } }) });
  return api;
}

const tokenRequest = (api: FakeApiServer, body: unknown, bearer?: string, name = 'sa1') =>
  fetch(`${api.url}/api/v1/namespaces/ns1/serviceaccounts/${name}/token`, {
    method: 'POST',
    headers: bearer ? { authorization: `Bearer ${bearer}` } : {},
    body: JSON.stringify(body),
  });

describe('TokenRequest', () => {
  it('issues a token for an existing ServiceAccount, lifetime defaulted, capped, and never under 10 minutes', async () => {
    const api = await start({ maxTokenSeconds: 7200 });
    const r = await tokenRequest(api, { spec: {} });
    expect(r.status).toBe(201);
    const tr = (await r.json()) as { kind: string; spec: { expirationSeconds: number }; status: { token: string; expirationTimestamp: string } };
    expect(tr.kind).toBe('TokenRequest');
    expect(tr.spec.expirationSeconds).toBe(3600);
    expect(Date.parse(tr.status.expirationTimestamp) - Date.now()).toBeGreaterThan(3590_000);
    expect(api.tokenSubject(tr.status.token)).toEqual({ namespace: 'ns1', name: 'sa1' });
    const capped = (await (await tokenRequest(api, { spec: { expirationSeconds: 86400 } })).json()) as typeof tr;
    expect(capped.spec.expirationSeconds).toBe(7200);
    expect((await tokenRequest(api, { spec: { expirationSeconds: 599 } })).status).toBe(422);
    expect((await tokenRequest(api, { spec: {} }, undefined, 'nobody')).status).toBe(404);
    // An expired token authenticates as nobody.
    expect(api.tokenSubject(tr.status.token, Date.parse(tr.status.expirationTimestamp) + 1000)).toBeUndefined();
  });
});

describe('authn/authz', () => {
  it('is off by default; once on: 401 without a known token, 403 when the authorizer says no, discovery for anyone known', async () => {
    const api = await start();
    expect((await fetch(`${api.url}/api/v1/nodes`)).status).toBe(200);
    const asked: RequestAttributes[] = [];
    api.addToken('t-ok', { namespace: 'ns1', name: 'reader' });
    api.addToken('t-old', { namespace: 'ns1', name: 'reader' }, Date.now() - 1);
    api.setAuthorizer((who, a) => {
      asked.push(a);
      return who.name === 'reader' && a.verb === 'list';
    });
    const get = (path: string, token?: string) => fetch(api.url + path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    expect((await get('/api/v1/nodes')).status).toBe(401);
    expect((await get('/api/v1/nodes', 't-old')).status).toBe(401);
    expect((await get('/api/v1/nodes', 't-ok')).status).toBe(200);
    const denied = await get('/api/v1/nodes/n1', 't-ok');
    expect(denied.status).toBe(403);
    expect(((await denied.json()) as { message: string }).message).toBe(
      'nodes "n1" is forbidden: User "system:serviceaccount:ns1:reader" cannot get resource "nodes" in API group "" at the cluster scope',
    );
    expect((await get('/api', 't-ok')).status).toBe(200);
    expect(asked.map((a) => a.verb)).toEqual(['list', 'get']);
  });

  it('maps requests to RBAC verbs, resources, subresources and names', () => {
    const at = (method: string, path: string) => attributesOf(method, new URL(path, 'http://x'));
    expect(at('GET', '/apis/tortie.dev/v1/ipamblocks?watch=true')).toMatchObject({ verb: 'watch', group: 'tortie.dev', resource: 'ipamblocks' });
    expect(at('GET', '/apis/tortie.dev/v1/ipamblocks')).toMatchObject({ verb: 'list' });
    expect(at('DELETE', '/apis/tortie.dev/v1/ipamblocks')).toMatchObject({ verb: 'deletecollection' });
    expect(at('PATCH', '/apis/tortie.dev/v1/bgppeers/p1/status')).toMatchObject({ verb: 'patch', resource: 'bgppeers', subresource: 'status', name: 'p1' });
    expect(at('POST', '/api/v1/namespaces/ns1/serviceaccounts/sa1/token')).toEqual({ verb: 'create', group: '', resource: 'serviceaccounts', subresource: 'token', namespace: 'ns1', name: 'sa1' });
    expect(at('PUT', '/api/v1/namespaces/ns1/secrets/s')).toMatchObject({ verb: 'update', namespace: 'ns1', name: 's' });
    expect(at('GET', '/apis/tortie.dev/v1')).toBeUndefined();
  });
});
