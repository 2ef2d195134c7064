// BGPConfiguration default spec.nodeMeshPassword through the agent's Kubernetes source, against the
// in-process apiserver: every mesh session (IPv4 and IPv6) carries the Secret's key, BGPPeer sessions do
// not; a rotation re-creates the mesh sessions and nothing else; a Secret that goes missing is a problem
// on the BGPConfiguration and leaves every session as it is.
import { describe, expect, it } from 'vitest';
import { CRD, RecordingReporter, recordingLogger, until, useFakeClusterKit } from './fake-cluster-kit';

const kit = useFakeClusterKit();
const SECRETS = '/api/v1/namespaces/tortie-system/secrets';
const b64 = (s: string): string => Buffer.from(s).toString('base64');
const MESH = ['Mesh_198_18_0_2', 'Mesh_198_18_0_3', 'Mesh_fd00__2', 'Mesh_fd00__3'];

async function setup(opts: { secret?: string } = {}) {
  const c = await kit.cluster();
  await c.node('node-a', ['198.18.0.1', 'fd00::1']);
  await c.node('node-b', ['198.18.0.2', 'fd00::2']);
  await c.node('node-c', ['198.18.0.3', 'fd00::3']);
  await c.req('POST', `${CRD}/bgppeers`, { metadata: { name: 'tor' }, spec: { peerIP: '198.18.9.1', asNumber: 65001 } });
  if (opts.secret !== undefined) await c.req('POST', SECRETS, { metadata: { name: 'bgp-mesh' }, data: { password: b64(opts.secret) } });
  await c.req('POST', `${CRD}/bgpconfigurations`, { metadata: { name: 'default' }, spec: { nodeMeshPassword: { secretKeyRef: { name: 'bgp-mesh', key: 'password' } } } });
  const reporter = new RecordingReporter();
  const logger = recordingLogger();
  const a = await kit.agentOn(c, 'node-a', { source: { reporter, logger, secretsNamespace: 'tortie-system', families: [4, 6] } });
  const passwords = (): Record<string, string | undefined> => Object.fromEntries([...a.speaker.peers].map(([n, p]) => [n, p.password]).sort());
  return { c, speaker: a.speaker, passwords, problems: () => reporter.last.get('BGPConfiguration/default'), reporter, logger };
}

describe('nodeMeshPassword', () => {
  it('keys every IPv4 and IPv6 mesh session, not BGPPeer sessions; a rotation re-creates only the mesh', async () => {
    const t = await setup({ secret: 'mesh-key-1' });
    expect(t.passwords()).toEqual({ Global_198_18_9_1: undefined, Mesh_198_18_0_2: 'mesh-key-1', Mesh_198_18_0_3: 'mesh-key-1', Mesh_fd00__2: 'mesh-key-1', Mesh_fd00__3: 'mesh-key-1' });
    expect(t.problems()).toEqual([]);
    const tor = t.speaker.peers.get('Global_198_18_9_1');

    t.speaker.calls.length = 0;
    await t.c.req('PATCH', `${SECRETS}/bgp-mesh`, { data: { password: b64('mesh-key-2') } });
    await until(() => MESH.every((n) => t.speaker.peers.get(n)?.password === 'mesh-key-2'), 'rotated mesh key');
    expect([...t.speaker.calls].sort()).toEqual(MESH.flatMap((n) => [`add ${n}`, `remove ${n}`]).sort());
    expect(t.speaker.peers.get('Global_198_18_9_1')).toBe(tor);
    // the key never reaches a problem or a log line
    expect(JSON.stringify([t.problems(), t.logger.all])).not.toContain('mesh-key');
  });

  it('Secret deleted or misnamed: a problem on default, no session touched; fixed → the new key; field removed → no key', async () => {
    const t = await setup({ secret: 'mesh-key-1' });
    t.speaker.calls.length = 0;
    await t.c.req('DELETE', `${SECRETS}/bgp-mesh`);
    await until(() => (t.problems() ?? []).length > 0, 'problem on default');
    expect(t.problems()).toEqual([
      'spec.nodeMeshPassword.secretKeyRef: Secret tortie-system/bgp-mesh not found; the mesh sessions keep the key they have (none if none was ever read)',
    ]);
    await t.c.req('PATCH', `${CRD}/bgpconfigurations/default`, { spec: { nodeMeshPassword: { secretKeyRef: { name: 'bgp-mesh', key: 'typo' } } } });
    // (the Secret is still missing: same problem; give the edit time to be seen)
    await new Promise((r) => setTimeout(r, 100));
    expect(t.speaker.calls).toEqual([]);
    expect(MESH.map((n) => t.speaker.peers.get(n)?.password)).toEqual(MESH.map(() => 'mesh-key-1'));

    await t.c.req('POST', SECRETS, { metadata: { name: 'bgp-mesh' }, data: { password: b64('mesh-key-3') } });
    await until(() => (t.problems() ?? []).length === 1 && t.problems()![0].includes('has no key "typo"'), 'wrong key reported');
    expect(t.speaker.calls).toEqual([]);
    await t.c.req('PATCH', `${CRD}/bgpconfigurations/default`, { spec: { nodeMeshPassword: { secretKeyRef: { name: 'bgp-mesh', key: 'password' } } } });
    await until(() => MESH.every((n) => t.speaker.peers.get(n)?.password === 'mesh-key-3'), 'new key');
    expect(t.problems()).toEqual([]);

    await t.c.req('PATCH', `${CRD}/bgpconfigurations/default`, { spec: { nodeMeshPassword: null } });
    await until(() => MESH.every((n) => t.speaker.peers.get(n) !== undefined && t.speaker.peers.get(n)!.password === undefined), 'key dropped');
  });

  it('no Secret at start: the mesh comes up without a key and the problem is reported; the Secret appearing keys it', async () => {
    const t = await setup();
    expect(MESH.map((n) => t.speaker.peers.has(n) && t.speaker.peers.get(n)!.password)).toEqual(MESH.map(() => undefined));
    expect(t.problems()![0]).toMatch(/^spec\.nodeMeshPassword\.secretKeyRef: Secret tortie-system\/bgp-mesh not found/);
    await t.c.req('POST', SECRETS, { metadata: { name: 'bgp-mesh' }, data: { password: b64('late') } });
    await until(() => MESH.every((n) => t.speaker.peers.get(n)?.password === 'late'), 'keyed once the Secret exists');
  });

  it('in a node.<name> object it is a problem and ignored', async () => {
    const t = await setup({ secret: 'k' });
    await t.c.req('POST', `${CRD}/bgpconfigurations`, { metadata: { name: 'node.node-a' }, spec: { nodeMeshPassword: { secretKeyRef: { name: 'x', key: 'y' } } } });
    await until(() => (t.reporter.last.get('BGPConfiguration/node.node-a') ?? []).length > 0, 'reported');
    expect(t.reporter.last.get('BGPConfiguration/node.node-a')).toEqual(['spec.nodeMeshPassword: only valid in the "default" BGPConfiguration, found in "node.node-a"; ignored']);
    expect(MESH.map((n) => t.speaker.peers.get(n)?.password)).toEqual(MESH.map(() => 'k'));
  });
});
