import { describe, it, expect } from 'vitest';
import { parseBirdProtocolState, parseBirdRouteCount, parseBirdRoutes, renderBirdConfig } from './bird';
import { frrReceivedPrefixes, parseFrrPrefixDetail, renderFrrBgpdConfig } from './frr';
import { gobgpAddArgs, parseGobgpNeighborState, parseGobgpRib, renderGobgpConfig } from './gobgp';
import { parseOpenbgpdRib, renderOpenbgpdConfig } from './openbgpd';
import { EXABGP_ENV, exabgpEnv, foldExabgpMessages, renderExabgpConfig } from './exabgp';
import { parseJsonDocuments } from './json-documents';
import type { SpeakerSpec } from './types';

// Outputs below were captured from the Debian daemons on this machine (BIRD 2.0.12, FRR 8.4.4,
// GoBGP 3.10.0, OpenBGPD 7.7, ExaBGP 4.2.21) and trimmed.

const spec: SpeakerSpec = {
  routerId: '198.18.0.2',
  localAs: 65002,
  localAddress: '198.18.0.2',
  localAddress6: 'fd00:18::2',
  neighbors: [
    { address: '198.18.0.1', as: 65001, passive: true, holdTime: 9, description: 'bird' },
    { address: 'fd00:18::1', as: 65002, routeReflectorClient: true, gracefulRestart: true },
  ],
  routes: [
    { prefix: '203.0.113.0/24', med: 20, communities: ['65002:9'], largeCommunities: ['65002:3:4'] },
    { prefix: '2001:db8:2::/48' },
  ],
};

describe('BIRD', () => {
  it('renders neighbors, families, timers and static routes with attributes', () => {
    const c = renderBirdConfig(spec, spec.routes ?? []);
    expect(c).toContain('local 198.18.0.2 as 65002;');
    expect(c).toContain('neighbor 198.18.0.1 as 65001;');
    expect(c).toContain('local fd00:18::2 as 65002;');
    expect(c).toContain('hold time 9;');
    expect(c).toContain('passive on;');
    expect(c).toContain('rr client;');
    // iBGP neighbors are declared directly connected (no IGP table to resolve next hops); eBGP ones not
    expect(c).toMatch(/neighbor fd00:18::1 as 65002;[^}]*\n {2}direct;/);
    expect(c).not.toMatch(/neighbor 198\.18\.0\.1 as 65001;[^}]*direct;/);
    expect(c).toContain('graceful restart on;');
    expect(c).toContain('route 203.0.113.0/24 blackhole { bgp_med = 20; bgp_community.add((65002,9)); bgp_large_community.add((65002,3,4)); };');
    expect(c).toContain('route 2001:db8:2::/48 blackhole;');
    expect(c).toMatch(/protocol bgp n1 \{[^}]*ipv6 \{ import all;/);
    expect(() => renderBirdConfig({ ...spec, localAddress6: undefined }, [])).toThrow(/localAddress6/);
    expect(c).not.toContain('protocol kernel');
    const k = renderBirdConfig(spec, [], { kernelExport: true, extraConfig: 'filter f { accept; }' });
    expect(k).toContain('protocol kernel k_ipv4 { ipv4 { import none; export where source = RTS_BGP; }; }');
    expect(k.trimEnd().endsWith('filter f { accept; }')).toBe(true);
  });

  it('parses show route all, including several routes for one prefix', () => {
    const text = [
      'BIRD 2.0.12 ready.',
      'Table master4:',
      '192.0.2.0/24         unicast [n0 02:24:13.315] * (100) [AS65001i]',
      '\tvia 198.18.0.1 on e-a',
      '\tType: BGP univ',
      '\tBGP.origin: IGP',
      '\tBGP.as_path: 65001 65010',
      '\tBGP.next_hop: 198.18.0.1',
      '\tBGP.med: 10',
      '\tBGP.local_pref: 100',
      '\tBGP.community: (65001,7) (65001,8)',
      '\tBGP.large_community: (65001, 1, 2)',
      '                     unicast [n1 02:24:14.000 from 198.18.0.9] (100) [AS65009i]',
      '\tvia 198.18.0.9 on e-a',
      '\tBGP.as_path: 65009',
      '\tBGP.next_hop: 198.18.0.9',
      '10.0.0.0/8           blackhole [s_ipv4 02:24:12.478] * (200)',
      'Table master6:',
      '2001:db8::/48        unicast [n1 02:24:13.367] * (100) [AS65001i]',
      '\tBGP.next_hop: fd00:18::1 fe80::3898:7dff:fe0b:3601',
    ].join('\n');
    const rs = parseBirdRoutes(text);
    expect(rs).toHaveLength(4);
    expect(rs[0]).toEqual({
      prefix: '192.0.2.0/24',
      protocol: 'n0',
      nextHop: '198.18.0.1',
      asPath: [65001, 65010],
      med: 10,
      communities: ['65001:7', '65001:8'],
      largeCommunities: ['65001:1:2'],
    });
    expect(rs[1]).toMatchObject({ prefix: '192.0.2.0/24', protocol: 'n1', peer: '198.18.0.9', asPath: [65009] });
    expect(rs[2]).toMatchObject({ prefix: '10.0.0.0/8', protocol: 's_ipv4' });
    expect(rs[3]).toMatchObject({ prefix: '2001:db8::/48', nextHop: 'fd00:18::1' });
  });

  it('sums show route count over tables', () => {
    const text = 'BIRD 2.0.12 ready.\n100000 of 100000 routes for 100000 networks in table master4\n3 of 4 routes for 2 networks in table master6\n';
    expect(parseBirdRouteCount(text)).toBe(100003);
    expect(parseBirdRouteCount('BIRD 2.0.12 ready.\n0 of 0 routes for 0 networks in table master4\n')).toBe(0);
  });

  it('reads the BGP state of one protocol', () => {
    const text = [
      'Name       Proto      Table      State  Since         Info',
      'n0         BGP        ---        up     02:24:13.275  Established   ',
      'n1         BGP        ---        start  02:24:13.327  Active        Socket: Connection refused',
    ].join('\n');
    expect(parseBirdProtocolState(text, 'n0')).toBe('Established');
    expect(parseBirdProtocolState(text, 'n1')).toBe('Active');
    expect(parseBirdProtocolState(text, 'n2')).toBeUndefined();
  });
});

