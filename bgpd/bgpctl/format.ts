// Text rendering of the control views for bgpctl: tables that fit 80 columns, in the spirit of
// OpenBGPD's `bgpctl show` and BIRD's `show protocols` (bgp.md §3). Pure: views in, text out.
import type { NeighborView, PathRow, PeerRow, RouteRow, StatusView } from '../control/protocol';

/** OpenBGPD's fmt_timeframe: HH:MM:SS under a day, 1d02h03m under a week, 02w3d04h beyond. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const pad = (n: number): string => String(n).padStart(2, '0');
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d === 0) return `${pad(h)}:${pad(m)}:${pad(s % 60)}`;
  if (d < 7) return `${d}d${pad(h)}h${pad(m)}m`;
  return `${pad(Math.floor(d / 7))}w${d % 7}d${pad(h)}h`;
}

/** Cuts to `width`, marking the cut with "~" so a truncated name is never mistaken for another. */
export function fit(text: string, width: number): string {
  return text.length <= width ? text : text.slice(0, width - 1) + '~';
}

const col = (t: string, w: number): string => fit(t, w).padEnd(w);
const rcol = (t: string, w: number): string => fit(t, w).padStart(w);

export function renderPeers(rows: readonly PeerRow[], opts: { numeric?: boolean } = {}): string {
  const head = `${col('Peer', 15)} ${col('Type', 9)} ${col('AS', 10)} ${col('State', 14)} ${col('Up/Down', 8)} ${rcol('Rcvd/Accept', 11)} ${rcol('Sent', 6)}`;
  const lines = [head.trimEnd()];
  for (const r of rows) {
    const label = opts.numeric ? r.address : r.name;
    const upDown = r.messagesReceived === 0 && r.state !== 'Established' && r.sinceSeconds === 0 ? 'Never' : formatDuration(r.sinceSeconds);
    lines.push(
      `${col(label, 15)} ${col(r.type, 9)} ${col(String(r.asNumber), 10)} ${col(r.state, 14)} ${col(upDown, 8)} ${rcol(`${r.received}/${r.accepted}`, 11)} ${rcol(String(r.sent), 6)}`.trimEnd(),
    );
    // errors matter only while the session is not up; they go on their own line to keep 80 columns
    if (r.lastError && r.state !== 'Established') lines.push(`  Last error: ${fit(r.lastError, 66)}`);
  }
  if (rows.length === 0) lines.push('(no peers configured)');
  return lines.join('\n') + '\n';
}

function flags(p: PathRow): string {
  if (p.filtered) return 'F ';
  return `${p.stale ? 'S' : '*'}${p.best ? '>' : p.multipath ? '=' : ' '}`;
}

export const ROUTE_LEGEND = 'Flags: * valid, > best, = multipath, S stale, F filtered\nOrigin: i IGP, e EGP, ? incomplete\n';
/** Pads but never cuts: a next hop must stay readable even if the row gets wider. */
const pad = (t: string, w: number): string => t.padEnd(w);

export function renderRoutes(rows: readonly RouteRow[], opts: { showFrom?: boolean } = {}): string {
  const showFrom = opts.showFrom ?? true;
  const lines = [ROUTE_LEGEND.trimEnd(), `   ${col('Prefix', 19)} ${col('Next hop', 16)} ${showFrom ? col('From', 12) + ' ' : ''}${rcol('LocPrf', 6)} ${rcol('MED', 5)}  AS path`];
  for (const r of rows) {
    r.paths.forEach((p, i) => {
      const prefix = i === 0 ? r.prefix : '';
      // a prefix longer than its column gets a line of its own (IPv6)
      if (i === 0 && prefix.length > 19) lines.push(`${flags(p)} ${prefix}`);
      const shown = prefix.length > 19 ? '' : prefix;
      const path = `${p.asPath}${p.asPath ? ' ' : ''}${p.origin}`;
      lines.push(
        `${flags(p)} ${col(shown, 19)} ${pad(p.nextHop ?? '-', 16)} ${showFrom ? col(p.from, 12) + ' ' : ''}${rcol(p.localPref === null ? '-' : String(p.localPref), 6)} ${rcol(p.med === null ? '-' : String(p.med), 5)}  ${path}`.trimEnd(),
      );
    });
  }
  if (rows.length === 0) lines.push('(no routes)');
  return lines.join('\n') + '\n';
}

/** One prefix in detail (`show routes PREFIX`): every attribute of every path. */
export function renderRouteDetail(r: RouteRow): string {
  const lines = [`BGP routing table entry for ${r.prefix}, ${r.paths.length} path${r.paths.length === 1 ? '' : 's'}`];
  for (const p of r.paths) {
    const marks = [p.best ? 'best' : '', p.multipath ? 'multipath' : '', p.stale ? 'stale' : '', p.filtered ? 'filtered' : ''].filter(Boolean);
    lines.push(`  From ${p.from}${marks.length ? ` (${marks.join(', ')})` : ''}`);
    lines.push(`    AS path: ${p.asPath || '(empty)'}, origin ${p.origin === 'i' ? 'IGP' : p.origin === 'e' ? 'EGP' : 'incomplete'}`);
    lines.push(`    Next hop ${p.nextHop ?? '-'}, local pref ${p.localPref ?? '-'}, MED ${p.med ?? '-'}`);
    if (p.communities.length) lines.push(`    Communities: ${p.communities.join(' ')}`);
    if (p.largeCommunities.length) lines.push(`    Large communities: ${p.largeCommunities.join(' ')}`);
    if (p.originatorId) lines.push(`    Originator ID: ${p.originatorId}`);
    if (p.clusterList.length) lines.push(`    Cluster list: ${p.clusterList.join(' ')}`);
  }
  return lines.join('\n') + '\n';
}

