import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LabHost } from '../lab-host';
import type { LabProcess } from '../lab-process';
import { run, runSync } from '../run-command';
import { LabDaemon, awaitReady, daemonDir, spawnDaemon } from './lab-daemon';
import { parseJsonDocuments } from './json-documents';
import {
  familyOfPrefix,
  localAddressFor,
  neighborFamilies,
  type BgpDaemon,
  type OriginatedRoute,
  type ReceivedRoute,
  type SpeakerSpec,
} from './types';

/** Route-map name that sets a network's attributes (one per originated prefix with attributes). */
function routeMapName(prefix: string): string {
  return `rm-${prefix.replace(/[/:.]/g, '_')}`;
}

function hasAttrs(r: OriginatedRoute): boolean {
  return r.med !== undefined || (r.communities?.length ?? 0) > 0 || (r.largeCommunities?.length ?? 0) > 0;
}

/** Route-map lines for one originated route (empty when it carries no attributes). */
export function frrRouteMap(r: OriginatedRoute): string[] {
  if (!hasAttrs(r)) return [];
  const lines = [`route-map ${routeMapName(r.prefix)} permit 10`];
  if (r.med !== undefined) lines.push(` set metric ${r.med}`);
  if (r.communities?.length) lines.push(` set community ${r.communities.join(' ')}`);
  if (r.largeCommunities?.length) lines.push(` set large-community ${r.largeCommunities.join(' ')}`);
  lines.push('exit');
  return lines;
}

function networkLine(r: OriginatedRoute): string {
  return hasAttrs(r) ? `  network ${r.prefix} route-map ${routeMapName(r.prefix)}` : `  network ${r.prefix}`;
}

export function renderFrrBgpdConfig(spec: SpeakerSpec, hostname: string): string {
  const routes = spec.routes ?? [];
  const out = ['frr defaults traditional', `hostname ${hostname}`, 'log stdout debugging', '!'];
  for (const r of routes) out.push(...frrRouteMap(r));
  out.push(`router bgp ${spec.localAs}`, ` bgp router-id ${spec.routerId}`);
  // "frr defaults traditional" leaves this off; without it FRR does not log a received
  // NOTIFICATION, and so not the RFC 9003 shutdown text either.
  out.push(' bgp log-neighbor-changes');
  // FRR 8 sends and accepts nothing on eBGP without a policy (RFC 8212); `network` needs a
  // matching RIB route unless import-check is off (we run no staticd).
  out.push(' no bgp ebgp-requires-policy', ' no bgp network import-check', ' no bgp default ipv4-unicast');
  // The update-group coalesce timer (1 s by default) delays the first UPDATEs after Established.
  out.push(' coalesce-time 50');
  if (spec.neighbors.some((n) => n.gracefulRestart)) out.push(' bgp graceful-restart');
  for (const n of spec.neighbors) {
    const hold = n.holdTime ?? 30;
    out.push(` neighbor ${n.address} remote-as ${n.as}`);
    out.push(` neighbor ${n.address} update-source ${localAddressFor(spec, n)}`);
    out.push(` neighbor ${n.address} timers ${Math.max(1, Math.floor(hold / 3))} ${hold}`);
    out.push(` neighbor ${n.address} timers connect 1`);
    out.push(` neighbor ${n.address} advertisement-interval 0`);
    if (n.passive) out.push(` neighbor ${n.address} passive`);
    if (n.password !== undefined) out.push(` neighbor ${n.address} password ${n.password}`);
    if (n.description) out.push(` neighbor ${n.address} description ${n.description}`);
    if (n.gracefulRestart) out.push(` neighbor ${n.address} graceful-restart`);
  }
  for (const fam of ['ipv4', 'ipv6'] as const) {
    const ns = spec.neighbors.filter((n) => neighborFamilies(n).includes(fam));
    const rs = routes.filter((r) => familyOfPrefix(r.prefix) === fam);
    if (ns.length === 0 && rs.length === 0) continue;
    out.push(` address-family ${fam} unicast`);
    for (const n of ns) {
      out.push(`  neighbor ${n.address} activate`);
      if (n.routeReflectorClient) out.push(`  neighbor ${n.address} route-reflector-client`);
    }
    for (const r of rs) out.push(networkLine(r));
    out.push(' exit-address-family');
  }
  out.push('exit', '!');
  return out.join('\n') + '\n';
}

