import { CoreV1Api, CustomObjectsApi, makeInformer, type KubernetesObject } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitUntil } from '../../ipam/store/contract';
import { kubeConfigFor } from './client';
import { FakeApiServer } from './fake-apiserver';
import { parseLabelSelector } from './label-selector';
import { mergePatch } from './merge-patch';

const G = { group: 'tortie.dev', version: 'v1', plural: 'ippools' };
let api: FakeApiServer;

async function req(method: string, path: string, body?: unknown, contentType = 'application/json') {
  const r = await fetch(api.url + path, { method, headers: { 'content-type': contentType }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: r.status, body: (await r.json()) as Record<string, any> };
}

/** Reads a watch stream until `n` events arrived (or the server ends it). */
async function watchEvents(path: string, n: number): Promise<{ status: number; events: Array<{ type: string; object: any }> }> {
  const ac = new AbortController();
  const r = await fetch(api.url + path, { signal: ac.signal });
  if (r.status !== 200) return { status: r.status, events: [] };
  const events: Array<{ type: string; object: any }> = [];
  const dec = new TextDecoder();
  let buf = '';
  const reader = r.body!.getReader();
  const timer = setTimeout(() => ac.abort(), 3000);
  try {
    while (events.length < n) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += dec.decode(value, { stream: true });
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        events.push(JSON.parse(buf.slice(0, i)));
        buf = buf.slice(i + 1);
      }
    }
  } finally {
    clearTimeout(timer);
    ac.abort();
  }
  return { status: 200, events };
}

beforeEach(async () => {
  api = await FakeApiServer.start({ historyLimit: 5 });
  api.register({ ...G, kind: 'IPPool', namespaced: false });
  api.register({ group: 'tortie.dev', version: 'v1', plural: 'things', kind: 'Thing', namespaced: true });
});
afterEach(async () => {
  await api.close();
});