describe('FRR', () => {
  it('renders policy-free eBGP, per-family activation and route-maps for attributes', () => {
    const c = renderFrrBgpdConfig(spec, 'x');
    expect(c).toContain('no bgp ebgp-requires-policy');
    expect(c).toMatch(/router bgp 65002\n bgp router-id [\d.]+\n bgp log-neighbor-changes\n/);
    expect(c).toContain(' neighbor 198.18.0.1 timers 3 9');
    expect(c).toContain(' neighbor 198.18.0.1 passive');
    expect(c).toContain(' neighbor fd00:18::1 update-source fd00:18::2');
    expect(c).toMatch(/address-family ipv6 unicast\n {2}neighbor fd00:18::1 activate\n {2}neighbor fd00:18::1 route-reflector-client/);
    expect(c).toContain('  network 203.0.113.0/24 route-map rm-203_0_113_0_24');
    expect(c).toContain('route-map rm-203_0_113_0_24 permit 10\n set metric 20\n set community 65002:9\n set large-community 65002:3:4');
    expect(c).toContain('  network 2001:db8:2::/48\n');
  });

  it('lists received prefixes and parses per-prefix detail, preferring the global v6 next hop', () => {
    const list = JSON.stringify({
      routes: {
        '192.0.2.0/24': [{ peerId: '198.18.0.1', path: '65001' }],
        '203.0.113.0/24': [{ peerId: '(unspec)', path: '' }],
      },
    });
    expect(frrReceivedPrefixes(list)).toEqual(['192.0.2.0/24']);
    const detail = {
      prefix: '2001:db8::/48',
      paths: [
        {
          aspath: { string: '65001 65020', segments: [] },
          metric: 4,
          community: { string: '65001:8', list: ['65001:8'] },
          largeCommunity: { string: '65001:1:2', list: ['65001:1:2'] },
          nexthops: [
            { ip: 'fe80::1', afi: 'ipv6', scope: 'link-local' },
            { ip: 'fd00:18::1', afi: 'ipv6', scope: 'global' },
          ],
          peer: { peerId: 'fd00:18::1' },
        },
      ],
    };
    expect(parseFrrPrefixDetail(detail)).toEqual([
      {
        prefix: '2001:db8::/48',
        nextHop: 'fd00:18::1',
        asPath: [65001, 65020],
        communities: ['65001:8'],
        largeCommunities: ['65001:1:2'],
        med: 4,
        peer: 'fd00:18::1',
      },
    ]);
  });
});

