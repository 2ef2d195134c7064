import { describe, it, expect } from 'vitest';
import { diffConfig } from './diff';
import { peersForThisNode } from './peers';
import { formatConfigError, parseConfigText } from './index';
import type { HostFacts, TortieConfig } from './index';

const host: HostFacts = { hostname: 'node-1', ipv4: ['198.18.0.1'], ipv6: [] };
function cfg(text: string): TortieConfig {
  const r = parseConfigText(text, 'c.yaml', { host });
  if (r.errors) throw new Error(r.errors.map(formatConfigError).join('\n'));
  return r.config;
}

const base = `
peers:
  - { name: tor-a, address: 198.18.0.254, asNumber: 65001, importPolicy: in }
  - { name: tor-b, address: 198.18.0.253, asNumber: 65001 }
  - { name: tor-c, address: 198.18.0.252, asNumber: 65001 }
policies:
  - { name: in, rules: [{ match: { prefixes: [0.0.0.0/0] } }] }
pools: [{ cidr: 10.244.0.0/16 }]
`;

describe('diffConfig', () => {
  it('ignores peers that belong to another node (peers[].node)', () => {
    const mine = '  - { name: tor-mine, address: 198.18.0.250, asNumber: 65001, node: node-1 }\n';
    const theirs = '  - { name: tor-theirs, address: 198.18.0.249, asNumber: 65001, node: node-2 }\n';
    const withBoth = cfg(base.replace('policies:', `${mine}${theirs}policies:`));
    const d = diffConfig(cfg(base), withBoth);
    expect(d.addedPeers.map((p) => p.name)).toEqual(['tor-mine']);
    expect(diffConfig(withBoth, cfg(base)).removedPeers).toEqual(['tor-mine']);
    expect(peersForThisNode(withBoth).map((p) => p.name)).toEqual(['tor-a', 'tor-b', 'tor-c', 'tor-mine']);
  });

  it('finds nothing between equal configs', () => {
    expect(diffConfig(cfg(base), cfg(base))).toEqual({ restartRequired: [], addedPeers: [], removedPeers: [], resetPeers: [], refreshPeers: [], changed: [] });
  });

  it('sorts peer changes into add, remove, reset and refresh', () => {
    const after = cfg(base
      .replace('{ name: tor-b, address: 198.18.0.253, asNumber: 65001 }', '{ name: tor-b, address: 198.18.0.253, asNumber: 65002 }')
      .replace('  - { name: tor-c, address: 198.18.0.252, asNumber: 65001 }\n', '  - { name: tor-d, address: 198.18.0.251, asNumber: 65001 }\n')
      .replace('prefixes: [0.0.0.0/0]', 'prefixes: [10.0.0.0/8]'));
    const d = diffConfig(cfg(base), after);
    expect(d.addedPeers.map((p) => p.name)).toEqual(['tor-d']);
    expect(d.removedPeers).toEqual(['tor-c']);
    expect(d.resetPeers.map((p) => p.name)).toEqual(['tor-b']);
    expect(d.refreshPeers.map((p) => p.name)).toEqual(['tor-a']); // its policy changed
    expect(d.changed).toEqual(['policies']);
    expect(d.restartRequired).toEqual([]);
  });

  it('a policy reference change refreshes; an inherited timer change resets', () => {
    const d1 = diffConfig(cfg(base), cfg(base.replace('asNumber: 65001 }\n  - { name: tor-c', 'asNumber: 65001, exportPolicy: in }\n  - { name: tor-c')));
    expect(d1.refreshPeers.map((p) => p.name)).toEqual(['tor-b']);
    expect(d1.resetPeers).toEqual([]);
    const d2 = diffConfig(cfg(base), cfg(base + 'timers: { holdTime: 30 }\n'));
    expect(d2.resetPeers.map((p) => p.name)).toEqual(['tor-a', 'tor-b', 'tor-c']);
    expect(d2.changed).toEqual(['timers']);
  });

  it('identity, listener and datastore changes need a restart', () => {
    const d = diffConfig(cfg(base), cfg(base + 'asNumber: 64513\nlisten: { port: 1179 }\nadvertisePrefixes: [10.96.0.0/12]\n'));
    expect(d.restartRequired).toEqual(['asNumber', 'listen']);
    expect(d.changed).toEqual(['advertisePrefixes']);
  });
});