describe('FakeApiServer over raw HTTP', () => {
  const P = '/apis/tortie.dev/v1/ippools';

  it('creates with a global resourceVersion, refuses duplicates with 409 AlreadyExists', async () => {
    const a = await req('POST', P, { metadata: { name: 'a' }, spec: { cidr: '10.0.0.0/16' } });
    expect(a.status).toBe(201);
    expect(a.body.kind).toBe('IPPool');
    expect(a.body.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    const t = await req('POST', '/apis/tortie.dev/v1/namespaces/ns1/things', { metadata: { name: 't' } });
    expect(Number(t.body.metadata.resourceVersion)).toBe(Number(a.body.metadata.resourceVersion) + 1);
    const dup = await req('POST', P, { metadata: { name: 'a' } });
    expect(dup.status).toBe(409);
    expect(dup.body.reason).toBe('AlreadyExists');
    expect((await req('GET', `${P}/missing`)).status).toBe(404);
    expect((await req('GET', '/apis/nope/v1/x')).status).toBe(404);
  });

  it('replaces only with the current resourceVersion (CAS) and requires one', async () => {
    const a = (await req('POST', P, { metadata: { name: 'a' }, spec: { n: 1 } })).body;
    const ok = await req('PUT', `${P}/a`, { ...a, spec: { n: 2 } });
    expect(ok.status).toBe(200);
    expect(ok.body.metadata.generation).toBe(2);
    expect(ok.body.metadata.uid).toBe(a.metadata.uid);
    const stale = await req('PUT', `${P}/a`, { ...a, spec: { n: 3 } });
    expect(stale.status).toBe(409);
    expect(stale.body.reason).toBe('Conflict');
    const noRv = await req('PUT', `${P}/a`, { metadata: { name: 'a' }, spec: { n: 3 } });
    expect(noRv.status).toBe(422);
    expect((await req('GET', `${P}/a`)).body.spec).toEqual({ n: 2 });
  });

  it('merge-patches, with a resourceVersion in the patch acting as a precondition', async () => {
    const a = (await req('POST', P, { metadata: { name: 'a', labels: { x: '1' } }, spec: { keep: 1, drop: 2 } })).body;
    const p = await req('PATCH', `${P}/a`, { spec: { drop: null, add: 3 } }, 'application/merge-patch+json');
    expect(p.status).toBe(200);
    expect(p.body.spec).toEqual({ keep: 1, add: 3 });
    expect(p.body.metadata.labels).toEqual({ x: '1' });
    const stale = await req('PATCH', `${P}/a`, { metadata: { resourceVersion: a.metadata.resourceVersion }, spec: { keep: 9 } }, 'application/merge-patch+json');
    expect(stale.status).toBe(409);
    expect((await req('PATCH', `${P}/a`, [], 'application/json-patch+json')).status).toBe(415);
  });

  it('deletes with uid / resourceVersion preconditions', async () => {
    const a = (await req('POST', P, { metadata: { name: 'a' } })).body;
    expect((await req('DELETE', `${P}/a`, { preconditions: { uid: 'other' } })).status).toBe(409);
    expect((await req('DELETE', `${P}/a`, { preconditions: { resourceVersion: '1' } })).status).toBe(409);
    const d = await req('DELETE', `${P}/a`, { preconditions: { uid: a.metadata.uid, resourceVersion: a.metadata.resourceVersion } });
    expect(d.status).toBe(200);
    expect(Number(d.body.metadata.resourceVersion)).toBe(api.revision);
    expect((await req('DELETE', `${P}/a`)).status).toBe(404);
  });

  it('lists with labelSelector, fieldSelector, limit/continue and the list resourceVersion', async () => {
    for (const [n, tier] of [['c', 'x'], ['a', 'x'], ['b', 'y']]) await req('POST', P, { metadata: { name: n, labels: { tier } } });
    const all = await req('GET', P);
    expect(all.body.items.map((o: any) => o.metadata.name)).toEqual(['a', 'b', 'c']);
    expect(all.body.metadata.resourceVersion).toBe(String(api.revision));
    const sel = await req('GET', `${P}?labelSelector=${encodeURIComponent('tier in (x),tier!=z')}`);
    expect(sel.body.items.map((o: any) => o.metadata.name)).toEqual(['a', 'c']);
    expect((await req('GET', `${P}?fieldSelector=metadata.name%3Db`)).body.items.length).toBe(1);
    const page1 = await req('GET', `${P}?limit=2`);
    expect(page1.body.items.length).toBe(2);
    const page2 = await req('GET', `${P}?limit=2&continue=${page1.body.metadata.continue}`);
    expect(page2.body.items.map((o: any) => o.metadata.name)).toEqual(['c']);
    expect(page2.body.metadata.continue).toBeUndefined();
    expect((await req('GET', `${P}?labelSelector=${encodeURIComponent('a b c')}`)).status).toBe(400);
  });

  it('serves core nodes, namespaced secrets and events, and all-namespace lists', async () => {
    expect((await req('POST', '/api/v1/nodes', { metadata: { name: 'n1' } })).status).toBe(201);
    expect((await req('POST', '/api/v1/namespaces/a/secrets', { metadata: { name: 's' }, data: {} })).status).toBe(201);
    expect((await req('POST', '/api/v1/namespaces/b/secrets', { metadata: { name: 's' }, data: {} })).status).toBe(201);
    expect((await req('POST', '/api/v1/namespaces/b/events', { metadata: { generateName: 'ev-' } })).body.metadata.name).toMatch(/^ev-/);
    expect((await req('GET', '/api/v1/secrets')).body.items.map((s: any) => s.metadata.namespace)).toEqual(['a', 'b']);
    expect((await req('GET', '/api/v1/namespaces/a/secrets/s')).body.metadata.namespace).toBe('a');
    expect((await req('POST', '/api/v1/namespaces/a/nodes', { metadata: { name: 'x' } })).status).toBe(404);
    expect((await req('POST', '/api/v1/namespaces/a/secrets', { metadata: { name: 'y', namespace: 'b' } })).status).toBe(400);
  });

  it('serves namespaced pods: same name in two namespaces, all-namespace list, a recreated pod gets a new uid', async () => {
    const first = (await req('POST', '/api/v1/namespaces/a/pods', { metadata: { name: 'web-0' }, spec: { nodeName: 'n1' } })).body;
    expect((await req('POST', '/api/v1/namespaces/b/pods', { metadata: { name: 'web-0' } })).status).toBe(201);
    expect((await req('POST', '/api/v1/pods', { metadata: { name: 'x' } })).status).toBe(404);
    expect((await req('GET', '/api/v1/pods')).body.items.map((p: any) => `${p.metadata.namespace}/${p.metadata.name}`)).toEqual(['a/web-0', 'b/web-0']);
    expect((await req('DELETE', '/api/v1/namespaces/a/pods/web-0')).status).toBe(200);
    const again = (await req('POST', '/api/v1/namespaces/a/pods', { metadata: { name: 'web-0' } })).body;
    expect(again.metadata.uid).not.toBe(first.metadata.uid);
  });

  it('watches from a revision: replay, live events, selector enter/leave, 410 when too old', async () => {
    const a = (await req('POST', P, { metadata: { name: 'a', labels: { t: 'x' } } })).body;
    const from = Number(a.metadata.resourceVersion);
    const pending = watchEvents(`${P}?watch=true&resourceVersion=${from - 1}&labelSelector=t%3Dx`, 4);
    await waitUntil(() => api.openWatches === 1);
    await req('PATCH', `${P}/a`, { metadata: { labels: { t: 'y' } } }, 'application/merge-patch+json');
    await req('PATCH', `${P}/a`, { metadata: { labels: { t: 'x' } } }, 'application/merge-patch+json');
    const cur = (await req('GET', `${P}/a`)).body;
    await req('DELETE', `${P}/a`);
    const { events } = await pending;
    expect(events.map((e) => e.type)).toEqual(['ADDED', 'DELETED', 'ADDED', 'DELETED']);
    expect(Number(events[3].object.metadata.resourceVersion)).toBeGreaterThan(Number(cur.metadata.resourceVersion));
    // History holds 5 events; after more churn the first revision is gone.
    for (let i = 0; i < 6; i++) await req('POST', P, { metadata: { name: `p${i}` } });
    expect((await watchEvents(`${P}?watch=true&resourceVersion=${from}`, 1)).status).toBe(410);
    const fresh = await watchEvents(`${P}?watch=true`, 6);
    expect(fresh.events.map((e) => [e.type, e.object.metadata.name])).toEqual([0, 1, 2, 3, 4, 5].map((i) => ['ADDED', `p${i}`]));
  });

  it('status subresource: the object ignores status, /status changes only status; generation counts spec changes', async () => {
    api.register({ group: 'tortie.dev', version: 'v1', plural: 'peers', kind: 'Peer', namespaced: false }, { status: true });
    const S = '/apis/tortie.dev/v1/peers';
    const a = (await req('POST', S, { metadata: { name: 'a' }, spec: { n: 1 }, status: { x: 'forged' } })).body;
    expect(a.status).toBeUndefined();
    const cond = { conditions: [{ type: 'Valid', status: 'False' }] };
    const st = await req('PATCH', `${S}/a/status`, { metadata: { resourceVersion: a.metadata.resourceVersion, labels: { no: 'x' } }, spec: { n: 9 }, status: cond }, 'application/merge-patch+json');
    expect(st.status).toBe(200);
    expect(st.body.status).toEqual(cond);
    expect(st.body.spec).toEqual({ n: 1 });
    expect(st.body.metadata.labels).toBeUndefined();
    expect(st.body.metadata.generation).toBe(1);
    // the precondition still holds on /status
    expect((await req('PATCH', `${S}/a/status`, { metadata: { resourceVersion: a.metadata.resourceVersion }, status: {} }, 'application/merge-patch+json')).status).toBe(409);
    const p = await req('PATCH', `${S}/a`, { spec: { n: 2 }, status: null }, 'application/merge-patch+json');
    expect(p.body.status).toEqual(cond);
    expect(p.body.metadata.generation).toBe(2);
    const put = await req('PUT', `${S}/a`, { ...p.body, status: { other: 1 } });
    expect(put.body.status).toEqual(cond);
    expect(put.body.metadata.generation).toBe(2);
    const putStatus = await req('PUT', `${S}/a/status`, { ...put.body, spec: { n: 7 }, status: { y: 1 } });
    expect(putStatus.body).toMatchObject({ spec: { n: 2 }, status: { y: 1 } });
    expect((await req('GET', `${S}/a/status`)).body.status).toEqual({ y: 1 });
    // a type without the subresource has no /status and keeps status on writes
    expect((await req('GET', `${P}/x/status`)).status).toBe(404);
    expect((await req('POST', P, { metadata: { name: 'x' }, status: { kept: true } })).body.status).toEqual({ kept: true });
    expect((await req('GET', '/apis/tortie.dev/v1')).body.resources.map((r: any) => r.name)).toEqual(expect.arrayContaining(['peers', 'peers/status']));
  });

  it('core/v1 Events: create in a namespace, merge-patch count/lastTimestamp, list', async () => {
    const E = '/api/v1/namespaces/default/events';
    const ev = await req('POST', E, { metadata: { name: 'p1.17f' }, involvedObject: { kind: 'BGPPeer', name: 'p1' }, type: 'Warning', reason: 'InvalidSpec', count: 1 });
    expect(ev.status).toBe(201);
    const p = await req('PATCH', `${E}/p1.17f`, { count: 2, lastTimestamp: '2026-01-01T00:00:00Z' }, 'application/merge-patch+json');
    expect(p.body).toMatchObject({ count: 2, reason: 'InvalidSpec', involvedObject: { name: 'p1' } });
    expect((await req('GET', E)).body.items.map((e: any) => e.metadata.name)).toEqual(['p1.17f']);
  });

  it('can refuse an expired watch with an ERROR event instead', async () => {
    const s = await FakeApiServer.start({ historyLimit: 1, expiredAs: 'event' });
    try {
      await fetch(`${s.url}/api/v1/nodes`, { method: 'POST', body: JSON.stringify({ metadata: { name: 'a' } }) });
      await fetch(`${s.url}/api/v1/nodes`, { method: 'POST', body: JSON.stringify({ metadata: { name: 'b' } }) });
      const r = await fetch(`${s.url}/api/v1/nodes?watch=true&resourceVersion=1000`);
      expect(r.status).toBe(200);
      const line = JSON.parse((await r.text()).trim());
      expect(line.type).toBe('ERROR');
      expect(line.object.code).toBe(410);
    } finally {
      await s.close();
    }
  });
});

describe('FakeApiServer with @kubernetes/client-node', () => {
  it('CustomObjectsApi CAS: replace with a stale resourceVersion throws code 409', async () => {
    const co = kubeConfigFor(api.url).makeApiClient(CustomObjectsApi);
    const a = (await co.createClusterCustomObject({ ...G, body: { apiVersion: 'tortie.dev/v1', kind: 'IPPool', metadata: { name: 'a' }, spec: { n: 1 } } })) as KubernetesObject;
    await co.replaceClusterCustomObject({ ...G, name: 'a', body: { ...a, spec: { n: 2 } } });
    await expect(co.replaceClusterCustomObject({ ...G, name: 'a', body: { ...a, spec: { n: 3 } } })).rejects.toMatchObject({ code: 409 });
    const core = kubeConfigFor(api.url).makeApiClient(CoreV1Api);
    await core.createNode({ body: { metadata: { name: 'node-1', labels: { zone: 'a' } } } });
    const nodes = await core.listNode({ labelSelector: 'zone=a' });
    expect(nodes.items.map((n) => n.metadata?.name)).toEqual(['node-1']);
  });

  it('drives a client-node informer: initial list, then add/update/delete, and a relist after 410', async () => {
    const kc = kubeConfigFor(api.url);
    const co = kc.makeApiClient(CustomObjectsApi);
    await co.createClusterCustomObject({ ...G, body: { metadata: { name: 'pre' } } });
    const seen: string[] = [];
    const inf = makeInformer<KubernetesObject>(kc, '/apis/tortie.dev/v1/ippools', () => co.listClusterCustomObject({ ...G }) as never);
    inf.on('add', (o) => seen.push(`add ${o.metadata?.name}`));
    inf.on('update', (o) => seen.push(`update ${o.metadata?.name}`));
    inf.on('delete', (o) => seen.push(`delete ${o.metadata?.name}`));
    inf.on('error', () => {});
    await inf.start();
    try {
      await waitUntil(() => seen.length === 1 && api.openWatches === 1);
      const b = (await co.createClusterCustomObject({ ...G, body: { metadata: { name: 'b' } } })) as KubernetesObject;
      await co.replaceClusterCustomObject({ ...G, name: 'b', body: { ...b, spec: { x: 1 } } });
      await co.deleteClusterCustomObject({ ...G, name: 'pre' });
      await waitUntil(() => seen.length === 4);
      expect(seen).toEqual(['add pre', 'add b', 'update b', 'delete pre']);
      expect(inf.list().map((o) => o.metadata?.name)).toEqual(['b']);
      // The watch drops; while the informer's reconnect is held, a change happens and the history is
      // compacted past it. The reconnect then gets 410 and the informer must relist to see 'c'.
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      api.setHook(({ query }) => (query.get('watch') ? gate.then(() => undefined) : undefined));
      api.dropWatches();
      await waitUntil(() => api.requests.filter((r) => r.includes('watch=true')).length === 2);
      await co.createClusterCustomObject({ ...G, body: { metadata: { name: 'c' } } });
      api.compact();
      api.setHook(undefined);
      release();
      await waitUntil(() => seen.includes('add c'));
      const lists = api.requests.filter((r) => r === 'GET /apis/tortie.dev/v1/ippools');
      expect(lists.length).toBe(2);
      expect(inf.list().map((o) => o.metadata?.name).sort()).toEqual(['b', 'c']);
    } finally {
      await inf.stop();
    }
  });
});

describe('helpers', () => {
  it('label selectors', () => {
    const p = parseLabelSelector('a=1,b!=2,c,!d,e in (x, y),f notin (z)');
    expect(p({ a: '1', c: '', e: 'y' })).toBe(true);
    expect(p({ a: '1', c: '', e: 'y', d: '' })).toBe(false);
    expect(p({ a: '1', c: '', e: 'q' })).toBe(false);
    expect(p({ a: '1', b: '2', c: '', e: 'x' })).toBe(false);
    expect(p({ a: '1', c: '', e: 'x', f: 'z' })).toBe(false);
    expect(parseLabelSelector('')({})).toBe(true);
    expect(() => parseLabelSelector('a b')).toThrow(/invalid label selector/);
  });
  it('merge patch (RFC 7386 examples)', () => {
    expect(mergePatch({ a: 'b' }, { a: 'c' })).toEqual({ a: 'c' });
    expect(mergePatch({ a: 'b', b: 'c' }, { a: null })).toEqual({ b: 'c' });
    expect(mergePatch({ a: [{ b: 'c' }] }, { a: [1] })).toEqual({ a: [1] });
    expect(mergePatch({ a: { b: 'c' } }, { a: { b: 'd', c: null } })).toEqual({ a: { b: 'd' } });
    expect(mergePatch([1, 2], { a: 'b', c: null })).toEqual({ a: 'b' });
  });
});