describe('GoBGP', () => {
  it('renders accept-all policies, timers, transport and families', () => {
    const c = renderGobgpConfig(spec);
    expect(c).toContain('default-import-policy = "accept-route"');
    expect(c).toContain('local-address-list = ["198.18.0.2", "fd00:18::2"]');
    expect(c).toContain('hold-time = 9');
    expect(c).toContain('passive-mode = true');
    expect(c).toContain('route-reflector-client = true');
    expect(c).toContain('afi-safi-name = "ipv6-unicast"');
  });

  it('builds rib add arguments with the right next hop per family', () => {
    expect(gobgpAddArgs(spec, spec.routes![0])).toEqual([
      'global', 'rib', '-a', 'ipv4', 'add', '203.0.113.0/24', 'nexthop', '198.18.0.2',
      'med', '20', 'community', '65002:9', 'large-community', '65002:3:4',
    ]);
    expect(gobgpAddArgs(spec, spec.routes![1]).slice(2, 8)).toEqual(['-a', 'ipv6', 'add', '2001:db8:2::/48', 'nexthop', 'fd00:18::2']);
  });

  it('parses the rib JSON, skipping locally added paths', () => {
    const rib = {
      '192.0.2.0/24': [
        {
          nlri: { prefix: '192.0.2.0/24' },
          attrs: [
            { type: 1, value: 0 },
            { type: 2, as_paths: [{ segment_type: 2, num: 1, asns: [65001] }] },
            { type: 3, nexthop: '198.18.0.1' },
            { type: 4, metric: 10 },
            { type: 8, communities: [4259905543] },
            { type: 32, value: [{ ASN: 65001, LocalData1: 1, LocalData2: 2 }] },
          ],
          'neighbor-ip': '198.18.0.1',
        },
      ],
      '203.0.113.0/24': [{ nlri: { prefix: '203.0.113.0/24' }, attrs: [{ type: 3, nexthop: '198.18.0.2' }] }],
    };
    expect(parseGobgpRib(JSON.stringify(rib))).toEqual([
      {
        prefix: '192.0.2.0/24',
        nextHop: '198.18.0.1',
        asPath: [65001],
        communities: ['65001:7'],
        largeCommunities: ['65001:1:2'],
        med: 10,
        peer: '198.18.0.1',
      },
    ]);
    expect(parseGobgpRib('')).toEqual([]);
  });

  it('maps the numeric session state', () => {
    expect(parseGobgpNeighborState('{"state":{"session_state":6}}')).toBe('established');
    expect(parseGobgpNeighborState('{"state":{"session_state":3}}')).toBe('active');
  });
});

describe('OpenBGPD', () => {
  it('renders allow rules, a private socket, per-neighbor families and network attributes', () => {
    const c = renderOpenbgpdConfig(spec, '/tmp/x/bgpd.sock');
    expect(c).toContain('socket "/tmp/x/bgpd.sock"');
    expect(c).toContain('fib-update no');
    expect(c).toContain('network 203.0.113.0/24 set { med 20 community 65002:9 large-community 65002:3:4 }');
    expect(c).toMatch(/neighbor 198\.18\.0\.1 \{[^}]*passive[^}]*announce IPv4 unicast\n {2}announce IPv6 none/);
    expect(c).toMatch(/neighbor fd00:18::1 \{[^}]*route-reflector[^}]*announce IPv4 none\n {2}announce IPv6 unicast/);
    expect(c).toMatch(/allow from any\nallow to any/);
  });

  it('parses bgpctl -j show rib detail, skipping LOCAL routes', () => {
    const rib = {
      rib: [
        {
          prefix: '192.0.2.0/24',
          aspath: '65001',
          exit_nexthop: '198.18.0.1',
          true_nexthop: '198.18.0.2',
          neighbor: { remote_addr: '198.18.0.1', bgp_id: '198.18.0.1' },
          metric: 10,
          communities: ['65001:7'],
          large_communities: ['65001:1:2'],
        },
        { prefix: '203.0.113.0/24', aspath: '', exit_nexthop: '0.0.0.0', neighbor: { description: 'LOCAL', remote_addr: '???' }, metric: 20 },
      ],
    };
    expect(parseOpenbgpdRib(JSON.stringify(rib))).toEqual([
      {
        prefix: '192.0.2.0/24',
        nextHop: '198.18.0.1',
        asPath: [65001],
        communities: ['65001:7'],
        largeCommunities: ['65001:1:2'],
        med: 10,
        peer: '198.18.0.1',
      },
    ]);
  });
});

