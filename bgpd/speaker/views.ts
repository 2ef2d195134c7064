// Read-only views of the speaker for the control API and bgpctl's --json (bgpd/control/protocol.ts).
// Route listings are built in pages with a yield between them so a 100k-route `show routes` does
// not stall keepalives.
import type {
  GracefulRestartView, MessageCountsView, NeighborView, PathRow, PeerRow, RouteRow, StatusView,
} from '../control/protocol';
import { asPathString } from '../rib/as-path';
import { prefixKey, prefixText } from '../rib/prefix-key';
import { page } from '../rib/queries';
import type { PathView, RouteView } from '../rib/types';
import type { MessageCounts, SessionError } from '../session/counters';
import { buildLocalCapabilities } from '../session/open-negotiation';
import type { Capabilities, PathAttributes } from '../wire/types';
import { Afi } from '../wire/types';
import type { PeerRuntime } from './peer-runtime';
import { familyName } from './peer-map';
import type { Speaker } from './speaker';

const PAGE = 2000;
const yieldToLoop = (): Promise<void> => new Promise((r) => setImmediate(r));
const iso = (ms: number): string => new Date(ms).toISOString();

/** "received Cease/…" → "Received: Cease/…" (BIRD's class prefixes). */
export function errorText(e: SessionError | undefined): string | null {
  if (!e) return null;
  const m = /^(sent|received|local) (.*)$/s.exec(e.text);
  if (!m) return e.text;
  const cls = m[1] === 'sent' ? 'Sent' : m[1] === 'received' ? 'Received' : 'Socket';
  return `${cls}: ${m[2]}`;
}

export function displayState(rt: PeerRuntime): string {
  const s = rt.session;
  if (rt.prefixLimited) return 'Idle(PfxLimit)';
  if (s.state === 'Idle' && s.adminDown) return 'Idle(Admin)';
  return s.state;
}

const total = (c: MessageCounts): number => c.open + c.update + c.notification + c.keepalive + c.routeRefresh;

export function peerRow(speaker: Speaker, rt: PeerRuntime, now = Date.now()): PeerRow {
  const snap = rt.session.snapshot();
  const stats = speaker.rib.peerStats(rt.ribId);
  return {
    name: rt.peer.name,
    address: rt.peer.address,
    port: rt.peer.port,
    type: rt.peer.type,
    asNumber: rt.peer.asNumber,
    state: displayState(rt),
    since: iso(snap.since),
    sinceSeconds: Math.max(0, Math.floor((now - snap.since) / 1000)),
    received: stats.received,
    accepted: stats.accepted,
    sent: stats.advertised,
    messagesReceived: total(snap.counters.messagesIn),
    messagesSent: total(snap.counters.messagesOut),
    lastError: errorText(snap.counters.lastError),
  };
}

export function capabilityNames(c: Capabilities | undefined): string[] {
  if (!c) return [];
  const out = c.multiprotocol.map((f) => `multiprotocol ${f.afi === Afi.IPv6 ? 'ipv6' : f.afi === Afi.IPv4 ? 'ipv4' : `afi ${f.afi}`}-unicast`);
  if (c.routeRefresh) out.push('route-refresh');
  if (c.enhancedRouteRefresh) out.push('enhanced-route-refresh');
  if (c.extendedMessage) out.push('extended-message');
  if (c.fourOctetAs !== undefined) out.push('4-octet-as');
  for (const e of c.extendedNextHop) out.push(`extended-nexthop afi ${e.afi}/${e.nextHopAfi}`);
  if (c.gracefulRestart) {
    const g = c.gracefulRestart;
    out.push(`graceful-restart time ${g.restartTime}${g.restartState ? ' restarting' : ''}${g.notification ? ' notification' : ''}`);
  }
  for (const u of c.unknown) out.push(`unknown capability ${u.code}`);
  return out;
}

const counts = (c: MessageCounts): MessageCountsView => ({ ...c });

function grView(rt: PeerRuntime): GracefulRestartView {
  const local = rt.session.config.gracefulRestart;
  const peer = rt.session.negotiated?.gracefulRestart.peer ?? rt.peerGr;
  return {
    local: local ? { restartTime: local.restartTime, restarting: local.restarting ?? false, forwardingPreserved: local.forwardingPreserved ?? false } : null,
    peer: peer
      ? { restartTime: peer.restartTime, restarting: peer.restartState, families: peer.families.map((f) => `${familyName(f.afi)}${f.forwardingPreserved ? ' (forwarding preserved)' : ''}`) }
      : null,
    staleUntil: rt.staleUntil !== undefined ? iso(rt.staleUntil) : null,
  };
}