const timer = (t: { configured: number; negotiated: number | null; remainingMs: number | null }): string =>
  `${t.remainingMs !== null ? `${(t.remainingMs / 1000).toFixed(1)}/` : ''}${t.negotiated ?? t.configured}s${t.negotiated !== null && t.negotiated !== t.configured ? ` (configured ${t.configured}s)` : ''}`;

export function renderNeighbor(v: NeighborView): string {
  const out: string[] = [];
  out.push(`BGP neighbor ${v.name} is ${v.address}${v.port !== 179 ? ` port ${v.port}` : ''}, remote AS ${v.asNumber}, local AS ${v.localAs}, type ${v.type}${v.passive ? ', passive' : ''}`);
  out.push(`  Remote router ID ${v.peerRouterId ?? '-'}`);
  out.push(`  State ${v.state}, ${v.state === 'Established' ? 'up' : 'since'} ${formatDuration(v.sinceSeconds)} (${v.since})`);
  if (v.local.address) out.push(`  Local ${v.local.address} port ${v.local.port ?? '-'}, remote ${v.remote.address ?? '-'} port ${v.remote.port ?? '-'}${v.direction ? `, connection ${v.direction === 'out' ? 'opened by us' : 'opened by the peer'}` : ''}`);
  out.push(`  Hold time ${timer(v.holdTime)}, keepalive ${timer(v.keepaliveTime)}`);
  if (v.families.length) out.push(`  Families: ${v.families.join(', ')}`);
  out.push('  Capabilities advertised:');
  for (const c of v.capabilities.local) out.push(`    ${c}`);
  out.push('  Capabilities received:');
  for (const c of v.capabilities.peer.length ? v.capabilities.peer : ['(none: no session yet)']) out.push(`    ${c}`);
  const gr = v.gracefulRestart;
  out.push(`  Graceful restart: ${gr.local ? `we advertise ${gr.local.restartTime}s${gr.local.restarting ? ', restarting' : ''}${gr.local.forwardingPreserved ? ', forwarding preserved' : ''}` : 'not advertised'}; peer ${gr.peer ? `${gr.peer.restartTime}s${gr.peer.restarting ? ' restarting' : ''} [${gr.peer.families.join(', ')}]` : 'not capable'}`);
  if (gr.staleUntil) out.push(`    Keeping the peer's routes as stale until ${gr.staleUntil}`);
  if (v.maxPrefix) out.push(`  Max prefix ${v.maxPrefix.limit}, action ${v.maxPrefix.action}${v.maxPrefix.restartAfter !== null ? ` (restart after ${v.maxPrefix.restartAfter}s)` : ''}${v.maxPrefix.exceeded ? ', EXCEEDED' : ''}`);
  out.push(`  Prefixes: received ${v.received}, accepted ${v.accepted}, sent ${v.sent}`);
  out.push(`  Messages     ${rcol('Sent', 10)} ${rcol('Received', 10)}`);
  const m = v.messages;
  for (const [label, k] of [['Opens', 'open'], ['Notifications', 'notification'], ['Updates', 'update'], ['Keepalives', 'keepalive'], ['Route Refresh', 'routeRefresh']] as const) {
    out.push(`    ${col(label, 13)}${rcol(String(m.sent[k]), 10)} ${rcol(String(m.received[k]), 10)}`);
  }
  out.push(`  Established ${v.establishedTransitions} times, dropped ${v.droppedTransitions} times`);
  out.push(`  Last error sent: ${v.lastErrorSent ?? '-'}`);
  out.push(`  Last error received: ${v.lastErrorReceived ?? '-'}`);
  if (v.lastError && v.lastError !== v.lastErrorSent && v.lastError !== v.lastErrorReceived) out.push(`  Last error: ${v.lastError}`);
  return out.join('\n') + '\n';
}

export function renderStatus(s: StatusView): string {
  const pfx = Object.entries(s.prefixes).map(([k, n]) => `${k} ${n}`).join(', ');
  return `bgpd pid ${s.pid}, router ID ${s.routerId}, AS ${s.asNumber}, up since ${s.startedAt}${s.restarting ? ' (graceful restart)' : ''}\n${s.peers} peers; prefixes: ${pfx || 'none'}\n`;
}

export function renderReload(r: Record<string, string[]>): string {
  const parts = Object.entries(r).filter(([, v]) => v.length > 0).map(([k, v]) => `${k}: ${v.join(', ')}`);
  return `configuration reloaded${parts.length ? `\n  ${parts.join('\n  ')}` : ' (nothing changed)'}\n`;
}