describe('ExaBGP', () => {
  it('renders static routes per family and the API helper process', () => {
    const c = renderExabgpConfig(spec, '/tmp/x/lab-api.sh');
    expect(c).toContain('run /tmp/x/lab-api.sh;');
    expect(c).toContain('route 203.0.113.0/24 next-hop 198.18.0.2 med 20 community [ 65002:9 ] large-community [ 65002:3:4 ];');
    expect(c).toContain('route 2001:db8:2::/48 next-hop fd00:18::2;');
    expect(c).toContain('passive true;');
    // the v4 neighbor does not get the v6 route and vice versa
    const v4Block = c.slice(c.indexOf('neighbor 198.18.0.1'), c.indexOf('neighbor fd00:18::1'));
    expect(v4Block).not.toContain('2001:db8:2::/48');
  });

  it('listens on the local addresses of passive neighbors only', () => {
    expect(exabgpEnv(spec)).toMatchObject({ ...EXABGP_ENV, 'exabgp.tcp.bind': '198.18.0.2', 'exabgp.tcp.port': '179' });
    const both = { ...spec, neighbors: spec.neighbors.map((n) => ({ ...n, passive: true })) };
    expect(exabgpEnv(both)['exabgp.tcp.bind']).toBe('198.18.0.2 fd00:18::2');
    const none = { ...spec, neighbors: spec.neighbors.map((n) => ({ ...n, passive: false })) };
    expect(exabgpEnv(none)).toEqual(EXABGP_ENV);
  });

  it('folds state changes, announces and withdraws in order', () => {
    const peer = { address: { local: '198.18.0.2', peer: '198.18.0.1' } };
    const lines = [
      { type: 'state', neighbor: { ...peer, state: 'connected' } },
      { type: 'state', neighbor: { ...peer, state: 'up' } },
      {
        type: 'update',
        neighbor: {
          ...peer,
          message: {
            update: {
              attribute: { 'as-path': [65001], med: 10, community: [[65001, 7]], 'large-community': [[65001, 1, 2]] },
              announce: { 'ipv4 unicast': { '198.18.0.1': [{ nlri: '192.0.2.0/24' }, { nlri: '192.0.2.128/25' }] } },
            },
          },
        },
      },
      { type: 'update', neighbor: { ...peer, message: { update: { withdraw: { 'ipv4 unicast': [{ nlri: '192.0.2.128/25' }] } } } } },
      {
        type: 'update',
        neighbor: {
          address: { peer: 'fd00:18::1' },
          message: { update: { attribute: {}, announce: { 'ipv6 unicast': { 'fd00:18::1': [{ nlri: '2001:db8::/48' }], 'fe80::1': [{ nlri: '2001:db8::/48' }] } } } },
        },
      },
    ];
    const { states, routes } = foldExabgpMessages(lines.map((l) => JSON.stringify(l)).join('\n'));
    expect(states.get('198.18.0.1')).toBe('up');
    expect(routes).toEqual([
      { prefix: '192.0.2.0/24', nextHop: '198.18.0.1', asPath: [65001], communities: ['65001:7'], largeCommunities: ['65001:1:2'], med: 10, peer: '198.18.0.1' },
      { prefix: '2001:db8::/48', nextHop: 'fd00:18::1', asPath: [], communities: [], largeCommunities: [], peer: 'fd00:18::1' },
    ]);
    const down = foldExabgpMessages(
      [...lines, { type: 'state', neighbor: { ...peer, state: 'down' } }].map((l) => JSON.stringify(l)).join('\n'),
    );
    expect(down.routes.map((r) => r.peer)).toEqual(['fd00:18::1']);
  });
});

describe('parseJsonDocuments', () => {
  it('splits back-to-back and pretty-printed documents, ignoring noise and braces in strings', () => {
    const text = '{"a":1}\n{\n  "b": "x}{y\\"z"\n}\nnoise [1,2]';
    expect(parseJsonDocuments(text)).toEqual([{ a: 1 }, { b: 'x}{y"z' }, [1, 2]]);
  });
});
