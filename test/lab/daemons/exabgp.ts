import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LabHost } from '../lab-host';
import { run } from '../run-command';
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

/** ExaBGP reads its settings from dotted environment names only. */
export const EXABGP_ENV: Readonly<Record<string, string>> = {
  'exabgp.daemon.user': 'root',
  'exabgp.daemon.daemonize': 'false',
  'exabgp.log.destination': 'stdout',
  // The CLI would need named pipes in /run/exabgp shared by all instances.
  'exabgp.api.cli': 'false',
  'exabgp.api.ack': 'false',
};

/**
 * EXABGP_ENV plus the listener: ExaBGP only accepts connections when `exabgp.tcp.bind` names the
 * addresses to listen on, so a `passive true` neighbor without it would wait forever.
 */
export function exabgpEnv(spec: SpeakerSpec): Record<string, string> {
  const bind = [...new Set(spec.neighbors.filter((n) => n.passive).map((n) => localAddressFor(spec, n)))];
  if (bind.length === 0) return { ...EXABGP_ENV };
  return { ...EXABGP_ENV, 'exabgp.tcp.bind': bind.join(' '), 'exabgp.tcp.port': '179' };
}

/** "route P next-hop N [med M] [community [..]] [large-community [..]]" — the static and API form. */
export function exabgpRouteText(spec: SpeakerSpec, r: OriginatedRoute): string {
  const fam = familyOfPrefix(r.prefix);
  const nh = fam === 'ipv4' ? spec.localAddress : spec.localAddress6;
  if (!nh) throw new Error(`IPv6 route ${r.prefix} needs localAddress6`);
  let s = `route ${r.prefix} next-hop ${nh}`;
  if (r.med !== undefined) s += ` med ${r.med}`;
  if (r.communities?.length) s += ` community [ ${r.communities.join(' ')} ]`;
  if (r.largeCommunities?.length) s += ` large-community [ ${r.largeCommunities.join(' ')} ]`;
  return s;
}

export function renderExabgpConfig(spec: SpeakerSpec, helper: string): string {
  const out = ['process lab {', `  run ${helper};`, '  encoder json;', '}'];
  for (const n of spec.neighbors) {
    const fams = neighborFamilies(n);
    out.push(`neighbor ${n.address} {`);
    out.push(`  router-id ${spec.routerId};`, `  local-address ${localAddressFor(spec, n)};`);
    out.push(`  local-as ${spec.localAs};`, `  peer-as ${n.as};`, `  hold-time ${n.holdTime ?? 30};`);
    if (n.description) out.push(`  description ${JSON.stringify(n.description)};`);
    if (n.passive) out.push('  passive true;');
    out.push('  family {', ...fams.map((f) => `    ${f} unicast;`), '  }');
    if (n.gracefulRestart) out.push('  capability { graceful-restart 120; }');
    const rs = (spec.routes ?? []).filter((r) => fams.includes(familyOfPrefix(r.prefix)));
    if (rs.length > 0) out.push('  static {', ...rs.map((r) => `    ${exabgpRouteText(spec, r)};`), '  }');
    out.push('  api {', '    processes [ lab ];', '    receive { parsed; update; }', '    neighbor-changes;', '  }');
    out.push('}');
  }
  return out.join('\n') + '\n';
}

interface ExaMessage {
  type?: string;
  neighbor?: {
    address?: { peer?: string };
    state?: string;
    message?: {
      update?: {
        attribute?: {
          'as-path'?: number[];
          med?: number;
          community?: Array<[number, number]>;
          'large-community'?: Array<[number, number, number]>;
        };
        announce?: Record<string, Record<string, Array<{ nlri?: string } | string>>>;
        withdraw?: Record<string, Array<{ nlri?: string } | string>>;
      };
    };
  };
}

/**
 * Folds ExaBGP's JSON API messages (one per line, in order) into the current session states
 * and the routes received: announces add, withdraws remove.
 */
