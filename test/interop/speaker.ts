// A tiny BGP speaker for interop tests: BgpSession + BgpListener with no RIB. It originates the
// routes from its config (pre-encoded with the codec), records everything it receives, and takes
// commands on stdin. Protocol (one JSON object per line):
//   stdin:  {"cmd":"announce","route":{...}} | {"cmd":"withdraw","prefix":"..."} | {"cmd":"stop","peer"?,"reason"?}
//           {"cmd":"start","peer"?} | {"cmd":"reset","peer"?} | {"cmd":"refresh","peer"?} | {"cmd":"exit"}
//   stdout: {"ev":"ready"} {"ev":"state",...} {"ev":"established",...} {"ev":"update",...}
//           {"ev":"notification",...} {"ev":"down",...} {"ev":"routeRefresh",...} {"ev":"log",...}
// Run inside a namespace: ip netns exec NS tsx test/interop/speaker.ts CONFIG.json

import * as fs from 'node:fs';
import * as readline from 'node:readline';
import { BgpSession } from '../../bgpd/session/session';
import { BgpListener } from '../../bgpd/session/transport';
import { codecContextFor } from '../../bgpd/session/open-negotiation';
import type { Logger, PeerConfig } from '../../bgpd/session/peer-config';
import { encodeMessage } from '../../bgpd/wire';
import { formatPrefix, parsePrefix } from '../../bgpd/wire/prefix';
import { Afi, MsgType, Safi } from '../../bgpd/wire/types';
import type { PathAttributes, UpdateMessage } from '../../bgpd/wire/types';

export interface SpeakerRoute {
  prefix: string;
  nextHop: string;
  /** AS path after our own AS (which the speaker prepends for eBGP). */
  asPath?: number[];
  med?: number;
  communities?: string[];
  largeCommunities?: string[];
}

export interface SpeakerConfig {
  listen?: { address: string; port: number };
  peers: PeerConfig[];
  routes?: SpeakerRoute[];
  /** Also originate `count` IPv4 /24s from `firstOctet`.0.0.0 upwards, one UPDATE each (bulk tests). */
  bulk?: { count: number; firstOctet: number; nextHop: string; uniqueMed?: boolean };
}

export interface ReceivedRouteEvent {
  prefix: string;
  nextHop?: string;
  asPath: number[];
  med?: number;
  communities: string[];
  largeCommunities: string[];
}

/** Every event carries `t`, the speaker's Date.now(), for timing measurements. */
const out = (obj: Record<string, unknown>) => process.stdout.write(JSON.stringify({ ...obj, t: Date.now() }) + '\n');

const logger: Logger = {
  debug: () => {},
  info: (obj, msg) => out({ ev: 'log', level: 'info', msg, ...obj }),
  warn: (obj, msg) => out({ ev: 'log', level: 'warn', msg, ...obj }),
  error: (obj, msg) => out({ ev: 'log', level: 'error', msg, ...obj }),
};

const afiOf = (prefix: string) => (prefix.includes(':') ? Afi.IPv6 : Afi.IPv4);

function attrsOf(r: SpeakerRoute, localAs: number, ebgp: boolean): PathAttributes {
  const attrs: PathAttributes = {
    origin: 0,
    asPath: [{ type: 2, asns: [...(ebgp ? [localAs] : []), ...(r.asPath ?? [])] }],
  };
  if (r.med !== undefined) attrs.med = r.med;
  if (r.communities?.length) attrs.communities = r.communities.map((c) => {
    const [a, b] = c.split(':').map(Number);
    return ((a! << 16) | b!) >>> 0;
  });
  if (r.largeCommunities?.length) attrs.largeCommunities = r.largeCommunities.map((c) => {
    const [global, local1, local2] = c.split(':').map(Number);
    return { global: global!, local1: local1!, local2: local2! };
  });
  return attrs;
}

