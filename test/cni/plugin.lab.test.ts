// tortie + tortie-ipam driven through the exec client as a runtime would: chaining, every spec
// version, repeated ADD, CHECK finding real damage, idempotent DEL, rollback at every step, 30
// parallel ADDs, STATUS/GC, delegation to host-local, and the spec's error objects.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADD_STEPS } from '../../cni/fault';
import { addNetworkList, checkNetworkList, CniExecError, delNetworkList, execPlugin, gcNetworkList, statusNetworkList, type ConfList, type RuntimeConf } from './exec-client';
import { ipamState } from './ipam-state';
import { CNI_PATH, createLab, deleteNetns, ipJson, netnsPath, sh, type CniLab } from './lab';

let lab: CniLab;
let n = 0;

beforeAll(async () => {
  lab = await createLab([{ cidr: '10.77.0.0/16' }, { cidr: 'fd77::/48' }, { cidr: '10.79.0.0/16', encapsulation: 'vxlan', nodeSelector: 'has(only-when-requested)' }]);
});
afterAll(() => lab?.cleanup());

function conflist(extra: Record<string, unknown> = {}, version = '1.1.0', chained = true): ConfList {
  const plugins = [
    { type: 'tortie', datastore: lab.store, data_dir: join(lab.dir, 'cni'), log_file_path: join(lab.dir, 'cni.log'), nodename: 'node1', ipam: { type: 'tortie-ipam' }, ...extra },
  ];
  // `tuning` is a reference plugin that takes prevResult and passes it on: proves our result chains.
  if (chained) plugins.push({ type: 'tuning', sysctl: { 'net.ipv4.conf.eth0.accept_local': '1' } } as never);
  return { cniVersion: version, name: 'k8s-pod-network', plugins };
}

function runtime(pod: string, extra: Partial<RuntimeConf> = {}): RuntimeConf {
  n++;
  return {
    containerId: `c${process.pid}x${n}`,
    netns: netnsPath(pod),
    ifname: 'eth0',
    args: { IgnoreUnknown: '1', K8S_POD_NAMESPACE: 'default', K8S_POD_NAME: `pod-${n}` },
    hostNetns: netnsPath(lab.host),
    cniPath: CNI_PATH,
    ...extra,
  };
}

const hostLinks = (): string[] => ipJson<{ ifname: string }[]>(lab.host, ['link']).map((l) => l.ifname);
const podLinks = (pod: string): string[] => ipJson<{ ifname: string }[]>(pod, ['link']).map((l) => l.ifname);

async function expectCniError(p: Promise<unknown>, code: number, msg?: RegExp): Promise<CniExecError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(CniExecError);
  const e = err as CniExecError;
  expect(e.exitCode).not.toBe(0);
  expect(e.code, e.message).toBe(code);
  if (msg) expect(e.cniMsg).toMatch(msg);
  const body = JSON.parse(e.stdout) as Record<string, unknown>;
  expect(Object.keys(body)).toEqual(expect.arrayContaining(['cniVersion', 'code', 'msg']));
  return e;
}

