// The demo / end-to-end topology: N nodes and a ToR router (FRR, its own AS) on one L2 underlay
// (198.18.1.0/24), dist/bgpd on every node sharing one file datastore, pods wired in through the CNI
// plugins by the test exec client. Used by scripts/demo.ts and test/e2e/*.lab.test.ts.
import { join } from 'node:path';
import { Lab } from '../lab/lab';
import type { LabHost } from '../lab/lab-host';
import { FrrDaemon } from '../lab/daemons/frr';
import { waitFor } from '../lab/wait-for';
import { addNetworkList, delNetworkList } from '../cni/exec-client';
import type { ConfList, RuntimeConf } from '../cni/exec-client';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { writeFileSync } from 'node:fs';
import { FakeCluster } from '../../ipam/k8s-pods-fake-cluster';
import { withNetns } from '../../dataplane/netns';
import { ClusterNode, ROOT } from './node';
import type { Encap } from './node';

export const NODE_AS = 64512;
export const TOR_AS = 65000;
const CNI_PATH = [join(ROOT, 'dist'), '/usr/lib/cni'];

export interface ClusterOptions {
  prefix: string;
  nodes: number;
  encap: Encap;
  /** Node 1 is a route reflector; the others peer only with it. */
  rr?: boolean;
  pool?: string;
  /** Pods per node. */
  pods?: number;
  /** 'kubernetes': the fake apiserver (test/k8s) stands in for the cluster — reachable from the lab over
   *  the ToR's underlay address; nodes, the ToR peer and pools are Kubernetes objects. Default 'file'. */
  datastore?: 'file' | 'kubernetes';
  /** TCP-MD5 on the ToR sessions: a Secret + the BGPPeer's password.secretKeyRef (kubernetes), else the YAML peer's password. */
  torPassword?: string;
  /** bgpd runs with only these capabilities (see manifest-caps.ts). */
  capabilities?: readonly string[];
}

export interface Pod {
  name: string;
  node: ClusterNode;
  host: LabHost;
  ip: string;
  rt: RuntimeConf;
  result: Record<string, unknown>;
}

export class Cluster {
  readonly nodes: ClusterNode[] = [];
  readonly pods: Pod[] = [];
  tor!: FrrDaemon;
  torHost!: LabHost;
  readonly store: string;
  readonly pool: string;
  /** With datastore 'kubernetes': the fake cluster (objects are written through `k8s.api.url` from the test). */
  k8s?: FakeCluster;
  kubeconfig?: string;
  private apiListener?: Server;
  private underlay!: { addressOf(host: string): string };

  private constructor(readonly lab: Lab, readonly opts: ClusterOptions) {
    this.store = join(lab.tmpDir, 'datastore');
    this.pool = opts.pool ?? '10.65.0.0/16';
  }

  static async create(opts: ClusterOptions): Promise<Cluster> {
    const lab = await Lab.create({ prefix: opts.prefix });
    const c = new Cluster(lab, opts);
    try {
      await c.build();
    } catch (err) {
      await c.destroy();
      throw err;
    }
    return c;
  }

  get conflist(): ConfList {
    return {
      cniVersion: '1.1.0',
      name: 'k8s-pod-network',
      plugins: [{ type: 'tortie', datastore: this.kubeconfig ? `kubernetes:${this.kubeconfig}` : `file:${this.store}`, data_dir: join(this.lab.tmpDir, 'cni'), ipam: { type: 'tortie-ipam' } }],
    };
  }

