import * as fs from 'node:fs';
import * as path from 'node:path';
import { isIP } from 'node:net';
import type { LabHost } from '../lab-host';
import { run } from '../run-command';
import { LabDaemon, awaitReady, daemonDir, spawnDaemon } from './lab-daemon';
import {
  localAddressFor,
  neighborFamilies,
  type BgpDaemon,
  type OriginatedRoute,
  type ReceivedRoute,
  type SpeakerSpec,
} from './types';

const q = (s: string): string => JSON.stringify(s);

/** The `set { ... }` attribute words shared by the config's `network` and `bgpctl network add`. */
export function openbgpdSetWords(r: OriginatedRoute): string[] {
  const w: string[] = [];
  if (r.med !== undefined) w.push('med', String(r.med));
  for (const c of r.communities ?? []) w.push('community', c);
  for (const c of r.largeCommunities ?? []) w.push('large-community', c);
  return w;
}

export function renderOpenbgpdConfig(spec: SpeakerSpec, socket: string): string {
  const out = [`AS ${spec.localAs}`, `router-id ${spec.routerId}`, `listen on ${spec.localAddress}`];
  if (spec.localAddress6) out.push(`listen on ${spec.localAddress6}`);
  // A private control socket, and no kernel routes: the lab checks the RIB, not the FIB.
  out.push(`socket ${q(socket)}`, 'fib-update no');
  for (const r of spec.routes ?? []) {
    const set = openbgpdSetWords(r);
    out.push(set.length > 0 ? `network ${r.prefix} set { ${set.join(' ')} }` : `network ${r.prefix}`);
  }
  for (const n of spec.neighbors) {
    out.push(`neighbor ${n.address} {`, `  remote-as ${n.as}`, `  local-address ${localAddressFor(spec, n)}`, `  holdtime ${n.holdTime ?? 30}`);
    if (n.description) out.push(`  descr ${q(n.description)}`);
    if (n.passive) out.push('  passive');
    if (n.routeReflectorClient) out.push('  route-reflector');
    if (n.gracefulRestart) out.push('  announce restart yes');
    const fams = neighborFamilies(n);
    out.push(`  announce IPv4 ${fams.includes('ipv4') ? 'unicast' : 'none'}`);
    out.push(`  announce IPv6 ${fams.includes('ipv6') ? 'unicast' : 'none'}`);
    out.push('}');
  }
  // OpenBGPD 7 follows RFC 8212: without explicit filters nothing is accepted or sent.
  out.push('allow from any', 'allow to any');
  return out.join('\n') + '\n';
}

interface ObgpdRibEntry {
  prefix?: string;
  aspath?: string;
  exit_nexthop?: string;
  true_nexthop?: string;
  neighbor?: { remote_addr?: string };
  metric?: number;
  communities?: string[];
  large_communities?: string[];
}

/** Parses `bgpctl -j show rib detail`: { rib: [ { prefix, aspath, exit_nexthop, neighbor, metric, communities, ... } ] }. */
export function parseOpenbgpdRib(json: string): ReceivedRoute[] {
  const doc = JSON.parse(json || '{}') as { rib?: ObgpdRibEntry[] };
  const out: ReceivedRoute[] = [];
  for (const e of doc.rib ?? []) {
    const peer = e.neighbor?.remote_addr;
    // Our own `network` routes show neighbor "LOCAL" with remote_addr "???".
    if (!e.prefix || !peer || isIP(peer) === 0) continue;
    const asPath = (e.aspath ?? '').split(/\s+/).filter((x) => /^\d+$/.test(x)).map(Number);
    out.push({
      prefix: e.prefix,
      nextHop: e.exit_nexthop ?? e.true_nexthop ?? '',
      asPath,
      communities: e.communities ?? [],
      largeCommunities: e.large_communities ?? [],
      // bgpctl cannot tell "no MED" from MED 0: it prints metric 0 for both.
      ...(e.metric === undefined ? {} : { med: e.metric }),
      peer,
    });
  }
  return out;
}

export class OpenbgpdDaemon extends LabDaemon implements BgpDaemon {
  readonly kind = 'openbgpd' as const;
  protected readonly establishedState = 'Established';

  get socket(): string {
    return path.join(this.dir, 'bgpd.sock');
  }

  static async start(host: LabHost, spec: SpeakerSpec): Promise<OpenbgpdDaemon> {
    const dir = daemonDir(host, 'openbgpd');
    const conf = path.join(dir, 'bgpd.conf');
    fs.writeFileSync(conf, renderOpenbgpdConfig(spec, path.join(dir, 'bgpd.sock')), { mode: 0o600 });
    // bgpd chroots its session engine and RDE here; without systemd nobody creates it. Shared by
    // all instances and left in place (removing it could race another run's startup).
    fs.mkdirSync('/run/openbgpd', { recursive: true });
    await run('bgpd', ['-n', '-f', conf]);
    const proc = spawnDaemon(host, 'openbgpd', 'bgpd', 'bgpd', ['-d', '-v', '-f', conf]);
    const d = new OpenbgpdDaemon(host, spec, dir, proc);
    await awaitReady(proc, 'bgpd', `OpenBGPD in ${host.netns} to answer on ${d.socket}`, async () =>
      (await d.bgpctl(['show', 'summary'])).includes('neighbors'),
    );
    return d;
  }

  /** `bgpctl -j` against the private socket (works from the root namespace). */
  async bgpctl(args: readonly string[]): Promise<string> {
    return (await run('bgpctl', ['-j', '-s', this.socket, ...args], { timeoutMs: 10_000 })).stdout;
  }

  async state(peer: string): Promise<string | undefined> {
    const doc = JSON.parse(await this.bgpctl(['show', 'neighbor', peer])) as { neighbors?: Array<{ state?: string }> };
    return doc.neighbors?.[0]?.state;
  }

  async routes(): Promise<ReceivedRoute[]> {
    return parseOpenbgpdRib(await this.bgpctl(['show', 'rib', 'detail']));
  }

  async receivedCount(peer: string): Promise<number> {
    const doc = JSON.parse(await this.bgpctl(['show', 'neighbor', peer])) as {
      neighbors?: Array<{ stats?: { prefixes?: { received?: number } } }>;
    };
    return doc.neighbors?.[0]?.stats?.prefixes?.received ?? 0;
  }

  async addRoute(route: OriginatedRoute): Promise<void> {
    await this.bgpctl(['network', 'add', route.prefix, ...openbgpdSetWords(route)]);
  }

  async withdrawRoute(prefix: string): Promise<void> {
    await this.bgpctl(['network', 'delete', prefix]);
  }

}
