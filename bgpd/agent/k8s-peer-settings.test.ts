import { describe, expect, it } from 'vitest';
import { parseBgpFilter } from './k8s-filters';
import { parseBgpPeer, parseDuration, peerIpProblem } from './k8s-peer-settings';
import type { PeerSettingsContext } from './k8s-peer-settings';
import { clusterNode, clusterPeers } from './k8s-peers';
import { passwordLookup } from './k8s-secrets';

const ctx: PeerSettingsContext = {
  filters: new Map([
    ['no-default', parseBgpFilter({ metadata: { name: 'no-default' }, spec: { importV4: [{ cidr: '0.0.0.0/0', matchOperator: 'Equal', action: 'Reject' }], importV6: [{ cidr: '::/0', matchOperator: 'Equal', action: 'Reject' }] } })],
  ]),
  password: passwordLookup([{ metadata: { name: 'bgp', namespace: 'tortie-system' }, data: { tor: Buffer.from('pw-1').toString('base64') } }], 'tortie-system'),
  meshHoldTime: 9,
};
const parse = (spec: Record<string, unknown>) => parseBgpPeer({ metadata: { name: 'p' }, spec: { peerIP: '198.18.9.1', asNumber: 65001, ...spec } }, ctx);

describe('parseDuration', () => {
  it('reads Go durations', () => {
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('1m30s')).toBe(90_000);
    expect(parseDuration('1.5h')).toBe(5_400_000);
    expect(parseDuration('0')).toBe(0);
    expect(parseDuration('250ms')).toBe(250);
    for (const bad of ['90', '-1s', '1d', 's', '1m 30s', '']) expect(parseDuration(bad), bad).toBeUndefined();
  });
});

describe('parseBgpPeer', () => {
  it('turns timers, GR time, passive, allowAsIn, password and filters into overrides', () => {
    const r = parse({ holdTime: '1m30s', keepaliveTime: '30s', maxRestartTime: '300s', passive: true, numAllowedLocalASNumbers: 2, password: { secretKeyRef: { name: 'bgp', key: 'tor' } }, filters: ['no-default'] });
    expect(r.problems).toEqual([]);
    expect(r.peer).toMatchObject({ name: 'p', peerIP: '198.18.9.1', asNumber: 65001, passive: true });
    expect(r.peer!.overrides).toMatchObject({ holdTime: 90, keepaliveTime: 30, restartTime: 300, allowAsIn: 2, password: 'pw-1', importPolicy: ['BGPFilter/no-default/importV4'] });
    expect(r.peer!.overrides!.exportPolicy).toBeUndefined();
    expect(Object.keys(r.peer!.overrides!.policies!)).toEqual(['BGPFilter/no-default/importV4']);
    // the filter lists follow the peer's address family
    const v6 = parseBgpPeer({ metadata: { name: 'p6' }, spec: { peerIP: '[fd00::9]:1179', asNumber: 65001, filters: ['no-default'] } }, ctx);
    expect(v6.peer!.overrides!.importPolicy).toEqual(['BGPFilter/no-default/importV6']);
  });

  it('holdTime alone brings keepalive = hold/3; hold 0 means no keepalives; no fields = no overrides', () => {
    expect(parse({ holdTime: '30s' }).peer!.overrides).toEqual({ holdTime: 30, keepaliveTime: 10 });
    expect(parse({ holdTime: '0s' }).peer!.overrides).toEqual({ holdTime: 0, keepaliveTime: 0 });
    expect(parse({ keepaliveTime: '3s' }).peer!.overrides).toEqual({ keepaliveTime: 3 });
    expect(parse({}).peer).toEqual({ name: 'p', peerIP: '198.18.9.1', asNumber: 65001 });
  });

  it('refuses what RFC 4271/4724 or the CRD do not allow, naming the field, and yields no peer', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ holdTime: '2s' }, 'spec.holdTime: expected a duration of 0s or 3s–65535s in whole seconds, found "2s"'],
      [{ holdTime: '1.5s' }, 'spec.holdTime: expected a duration of 0s or 3s–65535s in whole seconds, found "1.5s"'],
      [{ holdTime: '20h' }, 'spec.holdTime: expected a duration of 0s or 3s–65535s in whole seconds, found "20h"'],
      [{ holdTime: '9s', keepaliveTime: '9s' }, 'spec.keepaliveTime: expected 1s to less than holdTime (9s), found "9s"'],
      [{ holdTime: '0s', keepaliveTime: '3s' }, 'spec.keepaliveTime: expected 0s with holdTime 0s, found "3s"'],
      [{ keepaliveTime: '10s' }, 'spec.keepaliveTime: expected less than the hold time (9s; set spec.holdTime to change it), found "10s"'],
      [{ maxRestartTime: '2h' }, 'spec.maxRestartTime: expected a duration of 0s or 1s–4095s in whole seconds, found "2h"'],
      [{ numAllowedLocalASNumbers: 11 }, 'spec.numAllowedLocalASNumbers: expected an integer 0–10, found 11'],
      [{ node: 'a', nodeSelector: 'rack=r1' }, 'spec.node and spec.nodeSelector: set one of them, not both'],
      [{ nodeSelector: 'rack in (r1' }, 'spec.nodeSelector: cannot parse "rack in (r1" as a Kubernetes label selector (k=v, k!=v, k in (a,b), k notin (a,b), k, !k)'],
      [{ nodeSelector: 'rack == r1 && has(x)' }, 'spec.nodeSelector: cannot parse "rack == r1 && has(x)" as a Calico selector (all(), has(k), k == "v", joined by &&)'],
      [{ password: { secretKeyRef: { name: 'bgp', key: 'nope' } } }, 'spec.password.secretKeyRef: Secret tortie-system/bgp has no key "nope"; peer not configured'],
      [{ filters: ['missing'] }, 'spec.filters[0]: BGPFilter "missing" does not exist; peer not configured'],
    ];
    for (const [spec, problem] of cases) {
      const r = parse(spec);
      expect(r.problems, JSON.stringify(spec)).toEqual([problem]);
      expect(r.peer).toBeUndefined();
    }
    expect(parseBgpPeer({ metadata: { name: 'x' }, spec: { asNumber: 1 } }, ctx).problems).toEqual(['spec: needs peerIP and asNumber']);
  });
});