function announceMsg(r: SpeakerRoute, cfg: PeerConfig): UpdateMessage {
  const afi = afiOf(r.prefix);
  const key = parsePrefix(afi, r.prefix);
  const attrs = attrsOf(r, cfg.localAs, cfg.localAs !== cfg.peerAs);
  if (afi === Afi.IPv4) return { type: MsgType.UPDATE, withdrawn: [], attrs: { ...attrs, nextHop: r.nextHop }, nlri: [key] };
  return {
    type: MsgType.UPDATE,
    withdrawn: [],
    attrs,
    nlri: [],
    mpReach: { afi: Afi.IPv6, safi: Safi.Unicast, nextHops: [r.nextHop], nlri: [key] },
  };
}

function withdrawMsg(prefix: string): UpdateMessage {
  const afi = afiOf(prefix);
  const key = parsePrefix(afi, prefix);
  if (afi === Afi.IPv4) return { type: MsgType.UPDATE, withdrawn: [key], attrs: {}, nlri: [] };
  return { type: MsgType.UPDATE, withdrawn: [], attrs: {}, nlri: [], mpUnreach: { afi: Afi.IPv6, safi: Safi.Unicast, withdrawn: [key] } };
}

function describeUpdate(u: UpdateMessage): { announce: ReceivedRouteEvent[]; withdraw: string[] } {
  const a = u.attrs;
  const base = {
    asPath: (a.asPath ?? []).flatMap((s) => s.asns),
    ...(a.med !== undefined ? { med: a.med } : {}),
    communities: (a.communities ?? []).map((c) => `${c >>> 16}:${c & 0xffff}`),
    largeCommunities: (a.largeCommunities ?? []).map((c) => `${c.global}:${c.local1}:${c.local2}`),
  };
  const announce: ReceivedRouteEvent[] = [
    ...u.nlri.map((k) => ({ prefix: formatPrefix(Afi.IPv4, k), ...(a.nextHop ? { nextHop: a.nextHop } : {}), ...base })),
    ...(u.mpReach?.nlri ?? []).map((k) => ({
      prefix: formatPrefix(u.mpReach!.afi, k),
      ...(u.mpReach!.nextHops[0] ? { nextHop: u.mpReach!.nextHops[0] } : {}),
      ...base,
    })),
  ];
  const withdraw = [
    ...u.withdrawn.map((k) => formatPrefix(Afi.IPv4, k)),
    ...(u.mpUnreach?.withdrawn ?? []).map((k) => formatPrefix(u.mpUnreach!.afi, k)),
  ];
  return { announce, withdraw };
}

