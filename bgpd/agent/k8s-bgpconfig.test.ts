import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { durationSeconds, isCommunityLiteral, logLevelFor, resolveBgpConfig } from './k8s-bgpconfig';
import type { CrdObject } from './k8s-peers';

const FILE = { asNumber: 64512, nodeToNodeMesh: true, listenPort: 179 };
const obj = (name: string, spec: Record<string, unknown>): CrdObject => ({ metadata: { name }, spec });
const problemsOf = (r: ReturnType<typeof resolveBgpConfig>, name: string): string[] => r.problems.find((p) => p.ref.name === name)?.problems ?? [];

describe('resolveBgpConfig', () => {
  it('takes default over the file, the node object over default, and the file where neither sets a field', () => {
    const objs = [
      obj('default', { asNumber: 65000, listenPort: 1179, serviceClusterIPs: [{ cidr: '10.96.0.0/12' }] }),
      obj('node.a', { listenPort: 2179 }),
    ];
    const a = resolveBgpConfig(objs, FILE, 'a');
    expect(a.config).toMatchObject({ asNumber: 65000, nodeToNodeMesh: true, listenPort: 2179, serviceClusterIPs: ['10.96.0.0/12'] });
    // the node object changes nothing for another node
    expect(resolveBgpConfig(objs, FILE, 'b').config.listenPort).toBe(1179);
    expect(a.listenPortOf('a')).toBe(2179);
    expect(a.listenPortOf('b')).toBe(1179);
    expect(a.problems.map((p) => p.problems)).toEqual([[], []]);
  });

  it('configFileWins: the listed fields keep the file value, wherever the CRD sets them', () => {
    const objs = [obj('default', { asNumber: 65000, nodeToNodeMesh: false, listenPort: 1179 }), obj('node.a', { listenPort: 2179 })];
    const r = resolveBgpConfig(objs, FILE, 'a', ['asNumber', 'listenPort']);
    expect(r.config).toMatchObject({ asNumber: 64512, nodeToNodeMesh: false, listenPort: 179 });
    expect(r.listenPortOf('b')).toBe(179);
  });

  it('reports default-only fields in a node object and ignores them there', () => {
    const objs = [obj('default', {}), obj('node.a', { asNumber: 65001, serviceClusterIPs: [{ cidr: '10.96.0.0/12' }], listenPort: 2179 })];
    const r = resolveBgpConfig(objs, FILE, 'a');
    expect(r.config).toMatchObject({ asNumber: 64512, listenPort: 2179, serviceClusterIPs: [] });
    expect(problemsOf(r, 'node.a')).toEqual([
      'spec.asNumber: only valid in the "default" BGPConfiguration, found in "node.a"; ignored',
      'spec.serviceClusterIPs: only valid in the "default" BGPConfiguration, found in "node.a"; ignored',
    ]);
    expect(problemsOf(r, 'default')).toEqual([]);
  });

  it('resolves community names (the node object may redefine one) and reports an undefined name', () => {
    const objs = [
      obj('default', {
        communities: [{ name: 'cluster', value: '64512:100' }, { name: 'big', value: '64512:1:2' }],
        prefixAdvertisements: [{ cidr: '10.244.0.0/16', communities: ['cluster', 'big', '65000:7', 'nope'] }],
      }),
      obj('node.b', { communities: [{ name: 'cluster', value: '64512:200' }], prefixAdvertisements: [{ cidr: '10.244.0.0/16', communities: ['cluster'] }] }),
    ];
    const a = resolveBgpConfig(objs, FILE, 'a');
    expect(a.config.prefixAdvertisements).toEqual([{ cidr: '10.244.0.0/16', communities: ['64512:100', '64512:1:2', '65000:7'] }]);
    expect(problemsOf(a, 'default')).toEqual([
      'spec.prefixAdvertisements[0].communities[3]: "nope" is neither a community defined in spec.communities nor a value aa:nn / aa:nn:mm; ignored',
    ]);
    expect(resolveBgpConfig(objs, FILE, 'b').config.prefixAdvertisements).toEqual([{ cidr: '10.244.0.0/16', communities: ['64512:200'] }]);
    // the same problems whichever node reports them
    expect(resolveBgpConfig(objs, FILE, 'b').problems).toEqual(a.problems);

    // default naming a community only node.b defines: works on b, is a problem on default for everyone
    const only = [obj('default', { prefixAdvertisements: [{ cidr: '10.96.0.0/12', communities: ['rack'] }] }), obj('node.b', { communities: [{ name: 'rack', value: '64512:301' }] })];
    expect(resolveBgpConfig(only, FILE, 'b').config.prefixAdvertisements).toEqual([{ cidr: '10.96.0.0/12', communities: ['64512:301'] }]);
    expect(resolveBgpConfig(only, FILE, 'a').config.prefixAdvertisements).toEqual([{ cidr: '10.96.0.0/12', communities: [] }]);
    expect(problemsOf(resolveBgpConfig(only, FILE, 'b'), 'default')).toHaveLength(1);
    expect(resolveBgpConfig(only, FILE, 'b').problems).toEqual(resolveBgpConfig(only, FILE, 'a').problems);
  });

  it('names the field and the value for what the schema should have caught', () => {
    const r = resolveBgpConfig([
      obj('default', {
        listenPort: 70000,
        serviceExternalIPs: [{ cidr: '198.18.100.1/24' }, { cidr: '198.18.200.0/24' }],
        communities: [{ name: 'x', value: '70000:1' }],
        nodeMeshMaxRestartTime: '2h',
        logSeverityScreen: 'Loud',
      }),
      obj('mesh-settings', {}),
    ], FILE, 'a');
    expect(r.config).toMatchObject({ listenPort: 179, serviceExternalIPs: ['198.18.200.0/24'] });
    expect(r.config.nodeMeshMaxRestartTime).toBeUndefined();
    expect(problemsOf(r, 'default')).toEqual([
      'spec.listenPort: expected a TCP port (1–65535), found 70000; ignored',
      'spec.serviceExternalIPs[0].cidr: expected a CIDR without host bits (e.g. 10.96.0.0/12), found "198.18.100.1/24"; ignored',
      'spec.nodeMeshMaxRestartTime: expected a duration of 1s–4095s (e.g. 120s), found "2h"; ignored',
      'spec.logSeverityScreen: expected one of Fatal, Error, Warning, Info, Debug, found "Loud"; ignored',
      'spec.communities[0].value: expected a community aa:nn (16-bit parts) or aa:nn:mm (32-bit parts), found "70000:1"; ignored',
    ]);
    expect(problemsOf(r, 'mesh-settings')).toEqual(['metadata.name: expected "default" or "node.<node name>", found "mesh-settings"; the object is ignored']);
  });

  it('nodeMeshMaxRestartTime and logSeverityScreen', () => {
    const objs = [obj('default', { nodeMeshMaxRestartTime: '2m30s', logSeverityScreen: 'Debug' }), obj('node.a', { logSeverityScreen: 'Warning' })];
    expect(resolveBgpConfig(objs, FILE, 'a').config).toMatchObject({ nodeMeshMaxRestartTime: 150, logSeverityScreen: 'Warning' });
    expect(resolveBgpConfig(objs, FILE, 'b').config).toMatchObject({ nodeMeshMaxRestartTime: 150, logSeverityScreen: 'Debug' });
    const fileWins = resolveBgpConfig(objs, FILE, 'b', ['nodeMeshMaxRestartTime', 'logSeverityScreen']).config;
    expect(fileWins.nodeMeshMaxRestartTime).toBeUndefined();
    expect(fileWins.logSeverityScreen).toBeUndefined();
  });
});

