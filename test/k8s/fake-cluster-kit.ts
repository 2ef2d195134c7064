// Scaffolding shared by the tests that run the agent's Kubernetes code against the in-process apiserver
// (FakeCluster or a bare FakeApiServer): a poller, a JSON client, Node objects, an agent with a fake
// speaker, and recorders for what the code under test logs and reports. One place, so that a test file
// holds only its scenario and a change to how these are built is made once.
import type { KubeConfig } from '@kubernetes/client-node';
import { afterEach } from 'vitest';
import { Agent } from '../../bgpd/agent/agent';
import { KubernetesClusterSource } from '../../bgpd/agent/k8s-source';
import type { KubernetesClusterSourceOptions } from '../../bgpd/agent/k8s-source';
import type { ObjectProblems, ProblemReporter, ReportedKind } from '../../bgpd/agent/k8s-problems';
import { FakeSpeaker, identity } from '../../bgpd/agent/test-fakes';
import type { FakeProgrammer } from '../../bgpd/agent/test-fakes';
import type { Logger } from '../../bgpd/session/peer-config';
import { FakeCluster } from '../../ipam/k8s-pods-fake-cluster';
import type { PoolInput } from '../../ipam/pools';
import { MemoryStore } from '../../ipam/store/memory-store';
import type { FakeApiServer, KubeObject, ResourceType } from './fake-apiserver';

export const CRD = '/apis/tortie.dev/v1';

/** Polls `fn` every 5 ms; fails after 3 s naming `what`. An exception from `fn` fails at once. */
export async function until(fn: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 3000;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export interface NodeOptions {
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
  /** Also list a Hostname address (the node's name) first, as kubelet does: never a usable BGP address. */
  readonly hostname?: boolean;
}

export interface ApiClient {
  /** One JSON request; PATCH is a merge patch. A non-2xx answer throws with its status and body. */
  req(method: string, path: string, body?: unknown): Promise<KubeObject>;
  /** Creates a Node whose `ips` are its InternalIP addresses. */
  node(name: string, ips: readonly string[], opts?: NodeOptions): Promise<KubeObject>;
}

export function clientFor(baseUrl: string): ApiClient {
  const req = async (method: string, path: string, body?: unknown): Promise<KubeObject> => {
    const res = await fetch(baseUrl + path, {
      method,
      headers: { 'content-type': method === 'PATCH' ? 'application/merge-patch+json' : 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const out = (await res.json()) as KubeObject;
    if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${JSON.stringify(out)}`);
    return out;
  };
  const node = (name: string, ips: readonly string[], opts: NodeOptions = {}): Promise<KubeObject> => {
    const { hostname, ...meta } = opts;
    const internal = ips.map((address) => ({ type: 'InternalIP', address }));
    const addresses = hostname ? [{ type: 'Hostname', address: name }, ...internal] : internal;
    return req('POST', '/api/v1/nodes', { metadata: { name, ...meta }, status: { addresses } });
  };
  return { req, node };
}

export type KitCluster = FakeCluster & ApiClient;

export interface AgentOnOptions {
  /** Source options beyond the kit's (this node, retry 20 ms, mesh defaults AS 64512 on port 179). */
  readonly source?: Partial<KubernetesClusterSourceOptions>;
  readonly speaker?: FakeSpeaker;
  /** Given, the agent follows best routes into it (without one it does not subscribe to them at all). */
  readonly programmer?: FakeProgrammer;
  readonly pools?: readonly PoolInput[];
}

export interface KitAgent {
  readonly speaker: FakeSpeaker;
  readonly agent: Agent;
  readonly ds: MemoryStore;
}

export interface FakeClusterKit {
  /** Runs `fn` after the current test, after everything deferred later (newest first). */
  defer(fn: () => unknown): void;
  /** A FakeCluster (tortie's CRDs with their schemas) with a JSON client, closed after the test. */
  cluster(): Promise<KitCluster>;
  /** A started agent for Node `name`, its peers from a KubernetesClusterSource; stopped after the test. */
  agentOn(where: { kubeConfig: KubeConfig }, name: string, opts?: AgentOnOptions): Promise<KitAgent>;
}

/** Call once at the top of a test file: registers the afterEach that undoes what the kit started. */
export function useFakeClusterKit(): FakeClusterKit {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  const defer = (fn: () => unknown): void => {
    cleanups.push(fn);
  };
  const cluster = async (): Promise<KitCluster> => {
    const c = await FakeCluster.start();
    defer(() => c.close());
    return Object.assign(c, clientFor(c.api.url));
  };
  const agentOn = async (where: { kubeConfig: KubeConfig }, name: string, opts: AgentOnOptions = {}): Promise<KitAgent> => {
    const speaker = opts.speaker ?? new FakeSpeaker();
    const ds = new MemoryStore();
    const peerSource = new KubernetesClusterSource({
      kubeConfig: where.kubeConfig, nodeName: name, retryMs: 20,
      defaults: { asNumber: 64512, nodeToNodeMesh: true, listenPort: 179 },
      ...opts.source,
    });
    const agent = new Agent({
      ds, speaker, identity: identity(), debounceMs: 1, resyncMs: 0, node: { name }, peerSource,
      ...(opts.programmer ? { programmer: opts.programmer } : {}),
      ...(opts.pools ? { pools: opts.pools } : {}),
    });
    await agent.start();
    defer(() => agent.stop());
    return { speaker, agent, ds };
  };
  return { defer, cluster, agentOn };
}

/** A Logger that keeps every line as `level message`, and the warnings' messages on their own. */
export function recordingLogger(): Logger & { warnings: string[]; all: string[] } {
  const warnings: string[] = [];
  const all: string[] = [];
  const rec = (level: string) => (_o: Record<string, unknown>, msg: string) => {
    all.push(`${level} ${msg}`);
    if (level === 'warn') warnings.push(msg);
  };
  return { warnings, all, debug: rec('debug'), info: rec('info'), warn: rec('warn'), error: rec('error') };
}

/**
 * The problems of the latest report, keyed `Kind/name`. The Kubernetes source reports every kind it
 * reads each time, so the latest report is the whole picture.
 */
export class RecordingReporter implements ProblemReporter {
  last = new Map<string, string[]>();
  report(_kinds: readonly ReportedKind[], items: readonly ObjectProblems[]): void {
    this.last = new Map(items.map((i) => [`${i.ref.kind}/${i.ref.name}`, i.problems]));
  }
}

/** The `Valid` condition the agent wrote into an object's status, if any. */
export function validCondition(api: FakeApiServer, type: Pick<ResourceType, 'group' | 'version' | 'plural'>, name: string): Record<string, unknown> | undefined {
  const status = api.objects(type).find((o) => o.metadata.name === name)?.status as { conditions?: Record<string, unknown>[] } | undefined;
  return (status?.conditions ?? []).find((c) => c.type === 'Valid');
}