interface FrrJsonPath {
  valid?: boolean;
  bestpath?: { overall?: boolean } | boolean;
  aspath?: { string?: string; segments?: Array<{ list?: number[] }> };
  path?: string;
  med?: number;
  metric?: number;
  community?: { string?: string; list?: string[] };
  largeCommunity?: { string?: string; list?: string[] };
  nexthops?: Array<{ ip?: string; afi?: string; scope?: string }>;
  peer?: { peerId?: string };
  peerId?: string;
}

function asPathOf(p: FrrJsonPath): number[] {
  const s = p.aspath?.string ?? p.path ?? '';
  return s.split(/\s+/).filter((x) => /^\d+$/.test(x)).map(Number);
}

/** Prefixes in `show bgp <afi> unicast json` that have at least one path learned from a peer. */
export function frrReceivedPrefixes(json: string): string[] {
  const doc = JSON.parse(json) as { routes?: Record<string, FrrJsonPath[]> };
  return Object.entries(doc.routes ?? {})
    .filter(([, paths]) => paths.some((p) => isPeerAddress(p.peerId)))
    .map(([prefix]) => prefix);
}

function isPeerAddress(id: string | undefined): id is string {
  // locally originated paths carry "(unspec)"
  return !!id && /^[0-9a-f.:]+$/i.test(id);
}

/**
 * Parses the per-prefix detail `show bgp <afi> unicast <prefix> json` (FRR 8.4 has no detail form
 * of the whole table): { prefix, paths: [{ aspath, metric, community, largeCommunity, nexthops, peer }] }.
 */
export function parseFrrPrefixDetail(doc: unknown): ReceivedRoute[] {
  const d = doc as { prefix?: string; paths?: FrrJsonPath[] };
  const out: ReceivedRoute[] = [];
  for (const p of d.paths ?? []) {
    const peer = p.peer?.peerId ?? p.peerId;
    if (!d.prefix || !isPeerAddress(peer)) continue;
    const nh = p.nexthops?.find((n) => n.scope !== 'link-local')?.ip ?? '';
    const med = p.med ?? p.metric;
    out.push({
      prefix: d.prefix,
      nextHop: nh,
      asPath: asPathOf(p),
      communities: p.community?.list ?? [],
      largeCommunities: p.largeCommunity?.list ?? [],
      ...(med === undefined ? {} : { med }),
      peer,
    });
  }
  return out;
}

/**
 * FRR as bare zebra + bgpd in the host's namespace, with pathspace `-N <netns>` so sockets live in
 * /var/run/frr/<netns>/ and vtysh reads /etc/frr/<netns>/vtysh.conf; both dirs go with the run.
 */
export class FrrDaemon extends LabDaemon implements BgpDaemon {
  readonly kind = 'frr' as const;
  protected readonly establishedState = 'Established';

  private constructor(
    host: LabHost,
    spec: SpeakerSpec,
    dir: string,
    process: LabProcess,
    readonly zebra: LabProcess,
  ) {
    super(host, spec, dir, process);
  }

  get pathspace(): string {
    return this.host.netns;
  }