describe('logLevelFor', () => {
  it("maps Calico's severities and falls back to the file's level when the field is gone", () => {
    expect(logLevelFor({ logSeverityScreen: 'Warning' }, 'info')).toBe('warn');
    expect(logLevelFor({ logSeverityScreen: 'Fatal' }, 'info')).toBe('error');
    expect(logLevelFor({}, 'trace')).toBe('trace');
  });
});

describe('value parsers', () => {
  it('durations and community literals', () => {
    expect(durationSeconds('1h2m3s')).toBe(3723);
    expect(durationSeconds('1.5m')).toBe(90);
    expect(durationSeconds('90')).toBeUndefined();
    expect(isCommunityLiteral('65535:65535')).toBe(true);
    expect(isCommunityLiteral('65536:1')).toBe(false);
    expect(isCommunityLiteral('4294967295:1:2')).toBe(true);
    expect(isCommunityLiteral('4294967296:1:2')).toBe(false);
    expect(isCommunityLiteral('1:2:3:4')).toBe(false);
  });
});

describe('deploy examples', () => {
  it('the valid BGPConfiguration examples have no problems for the agent either', async () => {
    const { readFileSync } = await import('node:fs');
    const { parse } = await import('yaml');
    const objs = ['default', 'node'].map((f) => parse(readFileSync(new URL(`../../deploy/examples/valid/bgpconfiguration-${f}.yaml`, import.meta.url), 'utf8')) as CrdObject);
    const r = resolveBgpConfig(objs, FILE, 'node-1');
    expect(r.problems.map((p) => [p.ref.name, p.problems])).toEqual([['default', []], ['node.node-1', []]]);
    expect(r.config).toMatchObject({ listenPort: 1179, logSeverityScreen: 'Debug', nodeMeshMaxRestartTime: 120, serviceLoadBalancerIPs: ['198.18.101.0/24'] });
    expect(r.config.prefixAdvertisements).toEqual([{ cidr: '10.244.0.0/16', communities: ['64512:301', '64512:100'] }]);
  });
});

describe('robustness', () => {
  it('any JSON in any field: never throws, every problem names a field, the result stays usable', () => {
    const keys = ['asNumber', 'nodeToNodeMesh', 'listenPort', 'serviceClusterIPs', 'serviceExternalIPs', 'serviceLoadBalancerIPs', 'communities', 'prefixAdvertisements', 'nodeMeshMaxRestartTime', 'logSeverityScreen'];
    const spec = fc.dictionary(fc.constantFrom(...keys), fc.oneof(fc.jsonValue(), fc.array(fc.record({ cidr: fc.oneof(fc.string(), fc.constant('10.0.0.0/8')), name: fc.string(), value: fc.string(), communities: fc.array(fc.string()) }, { requiredKeys: [] }))));
    fc.assert(fc.property(fc.constantFrom('default', 'node.a', 'node.b', 'x'), spec, spec, (name, s1, s2) => {
      const r = resolveBgpConfig([obj('default', s1), obj(name, s2)], FILE, 'a');
      for (const p of r.problems.flatMap((x) => x.problems)) expect(p).toMatch(/^(spec\.|metadata\.name)/);
      expect(Number.isInteger(r.config.listenPort) && r.config.listenPort >= 1 && r.config.listenPort <= 65535).toBe(true);
      expect(typeof r.config.nodeToNodeMesh).toBe('boolean');
      for (const c of [...r.config.serviceClusterIPs, ...r.config.prefixAdvertisements.map((a) => a.cidr)]) expect(c).toMatch(/\/\d+$/);
      for (const c of r.config.prefixAdvertisements.flatMap((a) => a.communities)) expect(isCommunityLiteral(c)).toBe(true);
    }), { numRuns: 300 });
  });
});
