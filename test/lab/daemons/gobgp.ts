import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LabHost } from '../lab-host';
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

/** gRPC API address; inside the host's own netns, so every GoBGP can use the same port. */
export const GOBGP_API = { host: '127.0.0.1', port: 50051 } as const;

const q = (s: string): string => JSON.stringify(s);

export function renderGobgpConfig(spec: SpeakerSpec): string {
  const locals = [spec.localAddress, ...(spec.localAddress6 ? [spec.localAddress6] : [])];
  const out = [
    '[global.config]',
    `  as = ${spec.localAs}`,
    `  router-id = ${q(spec.routerId)}`,
    '  port = 179',
    `  local-address-list = [${locals.map(q).join(', ')}]`,
    // GoBGP's global policy defaults would otherwise reject nothing but we make "all" explicit.
    '[global.apply-policy.config]',
    '  default-import-policy = "accept-route"',
    '  default-export-policy = "accept-route"',
  ];
  for (const n of spec.neighbors) {
    const hold = n.holdTime ?? 30;
    out.push('[[neighbors]]', '  [neighbors.config]', `    neighbor-address = ${q(n.address)}`, `    peer-as = ${n.as}`);
    if (n.description) out.push(`    description = ${q(n.description)}`);
    out.push('  [neighbors.timers.config]', `    hold-time = ${hold}`, `    keepalive-interval = ${Math.max(1, Math.floor(hold / 3))}`, '    connect-retry = 1');
    out.push('  [neighbors.transport.config]', `    local-address = ${q(localAddressFor(spec, n))}`);
    if (n.passive) out.push('    passive-mode = true');
    if (n.routeReflectorClient) {
      out.push('  [neighbors.route-reflector.config]', '    route-reflector-client = true', `    route-reflector-cluster-id = ${q(spec.routerId)}`);
    }
    if (n.gracefulRestart) out.push('  [neighbors.graceful-restart.config]', '    enabled = true');
    for (const fam of neighborFamilies(n)) {
      out.push('  [[neighbors.afi-safis]]', '    [neighbors.afi-safis.config]', `      afi-safi-name = "${fam}-unicast"`);
      if (n.gracefulRestart) out.push('    [neighbors.afi-safis.mp-graceful-restart.config]', '      enabled = true');
    }
  }
  return out.join('\n') + '\n';
}

/** Arguments after `gobgp` for adding one route to the global RIB. */
export function gobgpAddArgs(spec: SpeakerSpec, r: OriginatedRoute): string[] {
  const fam = familyOfPrefix(r.prefix);
  const nh = fam === 'ipv4' ? spec.localAddress : (spec.localAddress6 ?? '::');
  const args = ['global', 'rib', '-a', fam, 'add', r.prefix, 'nexthop', nh];
  if (r.med !== undefined) args.push('med', String(r.med));
  if (r.communities?.length) args.push('community', r.communities.join(','));
  if (r.largeCommunities?.length) args.push('large-community', r.largeCommunities.join(','));
  return args;
}

interface GobgpAttr {
  type: number;
  as_paths?: Array<{ asns?: number[] }>;
  nexthop?: string;
  metric?: number;
  communities?: number[];
  value?: Array<{ ASN?: number; LocalData1?: number; LocalData2?: number }> | number;
  mp_reach?: unknown;
  nexthop_list?: string[];
}

interface GobgpPath {
  nlri?: { prefix?: string };
  attrs?: GobgpAttr[];
  'source-id'?: string;
  'neighbor-ip'?: string;
  stale?: boolean;
}

