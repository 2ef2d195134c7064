import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LabHost } from '../lab-host';
import type { LabProcess } from '../lab-process';
import { run } from '../run-command';
import { LabDaemon, awaitReady, daemonDir, spawnDaemon } from './lab-daemon';
import {
  familyOfPrefix,
  localAddressFor,
  neighborFamilies,
  type BgpDaemon,
  type OriginatedRoute,
  type ReceivedRoute,
  type SpeakerSpec,
} from './types';

/** BIRD protocol name of the i-th neighbor (BIRD names cannot contain dots or colons). */
export function birdProtocolName(i: number): string {
  return `n${i}`;
}

function birdRouteLine(r: OriginatedRoute): string {
  const attrs: string[] = [];
  if (r.med !== undefined) attrs.push(`bgp_med = ${r.med};`);
  for (const c of r.communities ?? []) attrs.push(`bgp_community.add((${c.split(':').join(',')}));`);
  for (const c of r.largeCommunities ?? []) attrs.push(`bgp_large_community.add((${c.split(':').join(',')}));`);
  // blackhole: the route exists only to be announced; eBGP rewrites the next hop to ourselves.
  return attrs.length > 0 ? `  route ${r.prefix} blackhole { ${attrs.join(' ')} };` : `  route ${r.prefix} blackhole;`;
}

/** BIRD-only knobs on top of the common SpeakerSpec. */
export interface BirdOptions {
  /** Install learned BGP routes into the host namespace's FIB (kernel protocol). Default false. */
  readonly kernelExport?: boolean;
  /** Raw BIRD config appended at the end (filters, extra protocols). */
  readonly extraConfig?: string;
}

export function renderBirdConfig(spec: SpeakerSpec, routes: readonly OriginatedRoute[], opts: BirdOptions = {}): string {
  const out: string[] = [`router id ${spec.routerId};`, 'log stderr all;', 'protocol device { scan time 10; }'];
  if (opts.kernelExport) {
    // only BGP routes: our static routes are blackholes that exist just to be announced
    for (const fam of ['ipv4', 'ipv6']) out.push(`protocol kernel k_${fam} { ${fam} { import none; export where source = RTS_BGP; }; }`);
  }
  for (const fam of ['ipv4', 'ipv6'] as const) {
    const rs = routes.filter((r) => familyOfPrefix(r.prefix) === fam);
    // An empty static protocol is fine and lets a later addRoute be a pure reconfigure.
    out.push(`protocol static s_${fam} {`, `  ${fam};`, ...rs.map(birdRouteLine), '}');
  }
  spec.neighbors.forEach((n, i) => {
    out.push(`protocol bgp ${birdProtocolName(i)} {`);
    if (n.description) out.push(`  description ${JSON.stringify(n.description)};`);
    out.push(`  local ${localAddressFor(spec, n)} as ${spec.localAs};`);
    out.push(`  neighbor ${n.address} as ${n.as};`);
    out.push(`  hold time ${n.holdTime ?? 30};`);
    // Defaults are 5 s / 120 s / up to 300 s: far too slow for tests, and BIRD backs off after
    // failed connects while the peer daemon is still starting.
    out.push('  connect delay time 1;', '  connect retry time 2;', '  error wait time 1, 4;');
    if (n.passive) out.push('  passive on;');
    if (n.password !== undefined) out.push(`  password ${JSON.stringify(n.password)};`);
    // BIRD treats iBGP as multihop and resolves next hops through an IGP table we do not have;
    // lab peers share a segment, so declare them directly connected (gateway direct).
    if (n.as === spec.localAs) out.push('  direct;');
    if (n.routeReflectorClient) out.push('  rr client;');
    if (n.gracefulRestart) out.push('  graceful restart on;');
    // BIRD only sends a MED to eBGP peers when the export filter set it ("fresh"), so re-set
    // the MED our static routes carry; everything else is exported unchanged.
    const exportAll = 'export filter { if source = RTS_STATIC && defined(bgp_med) then bgp_med = bgp_med; accept; }';
    for (const fam of neighborFamilies(n)) out.push(`  ${fam} { import all; ${exportAll}; };`);
    out.push('}');
  });
  if (opts.extraConfig) out.push(opts.extraConfig);
  return out.join('\n') + '\n';
}

/**
 * Parses `birdc show route all`. Route blocks start at column 0 with the prefix (or with
 * whitespace + "unicast" for further routes to the same prefix); attribute lines are indented.
 */
export interface BirdRoute extends ReceivedRoute {
  /** The BIRD protocol that supplied the route ("n0", "s_ipv4"). */
  readonly protocol: string;
}

export function parseBirdRoutes(text: string): BirdRoute[] {
  const routes: BirdRoute[] = [];
  let prefix = '';
  let cur:
    | { prefix: string; protocol: string; nextHop: string; asPath: number[]; communities: string[]; largeCommunities: string[]; med?: number; peer?: string }
    | undefined;
  const flush = (): void => {
    if (cur) routes.push(cur);
    cur = undefined;
  };
  for (const raw of text.split('\n')) {
    const line = raw.replace(/^\d{4}[- ]/, '');
    const head = /^(\S+\/\d+)?\s+(?:unicast|blackhole|unreachable|prohibited)\s+\[(\S+)[^\]]*?(?:from (\S+))?\]/.exec(line);
    if (head) {
      flush();
      if (head[1]) prefix = head[1];
      cur = { prefix, protocol: head[2], nextHop: '', asPath: [], communities: [], largeCommunities: [] };
      if (head[3]) cur.peer = head[3];
      continue;
    }
    if (!cur) continue;
    const attr = /^\s+BGP\.(\w+):\s*(.*)$/.exec(line);
    if (!attr) continue;
    const [, key, value] = attr;
    if (key === 'as_path') cur.asPath = value.split(/\s+/).filter((x) => /^\d+$/.test(x)).map(Number);
    else if (key === 'next_hop') cur.nextHop = value.split(/\s+/)[0];
    else if (key === 'med') cur.med = Number(value);
    else if (key === 'community') cur.communities = [...value.matchAll(/\((\d+),\s*(\d+)\)/g)].map((m) => `${m[1]}:${m[2]}`);
    else if (key === 'large_community')
      cur.largeCommunities = [...value.matchAll(/\((\d+),\s*(\d+),\s*(\d+)\)/g)].map((m) => `${m[1]}:${m[2]}:${m[3]}`);
  }
  flush();
  return routes;
}