  private async build(): Promise<void> {
    const hosts: LabHost[] = [];
    for (let i = 1; i <= this.opts.nodes; i++) hosts.push(await this.lab.host(`n${i}`, { forwarding: true }));
    this.torHost = await this.lab.host('tor', { forwarding: true });
    const br = await this.lab.bridge('u', [...hosts, this.torHost], { subnet: '198.18.1.0/24' });
    this.underlay = br;
    const torIp = br.addressOf('tor');
    if (this.opts.datastore === 'kubernetes') await this.startApiServer(torIp);
    for (const h of hosts) {
      this.nodes.push(this.makeNode(h, br.addressOf(h.name), torIp));
      // proxy ARP answers the pods' 169.254.1.1 only when the node has a route to it. Deliberately no
      // default route: the ToR knows every block, so pod traffic would detour through it and hide
      // missing mesh routes from the ping matrix.
      await h.ip(['route', 'add', '169.254.1.1/32', 'via', torIp]);
    }
    if (this.k8s) {
      for (const n of this.nodes) await this.apiNode(n);
      const pw = this.opts.torPassword;
      if (pw !== undefined) {
        // bgpd reads Secrets from its own namespace (POD_NAMESPACE, default tortie-system)
        await this.api('POST', '/api/v1/namespaces/tortie-system/secrets', {
          apiVersion: 'v1', kind: 'Secret', metadata: { name: 'tor-md5', namespace: 'tortie-system' }, data: { password: Buffer.from(pw).toString('base64') },
        });
      }
      await this.api('POST', '/apis/tortie.dev/v1/bgppeers', {
        apiVersion: 'tortie.dev/v1', kind: 'BGPPeer', metadata: { name: 'tor' },
        spec: { peerIP: torIp, asNumber: TOR_AS, ...(pw !== undefined ? { password: { secretKeyRef: { name: 'tor-md5', key: 'password' } } } : {}) },
      });
    }
    this.tor = await FrrDaemon.start(this.torHost, {
      routerId: torIp, localAs: TOR_AS, localAddress: torIp,
      neighbors: this.nodes.map((n) => ({ address: n.spec.address, as: NODE_AS, holdTime: 9, ...(this.opts.torPassword !== undefined ? { password: this.opts.torPassword } : {}) })),
    });
    // one at a time: nodes take their tunnel address from the shared store on start
    for (const n of this.nodes) await n.start();
    await this.waitConverged();
    for (const n of this.nodes) for (let k = 0; k < (this.opts.pods ?? 2); k++) await this.addPod(n);
  }

