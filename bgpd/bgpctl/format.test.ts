import { describe, it, expect } from 'vitest';
import type { PeerRow, RouteRow } from '../control/protocol';
import { fit, formatDuration, renderNeighbor, renderPeers, renderRoutes } from './format';
import type { NeighborView } from '../control/protocol';

const row = (p: Partial<PeerRow>): PeerRow => ({
  name: 'tor1', address: '198.18.0.254', port: 179, type: 'global', asNumber: 65001, state: 'Established',
  since: '2026-01-01T00:00:00.000Z', sinceSeconds: 3723, received: 12, accepted: 10, sent: 4, messagesReceived: 20,
  messagesSent: 18, lastError: null, ...p,
});

describe('bgpctl text output', () => {
  it('durations like OpenBGPD', () => {
    expect(formatDuration(3723)).toBe('01:02:03');
    expect(formatDuration(93784)).toBe('1d02h03m');
    expect(formatDuration(8 * 86400 + 3 * 3600)).toBe('01w1d03h');
  });

  it('show peers fits 80 columns, puts errors of down peers on their own line', () => {
    const text = renderPeers([
      row({}),
      row({ name: 'a-very-long-peer-name-indeed', type: 'rr-client', asNumber: 4200000000, state: 'Idle(PfxLimit)', lastError: 'Sent: Cease/Administrative shutdown: maximum prefix limit 3 exceeded and some more text to overflow the line' }),
      row({ name: 'Mesh_10_0_0_3', type: 'mesh', state: 'Active', lastError: 'Socket: connect ECONNREFUSED' }),
    ]);
    const lines = text.trimEnd().split('\n');
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(80);
    expect(lines[0]).toMatch(/^Peer\s+Type\s+AS\s+State\s+Up\/Down\s+Rcvd\/Accept\s+Sent$/);
    expect(lines[1]).toMatch(/^tor1\s+global\s+65001\s+Established\s+01:02:03\s+12\/10\s+4$/);
    expect(lines[2]).toMatch(/^a-very-long-pe~ rr-client 4200000000 Idle\(PfxLimit\)/);
    expect(lines[3]).toMatch(/^  Last error: Sent: Cease/);
    expect(lines[5]).toBe('  Last error: Socket: connect ECONNREFUSED');
    expect(renderPeers([row({})], { numeric: true })).toMatch(/^198\.18\.0\.254 /m);
    expect(fit('abcdef', 4)).toBe('abc~');
  });

  it('show routes marks best, multipath, stale and filtered paths', () => {
    const base = { nextHop: '198.18.0.2', asPath: '65002', origin: 'i' as const, localPref: 100, med: null, communities: [], largeCommunities: [], originatorId: null, clusterList: [] };
    const rows: RouteRow[] = [{
      prefix: '10.2.0.0/24',
      paths: [
        { ...base, best: true, multipath: true, stale: false, filtered: false, from: 'tor1' },
        { ...base, best: false, multipath: true, stale: false, filtered: false, from: 'tor2', nextHop: '198.18.0.3' },
        { ...base, best: false, multipath: false, stale: true, filtered: false, from: 'tor3' },
        { ...base, best: false, multipath: false, stale: false, filtered: true, from: 'tor4' },
      ],
    }];
    const lines = renderRoutes(rows).trimEnd().split('\n');
    expect(lines[3]).toMatch(/^\*> 10\.2\.0\.0\/24\s+198\.18\.0\.2\s+tor1\s+100\s+-\s+65002 i$/);
    expect(lines[4]).toMatch(/^\*=\s+198\.18\.0\.3\s+tor2/);
    expect(lines[5]).toMatch(/^S\s+198\.18\.0\.2\s+tor3/);
    expect(lines[6]).toMatch(/^F\s+198\.18\.0\.2\s+tor4/);
    expect(renderRoutes([])).toMatch(/\(no routes\)/);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(80);
    // a long IPv6 prefix gets its own line; a long next hop is never cut
    const v6 = renderRoutes([{ prefix: '2001:db8:1234:5678::/64', paths: [{ ...base, nextHop: '2001:db8:ffff:eeee::1', best: true, multipath: false, stale: false, filtered: false, from: 'tor1' }] }]);
    expect(v6).toMatch(/^\*> 2001:db8:1234:5678::\/64\n\*>\s+2001:db8:ffff:eeee::1 /m);
  });
});

describe('show neighbor text', () => {
  it('lists capabilities both ways, timers, counters, errors and GR state', () => {
    const counts = { open: 1, update: 5, notification: 0, keepalive: 9, routeRefresh: 0 };
    const v: NeighborView = {
      ...row({}), localAs: 64512, peerRouterId: '198.18.0.254', passive: false, direction: 'out',
      local: { address: '198.18.0.1', port: 40000 }, remote: { address: '198.18.0.254', port: 179 },
      holdTime: { configured: 90, negotiated: 30, remainingMs: 21500 }, keepaliveTime: { configured: 30, negotiated: 10, remainingMs: 4000 },
      families: ['ipv4'], capabilities: { local: ['multiprotocol ipv4-unicast', 'route-refresh'], peer: ['4-octet-as'] },
      messages: { sent: { ...counts, keepalive: 8 }, received: counts }, establishedTransitions: 2, droppedTransitions: 1,
      lastErrorSent: null, lastErrorReceived: 'Received: Cease/Administrative reset', maxPrefix: { limit: 100, action: 'restart', restartAfter: 60, exceeded: false },
      gracefulRestart: { local: { restartTime: 120, restarting: false, forwardingPreserved: false }, peer: { restartTime: 90, restarting: true, families: ['ipv4 (forwarding preserved)'] }, staleUntil: '2026-01-01T00:02:00.000Z' },
    };
    const text = renderNeighbor(v);
    expect(text).toMatch(/^BGP neighbor tor1 is 198\.18\.0\.254, remote AS 65001, local AS 64512, type global$/m);
    expect(text).toMatch(/Hold time 21\.5\/30s \(configured 90s\), keepalive 4\.0\/10s \(configured 30s\)/);
    expect(text).toMatch(/Capabilities advertised:\n    multiprotocol ipv4-unicast\n    route-refresh\n  Capabilities received:\n    4-octet-as/);
    expect(text).toMatch(/Keepalives\s+8\s+9/);
    expect(text).toMatch(/peer 90s restarting \[ipv4 \(forwarding preserved\)\]/);
    expect(text).toMatch(/stale until 2026-01-01T00:02:00\.000Z/);
    expect(text).toMatch(/Max prefix 100, action restart \(restart after 60s\)/);
    expect(text).toMatch(/Last error received: Received: Cease\/Administrative reset/);
  });
});