export function neighborView(speaker: Speaker, rt: PeerRuntime): NeighborView {
  const snap = rt.session.snapshot();
  const n = snap.negotiated;
  const mp = rt.peer.maxPrefix;
  return {
    ...peerRow(speaker, rt),
    localAs: snap.localAs,
    peerRouterId: n?.peerRouterId ?? null,
    passive: rt.peer.passive,
    direction: snap.direction ?? null,
    local: { address: snap.local.address ?? null, port: snap.local.port ?? null },
    remote: { address: snap.remote.address ?? null, port: snap.remote.port ?? null },
    holdTime: { configured: rt.peer.holdTime, negotiated: n?.holdTime ?? null, remainingMs: snap.timers.hold?.remainingMs ?? null },
    keepaliveTime: { configured: rt.peer.keepaliveTime, negotiated: n?.keepaliveTime ?? null, remainingMs: snap.timers.keepalive?.remainingMs ?? null },
    families: (n?.families ?? []).map((f) => familyName(f.afi)),
    capabilities: { local: capabilityNames(buildLocalCapabilities(rt.session.config)), peer: capabilityNames(n?.peerCapabilities) },
    messages: { sent: counts(snap.counters.messagesOut), received: counts(snap.counters.messagesIn) },
    establishedTransitions: snap.counters.establishedTransitions,
    droppedTransitions: snap.counters.droppedTransitions,
    lastErrorSent: errorText(snap.counters.lastSentError),
    lastErrorReceived: errorText(snap.counters.lastReceivedError),
    maxPrefix: mp
      ? { limit: mp.limit, action: mp.action, restartAfter: mp.action === 'restart' ? mp.restartAfter ?? 60 : null, exceeded: rt.prefixLimited || speaker.rib.peerStats(rt.ribId).maxPrefixExceeded }
      : null,
    gracefulRestart: grView(rt),
  };
}

const ORIGIN = ['i', 'e', '?'] as const;

function attrFields(a: PathAttributes): Omit<PathRow, 'best' | 'multipath' | 'stale' | 'filtered' | 'from'> {
  return {
    nextHop: a.nextHop ?? null,
    asPath: asPathString(a.asPath),
    origin: ORIGIN[a.origin ?? 2] ?? '?',
    localPref: a.localPref ?? null,
    med: a.med ?? null,
    communities: (a.communities ?? []).map((c) => `${c >>> 16}:${c & 0xffff}`),
    largeCommunities: (a.largeCommunities ?? []).map((c) => `${c.global}:${c.local1}:${c.local2}`),
    originatorId: a.originatorId ?? null,
    clusterList: a.clusterList ?? [],
  };
}

function pathRow(speaker: Speaker, p: PathView): PathRow {
  const from = p.peerAddress === null ? 'local' : speaker.peer(p.peerAddress)?.name ?? p.peerAddress;
  return { best: p.best, multipath: p.multipath, stale: p.stale, filtered: p.filtered, from, ...attrFields(p.attrs) };
}

function routeRow(speaker: Speaker, afi: Afi, r: RouteView): RouteRow {
  return { prefix: prefixText(afi, r.prefix), paths: r.paths.map((p) => pathRow(speaker, p)) };
}

const familiesOf = (family: 'ipv4' | 'ipv6' | undefined): Afi[] =>
  family === 'ipv4' ? [Afi.IPv4] : family === 'ipv6' ? [Afi.IPv6] : [Afi.IPv4, Afi.IPv6];

/** Appends to `out` (spreading 100k rows into push() would overflow the stack). */
async function collect<T, R>(it: Iterator<T>, map: (t: T) => R, out: R[] = []): Promise<R[]> {
  for (;;) {
    const { items, done } = page(it, PAGE);
    for (const i of items) out.push(map(i));
    if (done) return out;
    await yieldToLoop();
  }
}

/** Loc-RIB: every prefix with all its paths, or just `prefix` (exact match). */
export async function routesView(speaker: Speaker, opts: { prefix?: string; family?: 'ipv4' | 'ipv6' }): Promise<RouteRow[]> {
  if (opts.prefix) {
    const afi = opts.prefix.includes(':') ? Afi.IPv6 : Afi.IPv4;
    if (opts.prefix.includes('/')) {
      const r = speaker.rib.lookup(afi, prefixKey(afi, opts.prefix));
      return r ? [routeRow(speaker, afi, r)] : [];
    }
    // a bare address: the longest prefix that covers it (what forwarding would use)
    for (let len = afi === Afi.IPv6 ? 128 : 32; len >= 0; len--) {
      const r = speaker.rib.lookup(afi, prefixKey(afi, `${opts.prefix}/${len}`));
      if (r) return [routeRow(speaker, afi, r)];
    }
    return [];
  }
  const out: RouteRow[] = [];
  for (const afi of familiesOf(opts.family)) await collect(speaker.rib.locRibRoutes(afi), (r) => routeRow(speaker, afi, r), out);
  return out;
}

export async function adjRibView(speaker: Speaker, rt: PeerRuntime, direction: 'in' | 'out', family?: 'ipv4' | 'ipv6'): Promise<RouteRow[]> {
  const out: RouteRow[] = [];
  for (const afi of familiesOf(family)) {
    if (direction === 'in') {
      await collect(speaker.rib.adjRibIn(rt.ribId, afi), (r) => routeRow(speaker, afi, r), out);
    } else {
      await collect(speaker.rib.adjRibOut(rt.ribId, afi), (r): RouteRow => ({
        prefix: prefixText(afi, r.prefix),
        paths: [{ best: true, multipath: false, stale: false, filtered: false, from: 'local', ...attrFields(r.attrs) }],
      }), out);
    }
  }
  return out;
}

export function statusView(speaker: Speaker, cfg: { routerId: string; asNumber: number }): StatusView {
  return {
    pid: process.pid,
    routerId: cfg.routerId,
    asNumber: cfg.asNumber,
    startedAt: iso(speaker.startedAt),
    restarting: speaker.restart.restarting,
    peers: speaker.peers().length,
    prefixes: speaker.rib.stats().prefixes,
  };
}
