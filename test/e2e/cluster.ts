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
      plugins: [{ type: 'tortie', datastore: `file:${this.store}`, data_dir: join(this.lab.tmpDir, 'cni'), ipam: { type: 'tortie-ipam' } }],
    };
  }

  private async build(): Promise<void> {
    const hosts: LabHost[] = [];
    for (let i = 1; i <= this.opts.nodes; i++) hosts.push(await this.lab.host(`n${i}`, { forwarding: true }));
    this.torHost = await this.lab.host('tor', { forwarding: true });
    const br = await this.lab.bridge('u', [...hosts, this.torHost], { subnet: '198.18.1.0/24' });
    this.underlay = br;
    const torIp = br.addressOf('tor');
    for (const h of hosts) {
      this.nodes.push(this.makeNode(h, br.addressOf(h.name), torIp));
      // proxy ARP answers the pods' 169.254.1.1 only when the node has a route to it. Deliberately no
      // default route: the ToR knows every block, so pod traffic would detour through it and hide
      // missing mesh routes from the ping matrix.
      await h.ip(['route', 'add', '169.254.1.1/32', 'via', torIp]);
    }
    this.tor = await FrrDaemon.start(this.torHost, {
      routerId: torIp, localAs: TOR_AS, localAddress: torIp,
      neighbors: this.nodes.map((n) => ({ address: n.spec.address, as: NODE_AS, holdTime: 9 })),
    });
    // one at a time: nodes take their tunnel address from the shared store on start
    for (const n of this.nodes) await n.start();
    await this.waitConverged();
    for (const n of this.nodes) for (let k = 0; k < (this.opts.pods ?? 2); k++) await this.addPod(n);
  }

  private makeNode(h: LabHost, address: string, torIp: string): ClusterNode {
    return new ClusterNode(h, {
      address, asNumber: NODE_AS, store: this.store, pool: this.pool, encap: this.opts.encap,
      tor: { address: torIp, asNumber: TOR_AS }, routeReflector: this.opts.rr === true && h.name === 'n1',
    });
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

  /** A new node joining the running cluster (the ToR is told about it too). */
  async addNode(): Promise<ClusterNode> {
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
    await this.tor.vtysh(['configure terminal', `router bgp ${TOR_AS}`, `neighbor ${addr} remote-as ${NODE_AS}`, `neighbor ${addr} timers 3 9`,
      `neighbor ${addr} timers connect 1`, `neighbor ${addr} advertisement-interval 0`, 'address-family ipv4 unicast', `neighbor ${addr} activate`]);
    this.nodes.push(n);
    await n.start();
    return n;
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
  }
}