async function main(): Promise<void> {
  const cfg = JSON.parse(fs.readFileSync(process.argv[2]!, 'utf8')) as SpeakerConfig;
  const routes = new Map<string, SpeakerRoute>((cfg.routes ?? []).map((r) => [r.prefix, r]));
  if (cfg.bulk) {
    const { count, firstOctet, nextHop, uniqueMed } = cfg.bulk;
    for (let i = 0; i < count; i++) {
      const prefix = `${firstOctet + (i >> 16)}.${(i >> 8) & 255}.${i & 255}.0/24`;
      routes.set(prefix, { prefix, nextHop, ...(uniqueMed ? { med: i } : {}) });
    }
  }
  const listener = cfg.listen ? new BgpListener({ ...cfg.listen, logger }) : undefined;
  const sessions = cfg.peers.map((p) => new BgpSession(p, { logger }));

  const familyOfPeer = (s: BgpSession) => afiOf(s.config.peerAddress);
  // Encode and send in slices, yielding between them (like the RIB would), so inbound processing
  // and timers interleave with a big initial advertisement.
  const sendRoutes = async (s: BgpSession, list: UpdateMessage[]): Promise<void> => {
    const ctx = codecContextFor(s.negotiated);
    for (let i = 0; i < list.length; i += 2000) {
      if (s.state !== 'Established') return;
      if (!s.send(list.slice(i, i + 2000).map((m) => encodeMessage(m, ctx)))) await s.drained();
      await new Promise((r) => setImmediate(r));
    }
  };

  for (const s of sessions) {
    const peer = s.config.name;
    s.on('stateChange', (from, to) => out({ ev: 'state', peer, from, to }));
    s.on('established', (n) => {
      out({
        ev: 'established',
        peer,
        hold: n.holdTime,
        keepalive: n.keepaliveTime,
        as4: n.as4,
        families: n.families,
        routeRefresh: n.routeRefresh,
        enhancedRouteRefresh: n.enhancedRouteRefresh,
        extendedMessage: n.extendedMessage,
        peerGracefulRestart: n.gracefulRestart.peer,
        direction: s.snapshot().direction,
      });
      const mine = [...routes.values()].filter((r) => afiOf(r.prefix) === familyOfPeer(s));
      void sendRoutes(s, mine.map((r) => announceMsg(r, s.config))).then(() => {
        for (const f of n.families) s.sendEndOfRib(f);
      });
    });
    s.on('down', (reason) => out({ ev: 'down', peer, reason }));
    s.on('notification', (n) => out({ ev: 'notification', peer, direction: n.direction, code: n.code, subcode: n.subcode, text: n.text }));
    s.on('routeRefresh', (r) => {
      out({ ev: 'routeRefresh', peer, ...r });
      const mine = [...routes.values()].filter((x) => afiOf(x.prefix) === r.afi);
      void sendRoutes(s, mine.map((x) => announceMsg(x, s.config)));
    });
    s.setUpdateConsumer((batch) => {
      for (const u of batch) out({ ev: 'update', peer, action: u.action, ...describeUpdate(u.msg) });
    });
    listener?.register(s);
  }
  if (listener) await listener.listen();
  for (const s of sessions) s.start();
  out({ ev: 'ready', port: listener?.port });

  const pick = (name: unknown) => sessions.filter((s) => name === undefined || s.config.name === name);
  const rl = readline.createInterface({ input: process.stdin });
  for await (const line of rl) {
    if (!line.trim()) continue;
    const c = JSON.parse(line) as { cmd: string; peer?: string; reason?: string; route?: SpeakerRoute; prefix?: string };
    switch (c.cmd) {
      case 'announce':
        routes.set(c.route!.prefix, c.route!);
        for (const s of sessions) if (s.state === 'Established' && familyOfPeer(s) === afiOf(c.route!.prefix)) await sendRoutes(s, [announceMsg(c.route!, s.config)]);
        break;
      case 'withdraw':
        routes.delete(c.prefix!);
        for (const s of sessions) if (s.state === 'Established' && familyOfPeer(s) === afiOf(c.prefix!)) await sendRoutes(s, [withdrawMsg(c.prefix!)]);
        break;
      case 'stop':
        await Promise.all(pick(c.peer).map((s) => s.stop(c.reason)));
        break;
      case 'start':
        for (const s of pick(c.peer)) s.start();
        break;
      case 'reset':
        for (const s of pick(c.peer)) s.reset(c.reason);
        break;
      case 'refresh':
        for (const s of pick(c.peer)) out({ ev: 'refreshSent', peer: s.config.name, ok: s.refresh() });
        break;
      case 'stats':
        for (const s of pick(c.peer)) out({ ev: 'stats', peer: s.config.name, snapshot: s.snapshot(), refusedUnknown: listener?.refusedUnknown ?? 0 });
        break;
      case 'exit':
        await Promise.all(sessions.map((s) => s.stop('speaker exiting')));
        await listener?.close();
        process.exit(0);
    }
    out({ ev: 'done', cmd: c.cmd });
  }
}

main().catch((err: unknown) => {
  out({ ev: 'fatal', error: String(err instanceof Error ? err.stack : err) });
  process.exit(1);
});