/** Parses `gobgp global rib -a <fam> -j`: { "<prefix>": [path, ...] } with BGP attributes by type code. */
export function parseGobgpRib(json: string): ReceivedRoute[] {
  const doc = JSON.parse(json || '{}') as Record<string, GobgpPath[]>;
  const out: ReceivedRoute[] = [];
  for (const [prefix, paths] of Object.entries(doc)) {
    for (const p of paths) {
      const peer = p['neighbor-ip'];
      // Locally added paths come from "<nil>" / 0.0.0.0 / ::.
      if (!peer || /^(<nil>|0\.0\.0\.0|::)$/.test(peer)) continue;
      const attrs = p.attrs ?? [];
      const by = (t: number): GobgpAttr | undefined => attrs.find((a) => a.type === t);
      const asPath = (by(2)?.as_paths ?? []).flatMap((s) => s.asns ?? []);
      const nextHop = by(3)?.nexthop ?? by(14)?.nexthop ?? by(14)?.nexthop_list?.[0] ?? '';
      const med = by(4)?.metric;
      const communities = (by(8)?.communities ?? []).map((c) => `${Math.floor(c / 65536)}:${c % 65536}`);
      const lc = by(32)?.value;
      const largeCommunities = Array.isArray(lc) ? lc.map((v) => `${v.ASN ?? 0}:${v.LocalData1 ?? 0}:${v.LocalData2 ?? 0}`) : [];
      out.push({ prefix, nextHop, asPath, communities, largeCommunities, ...(med === undefined ? {} : { med }), peer });
    }
  }
  return out;
}

/** `gobgp neighbor <addr> -j` → session state ("established", "active", ...), lower case. */
export function parseGobgpNeighborState(json: string): string | undefined {
  const doc = JSON.parse(json) as { state?: { session_state?: number | string } };
  const s = doc.state?.session_state;
  if (typeof s === 'string') return s.toLowerCase().replace(/^session_state_/, '');
  const names = ['unknown', 'idle', 'connect', 'active', 'opensent', 'openconfirm', 'established'];
  return s === undefined ? undefined : names[s];
}

export class GobgpDaemon extends LabDaemon implements BgpDaemon {
  readonly kind = 'gobgp' as const;
  protected readonly establishedState = 'established';

  /** Starts gobgpd, waits for its API, then adds the spec's routes through the CLI (GoBGP has no static routes). */
  static async start(host: LabHost, spec: SpeakerSpec): Promise<GobgpDaemon> {
    const dir = daemonDir(host, 'gobgp');
    const conf = path.join(dir, 'gobgpd.toml');
    fs.writeFileSync(conf, renderGobgpConfig(spec));
    const api = `${GOBGP_API.host}:${GOBGP_API.port}`;
    const proc = spawnDaemon(host, 'gobgp', 'gobgpd', 'gobgpd', ['-f', conf, '-p', '--api-hosts', api, '--pprof-disable']);
    const d = new GobgpDaemon(host, spec, dir, proc);
    await awaitReady(proc, 'gobgpd', `gobgpd in ${host.netns} to answer on ${api}`, async () => (await d.gobgp(['global'])).includes('AS:'));
    for (const r of spec.routes ?? []) await d.addRoute(r);
    return d;
  }

  /** The gobgp CLI, run inside the host's namespace where the API listens. */
  async gobgp(args: readonly string[]): Promise<string> {
    const r = await this.host.exec('gobgp', ['-u', GOBGP_API.host, '-p', String(GOBGP_API.port), ...args], { timeoutMs: 10_000 });
    return r.stdout;
  }

  async state(peer: string): Promise<string | undefined> {
    return parseGobgpNeighborState(await this.gobgp(['neighbor', peer, '-j']));
  }

  async routes(): Promise<ReceivedRoute[]> {
    const out: ReceivedRoute[] = [];
    for (const fam of ['ipv4', 'ipv6']) out.push(...parseGobgpRib(await this.gobgp(['global', 'rib', '-a', fam, '-j'])));
    return out;
  }

  async receivedCount(peer: string): Promise<number> {
    const doc = JSON.parse(await this.gobgp(['neighbor', peer, '-j'])) as {
      afi_safis?: Array<{ state?: { accepted?: number } }>;
    };
    return (doc.afi_safis ?? []).reduce((n, f) => n + (f.state?.accepted ?? 0), 0);
  }

  async addRoute(route: OriginatedRoute): Promise<void> {
    await this.gobgp(gobgpAddArgs(this.spec, route));
  }

  async withdrawRoute(prefix: string): Promise<void> {
    await this.gobgp(['global', 'rib', '-a', familyOfPrefix(prefix), 'del', prefix]);
  }

}

