// Test helper: an in-process fake apiserver (test/k8s) with tortie's CRDs installed and their schemas
// enforced — so whatever the Kubernetes store writes must also be acceptable to a real cluster — plus
// pod helpers standing in for the scheduler and kubelet (spec.nodeName, status.podIPs).
import type { KubeConfig } from '@kubernetes/client-node';
import { kubeConfigFor } from '../test/k8s/client';
import { compileCrdSchema, makeAjv } from '../test/k8s/crd-schema';
import { FakeApiServer, type KubeObject } from '../test/k8s/fake-apiserver';
import { readCrds } from '../test/k8s/manifests';
import { KubernetesStore } from './store/kubernetes';

const POD = { group: '', version: 'v1', plural: 'pods' } as const;

let crdCache: { type: { group: string; version: string; plural: string; kind: string; namespaced: boolean }; validate: (o: KubeObject) => string[]; status: boolean }[] | undefined;

function crds(): NonNullable<typeof crdCache> {
  if (!crdCache) {
    const ajv = makeAjv();
    crdCache = readCrds().map((c) => {
      const v = compileCrdSchema(ajv, c.schema);
      const validate = (obj: KubeObject): string[] => (v(obj) ? [] : (v.errors ?? []).map((e) => `${e.instancePath} ${e.message}`));
      return { type: { group: c.group, version: 'v1', plural: c.plural, kind: c.kind, namespaced: false }, validate, status: c.status };
    });
  }
  return crdCache;
}

export interface PodSpec {
  readonly namespace: string;
  readonly name: string;
  readonly nodeName?: string;
  readonly podIPs?: readonly string[];
}

export class FakeCluster {
  private readonly stores: KubernetesStore[] = [];
  readonly kubeConfig: KubeConfig;

  private constructor(readonly api: FakeApiServer) {
    this.kubeConfig = kubeConfigFor(api.url);
  }

  static async start(): Promise<FakeCluster> {
    const api = await FakeApiServer.start();
    for (const c of crds()) api.register(c.type, { validate: c.validate, status: c.status });
    return new FakeCluster(api);
  }

  store(): KubernetesStore {
    const s = new KubernetesStore({ kubeConfig: this.kubeConfig, watchRetryMs: 20 });
    this.stores.push(s);
    return s;
  }

  /** Creates a pod; returns its uid. */
  async createPod(p: PodSpec): Promise<string> {
    const body = {
      metadata: { name: p.name },
      spec: p.nodeName ? { nodeName: p.nodeName } : {},
      status: p.podIPs ? { podIP: p.podIPs[0], podIPs: p.podIPs.map((ip) => ({ ip })) } : {},
    };
    const res = await this.request('POST', `/api/v1/namespaces/${p.namespace}/pods`, body);
    return (res as KubeObject).metadata.uid!;
  }

  async deletePod(namespace: string, name: string): Promise<void> {
    await this.request('DELETE', `/api/v1/namespaces/${namespace}/pods/${name}`);
  }

  pods(): KubeObject[] {
    return this.api.objects(POD);
  }

  async close(): Promise<void> {
    for (const s of this.stores) await s.close();
    await this.api.close();
  }

  private async request(method: string, path: string, body?: unknown): Promise<unknown> {
    const res = await fetch(this.api.url + path, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const out: unknown = await res.json();
    if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${JSON.stringify(out)}`);
    return out;
  }
}