  static async start(host: LabHost, spec: SpeakerSpec): Promise<FrrDaemon> {
    const dir = daemonDir(host, 'frr');
    const ps = host.netns;
    const runDir = `/var/run/frr/${ps}`;
    const etcDir = `/etc/frr/${ps}`;
    host.trackPath(runDir);
    host.trackPath(etcDir);
    fs.mkdirSync(runDir, { recursive: true });
    fs.mkdirSync(etcDir, { recursive: true });
    fs.writeFileSync(path.join(etcDir, 'vtysh.conf'), '');
    // The daemons drop to frr:frr and create their sockets and pid files here.
    runSync('chown', ['frr:frr', '/var/run/frr', runDir]);
    const zconf = path.join(dir, 'zebra.conf');
    const bconf = path.join(dir, 'bgpd.conf');
    fs.writeFileSync(zconf, `hostname ${ps}\nlog stdout\n`);
    fs.writeFileSync(bconf, renderFrrBgpdConfig(spec, ps));
    const zebra = host.spawn('zebra', '/usr/lib/frr/zebra', ['-N', ps, '-f', zconf, '--log', 'stdout']);
    await awaitReady(zebra, 'zebra', `zebra in ${host.netns} to open ${runDir}/zserv.api`, () =>
      fs.existsSync(path.join(runDir, 'zserv.api')),
    );
    const bgpd = spawnDaemon(host, 'frr', 'bgpd', '/usr/lib/frr/bgpd', ['-N', ps, '-f', bconf, '--log', 'stdout']);
    const d = new FrrDaemon(host, spec, dir, bgpd, zebra);
    await awaitReady(bgpd, 'bgpd', `FRR bgpd in ${host.netns} to answer vtysh`, async () =>
      (await d.vtysh(['show bgp summary json'])).includes('{'),
    );
    return d;
  }

  /** vtysh against this instance; each element is one `-c` command. */
  async vtysh(commands: readonly string[]): Promise<string> {
    const args = ['-N', this.pathspace];
    for (const c of commands) args.push('-c', c);
    return (await run('vtysh', args, { timeoutMs: 10_000 })).stdout;
  }

  async state(peer: string): Promise<string | undefined> {
    const doc = JSON.parse(await this.vtysh([`show bgp neighbors ${peer} json`])) as Record<string, { bgpState?: string }>;
    return doc[peer]?.bgpState;
  }

  async routes(): Promise<ReceivedRoute[]> {
    const out: ReceivedRoute[] = [];
    for (const fam of ['ipv4', 'ipv6']) {
      const prefixes = frrReceivedPrefixes(await this.vtysh([`show bgp ${fam} unicast json`]));
      if (prefixes.length === 0) continue;
      // one vtysh run for all prefixes: it prints one JSON document per -c
      const text = await this.vtysh(prefixes.map((p) => `show bgp ${fam} unicast ${p} json`));
      for (const doc of parseJsonDocuments(text)) out.push(...parseFrrPrefixDetail(doc));
    }
    return out;
  }

  async receivedCount(peer: string): Promise<number> {
    const doc = JSON.parse(await this.vtysh([`show bgp neighbors ${peer} json`])) as Record<
      string,
      { addressFamilyInfo?: Record<string, { acceptedPrefixCounter?: number }> }
    >;
    return Object.values(doc[peer]?.addressFamilyInfo ?? {}).reduce((n, f) => n + (f.acceptedPrefixCounter ?? 0), 0);
  }

  async addRoute(route: OriginatedRoute): Promise<void> {
    const fam = familyOfPrefix(route.prefix);
    const cmds = ['configure terminal', ...frrRouteMap(route)];
    cmds.push(`router bgp ${this.spec.localAs}`, `address-family ${fam} unicast`, networkLine(route).trim(), 'end');
    await this.vtysh(cmds);
  }

  async withdrawRoute(prefix: string): Promise<void> {
    const fam = familyOfPrefix(prefix);
    await this.vtysh(['configure terminal', `router bgp ${this.spec.localAs}`, `address-family ${fam} unicast`, `no network ${prefix}`, 'end']);
  }

  override async stop(): Promise<void> {
    await super.stop();
    await this.zebra.stop();
  }
}