  /**
   * The fake apiserver runs in this process; a second listener created inside the ToR's netns (the
   * socket is made while the thread is switched there) lets every node reach it at torIp:6443.
   */
  private async startApiServer(torIp: string): Promise<void> {
    this.k8s = await FakeCluster.start();
    const srv = createServer(this.k8s.api.handler);
    // listen(port) without a host binds synchronously, so the socket is created inside the netns
    withNetns(this.torHost.netns, () => srv.listen(6443));
    await new Promise<void>((resolve, reject) => (srv.listening ? resolve() : srv.once('listening', resolve).once('error', reject)));
    this.apiListener = srv;
    this.kubeconfig = join(this.lab.tmpDir, 'kubeconfig');
    writeFileSync(this.kubeconfig, JSON.stringify({
      apiVersion: 'v1', kind: 'Config',
      // client-node refuses plain http unless TLS verification is (nominally) off
      clusters: [{ name: 'lab', cluster: { server: `http://${torIp}:6443`, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'lab', user: { token: 'lab' } }],
      contexts: [{ name: 'lab', context: { cluster: 'lab', user: 'lab' } }],
      'current-context': 'lab',
    }));
  }

  /** A request to the fake apiserver from the test (over its loopback listener). */
  async api(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
    if (!this.k8s) throw new Error('not a kubernetes-datastore cluster');
    const res = await fetch(this.k8s.api.url + path, {
      method,
      headers: { 'content-type': method === 'PATCH' ? 'application/merge-patch+json' : 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const out = (await res.json()) as Record<string, unknown>;
    if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${JSON.stringify(out)}`);
    return out;
  }

  /** The Node object of a cluster node (InternalIP = its underlay address). */
  async apiNode(n: ClusterNode): Promise<void> {
    await this.api('POST', '/api/v1/nodes', {
      apiVersion: 'v1', kind: 'Node', metadata: { name: n.name, labels: { 'kubernetes.io/hostname': n.name } },
      status: { addresses: [{ type: 'InternalIP', address: n.spec.address }, { type: 'Hostname', address: n.name }] },
    });
  }

  private makeNode(h: LabHost, address: string, torIp: string): ClusterNode {
    return new ClusterNode(h, {
      address, asNumber: NODE_AS, store: this.store, ...(this.kubeconfig ? { kubeconfig: this.kubeconfig } : {}),
      ...(this.opts.capabilities ? { capabilities: this.opts.capabilities } : {}), pool: this.pool, encap: this.opts.encap,
      tor: { address: torIp, asNumber: TOR_AS, ...(this.opts.torPassword !== undefined ? { password: this.opts.torPassword } : {}) }, routeReflector: this.opts.rr === true && h.name === 'n1',
    });
  }

  /** The ToR's underlay address. */
  get torAddress(): string {
    return this.underlay.addressOf('tor');
  }

  /** Sessions each node should have: the ToR plus the mesh (or the reflector / its clients). */
  expectedPeers(n: ClusterNode): number {
    const others = this.nodes.length - 1;
    if (!this.opts.rr) return 1 + others;
    return 1 + (n.spec.routeReflector ? others : 1);
  }

  async waitConverged(timeoutMs = 30_000): Promise<void> {
    await waitFor(async () => {
      for (const n of this.nodes) if (!(await n.allEstablished(this.expectedPeers(n)))) return false;
      return true;
    }, { what: 'every BGP session Established', timeoutMs, intervalMs: 250 });
  }

  /** A new node joining the running cluster (the ToR is told about it too, unless `torLater`: then call
   *  `torNeighbor(node)` when the ToR should start accepting it). */
  async addNode(opts: { torLater?: boolean } = {}): Promise<ClusterNode> {
    const i = this.nodes.length + 1;
    const h = await this.lab.host(`n${i}`, { forwarding: true });
    const addr = `198.18.1.${100 + i}`;
    // a veth from the new node into the bridge namespace, like the harness's own bridge ports
    const brNs = `${this.lab.run}-u`;
    const { run } = await import('../lab/run-command');
    await run('ip', ['-n', h.netns, 'link', 'add', 'u0', 'type', 'veth', 'peer', 'name', `un${i}`, 'netns', brNs]);
    await run('ip', ['-n', brNs, 'link', 'set', `un${i}`, 'master', 'br0', 'up']);
    await run('ip', ['-n', h.netns, 'addr', 'add', `${addr}/24`, 'dev', 'u0']);
    await run('ip', ['-n', h.netns, 'link', 'set', 'u0', 'up']);
    await run('ip', ['-n', h.netns, 'route', 'add', '169.254.1.1/32', 'via', this.underlay.addressOf('tor')]);
    const n = this.makeNode(h, addr, this.underlay.addressOf('tor'));
    if (!opts.torLater) await this.torNeighbor(n);
    this.nodes.push(n);
    if (this.k8s) await this.apiNode(n);
    await n.start();
    return n;
  }

  /** Configures the ToR to peer with `n` (addNode does it unless told `torLater`). */
  async torNeighbor(n: ClusterNode): Promise<void> {
    const addr = n.spec.address;
    const pw = this.opts.torPassword !== undefined ? [`neighbor ${addr} password ${this.opts.torPassword}`] : [];
    await this.tor.vtysh(['configure terminal', `router bgp ${TOR_AS}`, `neighbor ${addr} remote-as ${NODE_AS}`, `neighbor ${addr} timers 3 9`,
      `neighbor ${addr} timers connect 1`, `neighbor ${addr} advertisement-interval 0`, ...pw, 'address-family ipv4 unicast', `neighbor ${addr} activate`]);
  }

  async addPod(n: ClusterNode): Promise<Pod> {
    const idx = this.pods.filter((p) => p.node === n).length;
    const name = `p${n.name.slice(1)}${String.fromCharCode(97 + idx)}`;
    const host = await this.lab.host(name);
    const rt: RuntimeConf = {
      containerId: `${this.lab.run}-${name}`,
      netns: `/var/run/netns/${host.netns}`,
      ifname: 'eth0',
      args: { IgnoreUnknown: '1', K8S_POD_NAMESPACE: 'default', K8S_POD_NAME: name },
      hostNetns: `/var/run/netns/${n.host.netns}`,
      cniPath: CNI_PATH,
      env: { TORTIE_NODENAME: n.name },
    };
    const list = { ...this.conflist, plugins: this.conflist.plugins.map((p) => ({ ...p, nodename: n.name })) };
    const result = await addNetworkList(list, rt);
    const ip = String((result.ips as { address: string }[])[0].address).split('/')[0];
    const pod: Pod = { name, node: n, host, ip, rt, result };
    this.pods.push(pod);
    return pod;
  }

  async deletePod(pod: Pod): Promise<void> {
    const list = { ...this.conflist, plugins: this.conflist.plugins.map((p) => ({ ...p, nodename: pod.node.name })) };
    await delNetworkList(list, pod.rt, pod.result);
    this.pods.splice(this.pods.indexOf(pod), 1);
  }

  /** Every pod pings every other pod once (in parallel); returns the failures as "a → b". */
  async pingMatrix(): Promise<{ ok: number; failed: string[] }> {
    const pairs = this.pods.flatMap((a) => this.pods.filter((b) => b !== a).map((b) => [a, b] as const));
    const results = await Promise.all(pairs.map(async ([a, b]) => ({ a, b, ok: await a.host.ping(b.ip, { timeoutS: 2 }) || await a.host.ping(b.ip, { timeoutS: 2 }) })));
    return { ok: results.filter((r) => r.ok).length, failed: results.filter((r) => !r.ok).map((r) => `${r.a.name}(${r.a.ip}) → ${r.b.name}(${r.b.ip})`) };
  }

  /** Prefixes in the ToR's BGP table. */
  async torPrefixes(): Promise<string[]> {
    return [...new Set((await this.tor.routes()).map((r) => r.prefix))].sort();
  }

  async destroy(): Promise<void> {
    await this.lab.cleanup();
    this.apiListener?.close();
    await this.k8s?.close();
  }
}