describe('tortie ADD/CHECK/DEL through a conflist', () => {
  it('wires a pod, chains into tuning, CHECKs clean, and DEL removes everything', async () => {
    const pod = lab.pod();
    const rt = runtime(pod);
    const list = conflist({}, '1.0.0'); // tuning (plugins 1.1.1) speaks up to 1.0.0
    const res = await addNetworkList(list, rt) as { interfaces: { name: string; mac?: string; sandbox?: string; mtu?: number }[]; ips: { address: string; interface: number }[]; routes: { dst: string; gw?: string }[] };
    expect(res.interfaces).toHaveLength(2);
    const [hostIf, contIf] = res.interfaces;
    expect(hostIf.name).toMatch(/^cali[0-9a-f]{11}$/);
    expect(hostIf.mac).toBe('ee:ee:ee:ee:ee:ee');
    expect(contIf).toMatchObject({ name: 'eth0', sandbox: netnsPath(pod) });
    expect(contIf.mac).toMatch(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
    expect(res.ips).toHaveLength(1);
    expect(res.ips[0].address).toMatch(/^10\.77\.\d+\.\d+\/32$/);
    expect(res.ips[0].interface).toBe(1);
    expect(res.routes).toContainEqual({ dst: '0.0.0.0/0', gw: '169.254.1.1' });
    // tuning really ran on our interface
    expect(sh('ip', ['netns', 'exec', pod, 'cat', '/proc/sys/net/ipv4/conf/eth0/accept_local']).trim()).toBe('1');

    const ip = res.ips[0].address.split('/')[0];
    expect(sh('ip', ['-n', lab.host, 'route', 'show', `${ip}/32`])).toContain(`dev ${hostIf.name} scope link`);
    expect(sh('ip', ['-n', pod, 'route'])).toMatch(/default via 169\.254\.1\.1 dev eth0/);
    const hostSys = (k: string): string => sh('ip', ['netns', 'exec', lab.host, 'cat', `/proc/sys/net/${k}`]).trim();
    expect(hostSys(`ipv4/conf/${hostIf.name}/proxy_arp`)).toBe('1');
    expect(hostSys(`ipv4/neigh/${hostIf.name}/proxy_delay`)).toBe('0');
    expect(hostSys(`ipv4/conf/${hostIf.name}/route_localnet`)).toBe('1');
    expect(hostSys(`ipv4/conf/${hostIf.name}/forwarding`)).toBe('1');
    expect((await ipamState(lab.store)).addresses.get(ip)).toBe(`k8s-pod-network.${rt.containerId}`);

    await checkNetworkList(list, rt, res);
    await delNetworkList(list, rt, res);
    expect(hostLinks()).not.toContain(hostIf.name);
    expect(podLinks(pod)).toEqual(['lo']);
    expect(sh('ip', ['-n', lab.host, 'route', 'show', `${ip}/32`]).trim()).toBe('');
    expect((await ipamState(lab.store)).addresses.has(ip)).toBe(false);
    // every log line names its container
    const lines = readFileSync(join(lab.dir, 'cni.log'), 'utf8').trim().split('\n');
    expect(lines.length).toBeGreaterThan(2);
    for (const l of lines) expect(l).toMatch(/containerID=c\d+x\d+ /);
  });

  it.each(['0.3.0', '0.3.1', '0.4.0', '1.0.0', '1.1.0'])('answers ADD in cniVersion %s', async (v) => {
    const pod = lab.pod();
    const rt = runtime(pod);
    const list = conflist({}, v, false);
    const res = await addNetworkList(list, rt) as { cniVersion: string; ips: Record<string, unknown>[]; interfaces: Record<string, unknown>[] };
    expect(res.cniVersion).toBe(v);
    if (v < '1.0.0') expect(res.ips[0].version).toBe('4');
    else expect(res.ips[0].version).toBeUndefined();
    if (v === '1.1.0') expect(res.interfaces[1].mtu).toBe(1460);
    else expect(res.interfaces[1].mtu).toBeUndefined();
    if (v >= '0.4.0') await checkNetworkList(list, rt, res);
    else await expectCniError(execPlugin('CHECK', { ...list.plugins[0], cniVersion: v, name: list.name, prevResult: res }, rt), 1, /does not support the CHECK/);
    await delNetworkList(list, rt, res);
    deleteNetns(pod);
  });

  it('the file-datastore path loads neither etcd3 nor a Kubernetes client', async () => {
    const pod = lab.pod();
    const trace = join(lab.dir, `modules-${process.pid}.txt`);
    const env = { NODE_OPTIONS: `--require ${join(import.meta.dirname, 'module-trap.cjs')}`, TCN_MODULE_LOG: trace };
    const rt = runtime(pod, { env });
    const list = conflist({}, '1.1.0', false);
    const res = await addNetworkList(list, rt);
    await checkNetworkList(list, rt, res);
    await delNetworkList(list, rt, res);
    const loaded = readFileSync(trace, 'utf8').split('\n');
    expect(loaded).toContain('koffi'); // the trap works: the dataplane's FFI was seen
    expect(loaded.filter((m) => /etcd3|kubernetes/.test(m))).toEqual([]);
    deleteNetns(pod);
  });

  it('a repeated ADD returns the first result without allocating again', async () => {
    const pod = lab.pod();
    const rt = runtime(pod);
    const list = conflist({}, '1.0.0', false);
    const first = await addNetworkList(list, rt);
    const before = (await ipamState(lab.store)).addresses.size;
    const again = await addNetworkList(list, rt);
    expect(again).toEqual(first);
    expect((await ipamState(lab.store)).addresses.size).toBe(before);
    await delNetworkList(list, rt, first);
    deleteNetns(pod);
  });

  it('CHECK reports what is wrong: host route, sysctl, MAC, address, IPAM', async () => {
    const pod = lab.pod();
    const rt = runtime(pod);
    const list = conflist({}, '1.1.0', false);
    const res = await addNetworkList(list, rt) as { interfaces: { name: string }[]; ips: { address: string }[] };
    const hostIf = res.interfaces[0].name;
    const ip = res.ips[0].address.split('/')[0];
    sh('ip', ['-n', lab.host, 'route', 'del', `${ip}/32`]);
    sh('ip', ['netns', 'exec', lab.host, 'sh', '-c', `echo 0 > /proc/sys/net/ipv4/conf/${hostIf}/proxy_arp`]);
    sh('ip', ['-n', lab.host, 'link', 'set', hostIf, 'address', '02:00:00:00:00:01']);
    sh('ip', ['-n', pod, 'addr', 'del', `${ip}/32`, 'dev', 'eth0']);
    const e = await expectCniError(checkNetworkList(list, rt, res), 103);
    expect(e.details).toContain(`host route ${ip}/32 dev ${hostIf} is missing`);
    expect(e.details).toContain(`proxy_arp is 0, expected 1`);
    expect(e.details).toContain(`MAC is 02:00:00:00:00:01, expected ee:ee:ee:ee:ee:ee`);
    expect(e.details).toContain(`address ${ip}/32 is missing on eth0`);
    // IPAM side: release the handle behind the plugin's back
    await execPlugin('DEL', { type: 'tortie-ipam', cniVersion: '1.1.0', name: list.name, datastore: lab.store, nodename: 'node1', ipam: { type: 'tortie-ipam' } }, rt);
    const e2 = await expectCniError(checkNetworkList(list, rt, res), 103);
    expect(e2.details).toContain(`IPAM: ${ip} is not held by handle k8s-pod-network.${rt.containerId}`);
    await delNetworkList(list, rt, res);
    deleteNetns(pod);
  });

  it('DEL is idempotent: unknown container, netns gone, veth gone, address already released', async () => {
    const list = conflist({}, '1.1.0', false);
    const pod = lab.pod();
    // unknown container, never added
    await delNetworkList(list, runtime(pod));
    // netns gone
    const rt = runtime(pod);
    const res = await addNetworkList(list, rt) as { ips: { address: string }[] };
    deleteNetns(pod);
    await delNetworkList(list, rt, res);
    expect((await ipamState(lab.store)).addresses.has(res.ips[0].address.split('/')[0])).toBe(false);
    // twice (veth gone, address released)
    await delNetworkList(list, rt, res);
    // no netns given at all
    await delNetworkList(list, { ...rt, netns: '' }, res);
  });

  it('a datastore that cannot be reached → 11 (try again later) on DEL and ADD, nothing left behind', async () => {
    // Nothing listens on port 1 of the host netns' own loopback: the etcd client is refused at once.
    const list = conflist({ datastore: 'etcd:http://127.0.0.1:1' }, '1.1.0', false);
    const pod = lab.pod();
    const rt = runtime(pod);
    const key = `/tortie/ipam/v2/handle/k8s-pod-network.${rt.containerId}`.replace(/\./g, '\\.');
    const del = await expectCniError(delNetworkList(list, rt), 11, new RegExp(`^IPAM DEL: datastore error on ${key}: etcd: .*ECONNREFUSED 127\\.0\\.0\\.1:1`));
    expect(del.details).toBe('DatastoreError');
    const linksBefore = hostLinks();
    const add = await expectCniError(addNetworkList(list, rt), 11, new RegExp(`^IPAM ADD: datastore error on ${key}: etcd: .*ECONNREFUSED 127\\.0\\.0\\.1:1`));
    expect(add.details).toBe('DatastoreError');
    expect(hostLinks()).toEqual(linksBefore);
    expect(podLinks(pod)).toEqual(['lo']);
    deleteNetns(pod);
  });

  it('IPAM failures → 101: a datastore path that is not a directory (DEL), a requested address in use (ADD)', async () => {
    const bad = conflist({ datastore: 'file:/proc/version' }, '1.1.0', false);
    const e = await expectCniError(delNetworkList(bad, runtime(lab.pod())), 101);
    expect(e.cniMsg).toBe("IPAM DEL: ENOTDIR: not a directory, mkdir '/proc/version/data'");

    const list = conflist({}, '1.1.0', false);
    const rt1 = runtime(lab.pod());
    const res1 = await addNetworkList(list, rt1) as { ips: { address: string }[] };
    const ip = res1.ips[0].address.split('/')[0];
    const rt2 = runtime(lab.pod());
    const inUse = await expectCniError(addNetworkList(list, { ...rt2, args: { ...rt2.args, IP: ip } }), 101);
    expect(inUse.cniMsg).toBe(`IPAM ADD: ${ip} is already assigned (handle k8s-pod-network.${rt1.containerId})`);
    expect((await ipamState(lab.store)).handles).not.toContain(`k8s-pod-network.${rt2.containerId}`);
    await delNetworkList(list, rt1, res1);
  });

  it.each(ADD_STEPS.map((s) => [s]))('ADD failing after step %s leaves nothing behind', async (step) => {
    const pod = lab.pod();
    const rt = runtime(pod, { env: { TORTIE_CNI_TEST_FAULT: step } });
    const list = conflist({}, '1.1.0', false);
    const linksBefore = hostLinks();
    const before = await ipamState(lab.store);
    await expectCniError(addNetworkList(list, rt), 100, new RegExp(`injected test fault at step ${step}`));
    expect(hostLinks()).toEqual(linksBefore);
    expect(podLinks(pod)).toEqual(['lo']);
    const after = await ipamState(lab.store);
    expect(after.addresses).toEqual(before.addresses);
    expect(after.handles).not.toContain(`k8s-pod-network.${rt.containerId}`);
    const cacheDir = join(lab.dir, 'cni', 'results');
    if (existsSync(cacheDir)) expect(readdirSync(cacheDir).filter((f) => f.includes(rt.containerId))).toEqual([]);
    // and the same ADD without the fault then works
    const ok = await addNetworkList(list, { ...rt, env: {} });
    await delNetworkList(list, rt, ok);
    deleteNetns(pod);
  });

  it('replaces a stale host veth of the same name', async () => {
    const pod1 = lab.pod();
    const pod2 = lab.pod();
    const list = conflist({}, '1.1.0', false);
    const rt1 = runtime(pod1);
    const res1 = await addNetworkList(list, rt1) as { interfaces: { name: string }[] };
    // a new sandbox of the same pod (same K8S args → same host veth name), old one never DELeted
    const rt2 = runtime(pod2, { args: rt1.args });
    const res2 = await addNetworkList(list, rt2) as { interfaces: { name: string }[] };
    expect(res2.interfaces[0].name).toBe(res1.interfaces[0].name);
    expect(podLinks(pod1)).toEqual(['lo']);
    await checkNetworkList(list, rt2, res2);
    await delNetworkList(list, rt1, res1);
    await checkNetworkList(list, rt2, res2); // the old sandbox's DEL did not touch the new one
    await delNetworkList(list, rt2, res2);
    deleteNetns(pod1);
    deleteNetns(pod2);
  });

  it('30 ADDs at once on one node all succeed with distinct addresses', { timeout: 120_000 }, async () => {
    const list = conflist({}, '1.1.0', false);
    const rts = Array.from({ length: 30 }, () => runtime(lab.pod('par')));
    const results = await Promise.all(rts.map((rt) => addNetworkList(list, rt))) as { ips: { address: string }[] }[];
    const ips = results.map((r) => r.ips[0].address);
    expect(new Set(ips).size).toBe(30);
    await Promise.all(rts.map((rt, i) => delNetworkList(list, rt, results[i])));
    const st = await ipamState(lab.store);
    for (const ip of ips) expect(st.addresses.has(ip.split('/')[0])).toBe(false);
    for (const rt of rts) deleteNetns(rt.netns.split('/').pop()!);
  });

  it('dual stack: /128, IPv6 default via fe80::ecee:eeff:feee:eeee, v6 host sysctls', async () => {
    const pod = lab.pod();
    const rt = runtime(pod);
    const list = conflist({ ipam: { type: 'tortie-ipam', assign_ipv6: 'true' } }, '1.1.0', false);
    const res = await addNetworkList(list, rt) as { interfaces: { name: string }[]; ips: { address: string }[] };
    expect(res.ips.map((i) => i.address)).toEqual([expect.stringMatching(/^10\.77\./), expect.stringMatching(/^fd77::[0-9a-f:]+\/128$/)]);
    expect(sh('ip', ['-n', pod, '-6', 'route'])).toMatch(/default via fe80::ecee:eeff:feee:eeee dev eth0/);
    const hostIf = res.interfaces[0].name;
    expect(sh('ip', ['netns', 'exec', lab.host, 'cat', `/proc/sys/net/ipv6/conf/${hostIf}/proxy_ndp`]).trim()).toBe('1');
    expect(sh('ip', ['netns', 'exec', lab.host, 'cat', `/proc/sys/net/ipv6/conf/${hostIf}/accept_ra`]).trim()).toBe('0');
    expect(sh('ip', ['-n', lab.host, '-6', 'route', 'show', res.ips[1].address])).toContain(`dev ${hostIf}`);
    await checkNetworkList(list, rt, res);
    await delNetworkList(list, rt, res);
    deleteNetns(pod);
  });

  it('MTU: netconf mtu wins; else underlay minus the encapsulation overhead (VXLAN 50, IPIP 20), from the pool by default', async () => {
    const list = (extra: Record<string, unknown>): ConfList => conflist(extra, '1.1.0', false);
    for (const [extra, want] of [[{ mtu: 1400 }, 1400], [{ underlay_mtu: 9000, encapsulation: 'vxlan' }, 8950], [{ underlay_mtu: 1500, encapsulation: 'ipip' }, 1480], [{ underlay_mtu: 1500, ipam: { type: 'tortie-ipam', ipv4_pools: ['10.79.0.0/16'] } }, 1450]] as const) {
      const pod = lab.pod();
      const rt = runtime(pod);
      const res = await addNetworkList(list(extra), rt) as { interfaces: { mtu: number }[] };
      expect(res.interfaces[1].mtu).toBe(want);
      expect(ipJson<{ mtu: number }[]>(pod, ['link', 'show', 'eth0'])[0].mtu).toBe(want);
      await delNetworkList(list(extra), rt, res);
      deleteNetns(pod);
    }
  });

  it('delegates to host-local when ipam.type says so', async () => {
    const pod = lab.pod();
    const rt = runtime(pod);
    const list = conflist({ ipam: { type: 'host-local', dataDir: join(lab.dir, 'host-local'), ranges: [[{ subnet: '10.99.0.0/24' }]] } }, '1.0.0', false);
    const res = await addNetworkList(list, rt) as { ips: { address: string }[] };
    expect(res.ips[0].address).toMatch(/^10\.99\.0\.\d+\/32$/);
    await checkNetworkList(list, rt, res);
    await delNetworkList(list, rt, res);
    expect(readdirSync(join(lab.dir, 'host-local', 'k8s-pod-network')).filter((f) => f.startsWith('10.'))).toEqual([]);
    deleteNetns(pod);
  });

  it('tortie-ipam on its own: ADD (block-masked address, like calico-ipam), repeated ADD, CHECK, DEL', async () => {
    const rt = runtime(lab.pod());
    const conf = { type: 'tortie-ipam', cniVersion: '1.0.0', name: 'k8s-pod-network', datastore: lab.store, nodename: 'node1', ipam: { type: 'tortie-ipam' } };
    const res = (await execPlugin('ADD', conf, rt)).parsed as { ips: { address: string }[]; routes: { dst: string }[] };
    expect(res.ips).toHaveLength(1);
    expect(res.ips[0].address).toMatch(/^10\.77\.\d+\.\d+\/26$/);
    expect(res.routes).toEqual([{ dst: '0.0.0.0/0' }]);
    const ip = res.ips[0].address.split('/')[0];
    expect((await ipamState(lab.store)).addresses.get(ip)).toBe(`k8s-pod-network.${rt.containerId}`);
    expect((await execPlugin('ADD', conf, rt)).parsed).toEqual(res); // same handle: same address
    await execPlugin('CHECK', { ...conf, prevResult: res }, rt);
    await execPlugin('DEL', conf, rt);
    await execPlugin('DEL', conf, rt);
    expect((await ipamState(lab.store)).addresses.has(ip)).toBe(false);
    await expectCniError(execPlugin('CHECK', { ...conf, prevResult: res }, rt), 103, /not held by handle/);
  });

  it('STATUS succeeds with a pool and fails with code 50 without one; GC releases what the runtime no longer lists', async () => {
    const list = conflist({}, '1.1.0', false);
    const pod = lab.pod();
    await statusNetworkList(list, runtime(pod));
    await expectCniError(statusNetworkList(conflist({ datastore: `file:${join(lab.dir, 'empty-store')}` }, '1.1.0', false), runtime(pod)), 50);
    const keep = runtime(lab.pod());
    const drop = runtime(pod);
    const rk = await addNetworkList(list, keep) as { ips: { address: string }[] };
    const rd = await addNetworkList(list, drop) as { ips: { address: string }[] };
    await gcNetworkList(list, keep, [{ containerID: keep.containerId, ifname: 'eth0' }]);
    const st = await ipamState(lab.store);
    expect(st.addresses.has(rk.ips[0].address.split('/')[0])).toBe(true);
    expect(st.addresses.has(rd.ips[0].address.split('/')[0])).toBe(false);
    await delNetworkList(list, keep, rk);
    await delNetworkList(list, drop, rd);
  });
});

describe('errors are the spec JSON with the spec codes', () => {
  it('unknown CNI_ARGS without IgnoreUnknown → 4; with it, ignored', async () => {
    const pod = lab.pod();
    const list = conflist({}, '1.0.0', false);
    const rt = runtime(pod, { args: { K8S_POD_NAMESPACE: 'default', K8S_POD_NAME: 'x', FOO: 'bar' } });
    await expectCniError(addNetworkList(list, rt), 4, /unknown args FOO/);
    const rtOk = { ...rt, args: { ...rt.args, IgnoreUnknown: '1' } };
    const ok = await addNetworkList(list, rtOk);
    await expectCniError(delNetworkList(list, rt, ok), 4);
    await delNetworkList(list, rtOk, ok);
  });

  it('bad JSON → 6, bad netconf → 7, unsupported version → 1, missing env → 4', async () => {
    const pod = lab.pod();
    const rt = runtime(pod);
    const base = { type: 'tortie', name: 'net', cniVersion: '1.0.0', datastore: lab.store, data_dir: join(lab.dir, 'cni'), ipam: { type: 'tortie-ipam' } };
    await expectCniError(execPlugin('ADD', { ...base, name: 'bad name!' }, rt), 7, /^invalid network name "bad name!"$/);
    const { name: _name, ...noName } = base;
    await expectCniError(execPlugin('ADD', noName, rt), 7, /^name is missing$/);
    await expectCniError(execPlugin('ADD', { ...base, cniVersion: '2.0.0' }, rt), 1);
    await expectCniError(execPlugin('ADD', { ...base, mtu: 'big' }, rt), 7);
    await expectCniError(execPlugin('ADD', base, { ...rt, netns: '' }), 4, /CNI_NETNS/);
    await expectCniError(execPlugin('ADD', base, { ...rt, netns: '/nonexistent/ns' }), 4, /not a network namespace/);
    const { spawnSync } = await import('node:child_process');
    const r = spawnSync(join(CNI_PATH[0], 'tortie'), [], { input: '{not json', env: { CNI_COMMAND: 'ADD', CNI_CONTAINERID: 'x', CNI_NETNS: rt.netns, CNI_IFNAME: 'eth0', CNI_PATH: CNI_PATH.join(':'), PATH: process.env.PATH } , encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ code: 6, cniVersion: '1.1.0' });
  });

  it('VERSION lists every supported version and echoes the requested one', async () => {
    const rt = runtime(lab.pod());
    for (const bin of ['tortie', 'tortie-ipam']) {
      const out = await execPlugin('VERSION', { type: bin, cniVersion: '0.4.0' } as never, rt);
      expect(out.parsed).toEqual({ cniVersion: '0.4.0', supportedVersions: ['0.3.0', '0.3.1', '0.4.0', '1.0.0', '1.1.0'] });
    }
  });
});