export function foldExabgpMessages(text: string): { states: Map<string, string>; routes: ReceivedRoute[] } {
  const states = new Map<string, string>();
  const rib = new Map<string, ReceivedRoute>();
  for (const raw of parseJsonDocuments(text)) {
    const m = raw as ExaMessage;
    const peer = m.neighbor?.address?.peer;
    if (!peer) continue;
    if (m.type === 'state' && m.neighbor?.state) {
      states.set(peer, m.neighbor.state);
      if (m.neighbor.state === 'down') for (const k of [...rib.keys()]) if (k.startsWith(`${peer} `)) rib.delete(k);
    }
    const u = m.type === 'update' ? m.neighbor?.message?.update : undefined;
    if (!u) continue;
    for (const [, prefixes] of Object.entries(u.withdraw ?? {})) {
      for (const p of prefixes) rib.delete(`${peer} ${typeof p === 'string' ? p : p.nlri}`);
    }
    const a = u.attribute ?? {};
    for (const [, byNextHop] of Object.entries(u.announce ?? {})) {
      // IPv6 updates list the link-local next hop too; visit it first so the global one wins.
      const hops = Object.entries(byNextHop).sort(([x], [y]) => Number(y.startsWith('fe80')) - Number(x.startsWith('fe80')));
      for (const [nextHop, prefixes] of hops) {
        for (const p of prefixes) {
          const prefix = typeof p === 'string' ? p : (p.nlri ?? '');
          rib.set(`${peer} ${prefix}`, {
            prefix,
            nextHop,
            asPath: a['as-path'] ?? [],
            communities: (a.community ?? []).map(([x, y]) => `${x}:${y}`),
            largeCommunities: (a['large-community'] ?? []).map(([x, y, z]) => `${x}:${y}:${z}`),
            ...(a.med === undefined ? {} : { med: a.med }),
            peer,
          });
        }
      }
    }
  }
  return { states, routes: [...rib.values()] };
}

/**
 * ExaBGP as injector/receiver. One helper process both records what ExaBGP tells it (session
 * changes and received updates, JSON lines) and feeds it commands appended to a file, which is
 * how `addRoute`/`withdrawRoute` work without the shared CLI pipes.
 */
export class ExabgpDaemon extends LabDaemon implements BgpDaemon {
  readonly kind = 'exabgp' as const;
  protected readonly establishedState = 'up';

  private get receivedPath(): string {
    return path.join(this.dir, 'received.jsonl');
  }

  private get commandsPath(): string {
    return path.join(this.dir, 'commands');
  }

  static async start(host: LabHost, spec: SpeakerSpec): Promise<ExabgpDaemon> {
    const dir = daemonDir(host, 'exabgp');
    const helper = path.join(dir, 'lab-api.sh');
    const received = path.join(dir, 'received.jsonl');
    const commands = path.join(dir, 'commands');
    fs.writeFileSync(received, '');
    fs.writeFileSync(commands, '');
    // A background job of a non-interactive sh gets /dev/null as stdin, so keep ExaBGP's pipe on fd 3.
    const script = ['#!/bin/sh', 'exec 3<&0', `cat <&3 >> '${received}' &`, `exec tail -n +1 -F '${commands}' 2>/dev/null`];
    fs.writeFileSync(helper, script.join('\n') + '\n', { mode: 0o755 });
    const conf = path.join(dir, 'exabgp.conf');
    fs.writeFileSync(conf, renderExabgpConfig(spec, helper));
    // --validate parses the whole config once more (seconds for 100k routes), so only for small ones.
    // --validate runs in the root namespace, where the listen addresses do not exist: no listener there.
    if ((spec.routes?.length ?? 0) <= 1000) await run('exabgp', ['--validate', conf], { env: EXABGP_ENV });
    const proc = spawnDaemon(host, 'exabgp', 'exabgp', 'exabgp', [conf], { env: exabgpEnv(spec) });
    const d = new ExabgpDaemon(host, spec, dir, proc);
    await awaitReady(
      proc,
      'exabgp',
      `ExaBGP in ${host.netns} to load ${conf}`,
      () => /Welcome to ExaBGP|loaded new configuration/.test(d.logs()),
      15_000,
    );
    return d;
  }

  /**
   * Session state per the API's neighbor-change messages ("up"/"connected"/"down"), falling back
   * to the log when the helper has not heard anything yet.
   */
  async state(peer: string): Promise<string | undefined> {
    const fromApi = foldExabgpMessages(fs.readFileSync(this.receivedPath, 'utf8')).states.get(peer);
    if (fromApi) return fromApi;
    const lines = this.logs().split('\n').filter((l) => l.includes(peer));
    for (const l of lines.reverse()) {
      if (/\bestablished\b/i.test(l) || /send-keepalive|<< KEEPALIVE/i.test(l)) return 'up';
      if (/connected to/i.test(l)) return 'connected';
    }
    return undefined;
  }

  async routes(): Promise<ReceivedRoute[]> {
    return foldExabgpMessages(fs.readFileSync(this.receivedPath, 'utf8')).routes;
  }

  async receivedCount(peer: string): Promise<number> {
    return (await this.routes()).filter((r) => r.peer === peer).length;
  }

  async addRoute(route: OriginatedRoute): Promise<void> {
    fs.appendFileSync(this.commandsPath, `announce ${exabgpRouteText(this.spec, route)}\n`);
  }

  async withdrawRoute(prefix: string): Promise<void> {
    const fam = familyOfPrefix(prefix);
    const nh = fam === 'ipv4' ? this.spec.localAddress : this.spec.localAddress6;
    fs.appendFileSync(this.commandsPath, `withdraw route ${prefix} next-hop ${nh}\n`);
  }

}