describe('parseBgpPeer peerIP', () => {
  const withIp = (peerIP: string) => parseBgpPeer({ metadata: { name: 'p' }, spec: { peerIP, asNumber: 65001 } }, ctx);
  const address = 'spec.peerIP: expected an IPv4 or IPv6 address, optionally with a port 1–65535 (192.0.2.1, 192.0.2.1:1179, fd00::1, [fd00::1]:1179), found';
  const port = 'spec.peerIP: expected a port 1–65535 after the address, found';

  it('refuses text that is no address, or a port outside 1–65535, and yields no peer', () => {
    const cases: [string, string][] = [
      ['198.18.9', address],
      ['198.18.9.256', address],
      ['tor.example', address],
      ['198.18.9.1:', address],
      ['fd00::1%eth0', address],
      ['[fd00::1', address],
      ['[fd00::zz]:179', address],
      ['198.18.9.1:0', port],
      ['198.18.9.1:65536', port],
      ['[fd00::1]:99999', port],
      ['198.18.9.1:99999999999999999999', port],
    ];
    for (const [peerIP, problem] of cases) {
      const r = withIp(peerIP);
      expect(r.problems, peerIP).toEqual([`${problem} ${JSON.stringify(peerIP)}`]);
      expect(r.peer).toBeUndefined();
    }
    expect(peerIpProblem('198.18.9.1:1179')).toBeUndefined();
  });

  it('keeps canonical and non-canonical valid forms (they are canonicalised where sessions are planned)', () => {
    for (const peerIP of ['198.18.9.1', '198.18.9.1:1179', '198.18.9.1:65535', 'fd00::9', 'FD00:0::9', '[fd00::9]', '[fd00::9]:1179', '::ffff:198.18.9.1', '[198.18.9.1]:179']) {
      const r = withIp(peerIP);
      expect(r.problems, peerIP).toEqual([]);
      expect(r.peer?.peerIP).toBe(peerIP);
    }
    // the problem comes with the others the object has, not instead of them
    expect(parseBgpPeer({ metadata: { name: 'p' }, spec: { peerIP: 'x', asNumber: 65001, holdTime: '2s' } }, ctx).problems).toHaveLength(2);
  });
});

describe('clusterPeers with explicit peer settings', () => {
  it('carries a BGPPeer\'s overrides and passive to its session only', () => {
    const nodes = [clusterNode({ metadata: { name: 'a' }, status: { addresses: [{ type: 'InternalIP', address: '198.18.0.1' }] } }), clusterNode({ metadata: { name: 'b' }, status: { addresses: [{ type: 'InternalIP', address: '198.18.0.2' }] } })];
    const tor = parse({ holdTime: '30s', passive: true }).peer!;
    const out = clusterPeers(nodes, [tor], { asNumber: 64512, nodeToNodeMesh: true, listenPort: 179 }, 'a');
    expect(out).toEqual([
      { name: 'Global_198_18_9_1', address: '198.18.9.1', asNumber: 65001, role: 'mesh', port: 179, passive: true, overrides: { holdTime: 30, keepaliveTime: 10 } },
      { name: 'Mesh_198_18_0_2', address: '198.18.0.2', asNumber: 64512, role: 'mesh', port: 179, passive: true },
    ]);
  });
});

describe('clusterPeers with two BGPPeers for one session', () => {
  it('keeps the first by BGPPeer name, whatever order the informer lists them in', () => {
    const nodes = [clusterNode({ metadata: { name: 'a' }, status: { addresses: [{ type: 'InternalIP', address: '198.18.0.1' }] } })];
    const x = { ...parse({ holdTime: '30s' }).peer!, name: 'x' };
    const y = { ...parse({ holdTime: '60s' }).peer!, name: 'y' };
    const cfg = { asNumber: 64512, nodeToNodeMesh: true, listenPort: 179 };
    for (const order of [[x, y], [y, x]]) {
      const out = clusterPeers(nodes, order, cfg, 'a');
      expect(out.map((p) => [p.name, p.overrides?.holdTime])).toEqual([['Global_198_18_9_1', 30]]);
    }
  });
});