/** `birdc show protocols <name>` → the BGP FSM state from the Info column ("Established", "Active", ...). */
export function parseBirdProtocolState(text: string, name: string): string | undefined {
  for (const line of text.split('\n')) {
    const cols = line.trim().split(/\s+/);
    if (cols[0] === name && cols[1] === 'BGP') return cols[5];
  }
  return undefined;
}

/** `show route count` → the route total ("5 of 5 routes for 5 networks in table master4"; summed over tables). */
export function parseBirdRouteCount(text: string): number {
  let n = 0;
  for (const m of text.matchAll(/^(?:\d{4}[- ])?(\d+) of (\d+) routes/gm)) n += Number(m[1]);
  return n;
}

export class BirdDaemon extends LabDaemon implements BgpDaemon {
  readonly kind = 'bird' as const;
  protected readonly establishedState = 'Established';
  private routesNow: OriginatedRoute[];

  private constructor(
    host: LabHost,
    spec: SpeakerSpec,
    dir: string,
    process: LabProcess,
    private readonly opts: BirdOptions,
  ) {
    super(host, spec, dir, process);
    this.routesNow = [...(spec.routes ?? [])];
  }

  get socket(): string {
    return path.join(this.dir, 'bird.ctl');
  }

  private get configPath(): string {
    return path.join(this.dir, 'bird.conf');
  }

  /** Renders the config into `<host dir>/bird`, starts `bird -f` and waits for its control socket. */
  static async start(host: LabHost, spec: SpeakerSpec, opts: BirdOptions = {}): Promise<BirdDaemon> {
    const dir = daemonDir(host, 'bird');
    const conf = path.join(dir, 'bird.conf');
    fs.writeFileSync(conf, renderBirdConfig(spec, spec.routes ?? [], opts));
    await run('bird', ['-p', '-c', conf]);
    const proc = spawnDaemon(host, 'bird', 'bird', 'bird', ['-f', '-c', conf, '-s', path.join(dir, 'bird.ctl'), '-P', path.join(dir, 'bird.pid')]);
    const d = new BirdDaemon(host, spec, dir, proc, opts);
    await awaitReady(proc, 'bird', `BIRD in ${host.netns} to answer on ${d.socket}`, async () =>
      (await d.birdc(['show', 'status'])).includes('Daemon is up'),
    );
    return d;
  }

  /** Runs birdc against the private socket (from the root namespace: the socket is a plain file). */
  async birdc(args: readonly string[]): Promise<string> {
    const r = await run('birdc', ['-s', this.socket, ...args], { timeoutMs: 10_000 });
    return r.stdout;
  }

  private protocolOf(peer: string): string {
    const i = this.spec.neighbors.findIndex((n) => n.address === peer);
    if (i < 0) throw new Error(`BIRD in ${this.host.name} has no neighbor ${peer}`);
    return birdProtocolName(i);
  }

  async state(peer: string): Promise<string | undefined> {
    const name = this.protocolOf(peer);
    return parseBirdProtocolState(await this.birdc(['show', 'protocols', name]), name);
  }

  /** Restarts a session, e.g. to skip BIRD's error-wait backoff after the peer was down. */
  async restart(peer: string): Promise<void> {
    await this.birdc(['restart', this.protocolOf(peer)]);
  }

  async routes(): Promise<ReceivedRoute[]> {
    const v4 = parseBirdRoutes(await this.birdc(['show', 'route', 'all', 'table', 'master4']));
    const v6 = parseBirdRoutes(await this.birdc(['show', 'route', 'all', 'table', 'master6']));
    // BIRD prints "from <addr>" only when it differs from the next hop, so map protocol → neighbor.
    const received: ReceivedRoute[] = [];
    for (const r of [...v4, ...v6]) {
      const i = /^n(\d+)$/.exec(r.protocol)?.[1];
      const n = i === undefined ? undefined : this.spec.neighbors[Number(i)];
      if (!n) continue;
      const { protocol: _protocol, ...rest } = r;
      received.push({ ...rest, peer: n.address });
    }
    return received;
  }

  async receivedCount(peer: string): Promise<number> {
    return parseBirdRouteCount(await this.birdc(['show', 'route', 'count', 'protocol', this.protocolOf(peer)]));
  }

  async addRoute(route: OriginatedRoute): Promise<void> {
    this.routesNow = [...this.routesNow.filter((r) => r.prefix !== route.prefix), route];
    await this.reconfigure();
  }

  async withdrawRoute(prefix: string): Promise<void> {
    this.routesNow = this.routesNow.filter((r) => r.prefix !== prefix);
    await this.reconfigure();
  }

  private async reconfigure(): Promise<void> {
    fs.writeFileSync(this.configPath, renderBirdConfig(this.spec, this.routesNow, this.opts));
    const out = await this.birdc(['configure', `"${this.configPath}"`]);
    if (!/Reconfigured|Reconfiguration in progress/.test(out)) throw new Error(`BIRD reconfigure failed: ${out}`);
  }

}
