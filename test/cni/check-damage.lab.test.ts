// CHECK against damage done behind the plugin's back, one kind at a time: container routes, the veth
// pairing (by index and by the peer's netns), link state, MTU (both ends). Each case asserts CHECK's
// error object names exactly what was broken (code 103, msg, every detail), then repairs by hand and
// asserts CHECK is clean again — so a CHECK that stopped looking at any of these would fail here.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addNetworkList, checkNetworkList, CniExecError, delNetworkList, type ConfList, type RuntimeConf } from './exec-client';
import { CNI_PATH, createLab, ipJson, netnsPath, sh, type CniLab } from './lab';

interface AddResult {
  interfaces: { name: string; mac: string; mtu: number }[];
  ips: { address: string }[];
}

let lab: CniLab;
let list: ConfList;
let n = 0;

beforeAll(async () => {
  lab = await createLab([{ cidr: '10.112.0.0/16' }]);
  list = {
    cniVersion: '1.1.0',
    name: 'k8s-pod-network',
    plugins: [{ type: 'tortie', datastore: lab.store, data_dir: join(lab.dir, 'cni'), log_file_path: join(lab.dir, 'cni.log'), nodename: 'node1', mtu: 1460, ipam: { type: 'tortie-ipam' } }],
  };
});
afterAll(() => lab?.cleanup());

function runtime(pod: string): RuntimeConf {
  n++;
  return {
    containerId: `t12c${process.pid}x${n}`,
    netns: netnsPath(pod),
    ifname: 'eth0',
    args: { IgnoreUnknown: '1', K8S_POD_NAMESPACE: 't12', K8S_POD_NAME: `pod-${n}` },
    hostNetns: netnsPath(lab.host),
    cniPath: CNI_PATH,
  };
}

/** CHECK's error, asserted to be the spec object with code 103 listing exactly `problems`. */
async function expectProblems(rt: RuntimeConf, res: unknown, problems: string[]): Promise<void> {
  const err = await checkNetworkList(list, rt, res).then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(CniExecError);
  const body = JSON.parse((err as CniExecError).stdout) as Record<string, unknown>;
  expect(body).toEqual({ cniVersion: '1.1.0', code: 103, msg: `CHECK found ${problems.length} problem(s): ${problems[0]}`, details: problems.join('; ') });
}

interface Pod {
  pod: string;
  rt: RuntimeConf;
  res: AddResult;
  hostVeth: string;
  ip: string;
}

async function addPod(): Promise<Pod> {
  const pod = lab.pod('t12');
  const rt = runtime(pod);
  const res = (await addNetworkList(list, rt)) as unknown as AddResult;
  return { pod, rt, res, hostVeth: res.interfaces[0].name, ip: res.ips[0].address.split('/')[0] };
}

interface IpLink { ifindex: number; link_index?: number; link_netnsid?: number; mtu: number }
const linkOf = (ns: string, dev: string): IpLink => ipJson<IpLink[]>(ns, ['link', 'show', dev])[0];

/** What ADD sets on a host veth besides routes (a link moved between netns gets the new netns' defaults). */
function wireHostEnd(dev: string): void {
  sh('ip', ['-n', lab.host, 'link', 'set', dev, 'address', 'ee:ee:ee:ee:ee:ee', 'mtu', '1460', 'up']);
  for (const kv of [`net.ipv4.conf.${dev}.route_localnet=1`, `net.ipv4.neigh.${dev}.proxy_delay=0`, `net.ipv4.conf.${dev}.proxy_arp=1`, `net.ipv4.conf.${dev}.forwarding=1`, `net.ipv6.conf.${dev}.accept_ra=0`]) {
    sh('ip', ['netns', 'exec', lab.host, 'sysctl', '-qw', kv]);
  }
}

describe('CHECK names each kind of damage and is clean after the repair', () => {
  it('container routes: the on-link gateway route and the default route', async () => {
    const p = await addPod();
    await checkNetworkList(list, p.rt, p.res);
    sh('ip', ['-n', p.pod, 'route', 'del', 'default', 'via', '169.254.1.1', 'dev', 'eth0']);
    await expectProblems(p.rt, p.res, ['route default via 169.254.1.1 dev eth0 is missing in the container']);
    sh('ip', ['-n', p.pod, 'route', 'del', '169.254.1.1', 'dev', 'eth0', 'scope', 'link']);
    await expectProblems(p.rt, p.res, ['route 169.254.1.1 dev eth0 scope link is missing in the container', 'route default via 169.254.1.1 dev eth0 is missing in the container']);
    sh('ip', ['-n', p.pod, 'route', 'add', '169.254.1.1', 'dev', 'eth0', 'scope', 'link']);
    sh('ip', ['-n', p.pod, 'route', 'add', 'default', 'via', '169.254.1.1', 'dev', 'eth0']);
    await checkNetworkList(list, p.rt, p.res);
    await delNetworkList(list, p.rt, p.res);
  });

  it('link state: container end down (the kernel drops its routes with it), host end down', async () => {
    const p = await addPod();
    sh('ip', ['-n', p.pod, 'link', 'set', 'eth0', 'down']);
    await expectProblems(p.rt, p.res, ['eth0 is down', 'route 169.254.1.1 dev eth0 scope link is missing in the container', 'route default via 169.254.1.1 dev eth0 is missing in the container']);
    sh('ip', ['-n', p.pod, 'link', 'set', 'eth0', 'up']);
    sh('ip', ['-n', p.pod, 'route', 'add', '169.254.1.1', 'dev', 'eth0', 'scope', 'link']);
    sh('ip', ['-n', p.pod, 'route', 'add', 'default', 'via', '169.254.1.1', 'dev', 'eth0']);
    await checkNetworkList(list, p.rt, p.res);

    sh('ip', ['-n', lab.host, 'link', 'set', p.hostVeth, 'down']);
    await expectProblems(p.rt, p.res, [`${p.hostVeth} is down`, `host route ${p.ip}/32 dev ${p.hostVeth} is missing`]);
    sh('ip', ['-n', lab.host, 'link', 'set', p.hostVeth, 'up']);
    sh('ip', ['-n', lab.host, 'route', 'add', `${p.ip}/32`, 'dev', p.hostVeth, 'scope', 'link']);
    await checkNetworkList(list, p.rt, p.res);
    await delNetworkList(list, p.rt, p.res);
  });

  it('MTU: container end and host end each differing from the result', async () => {
    const p = await addPod();
    expect(p.res.interfaces[1].mtu).toBe(1460);
    sh('ip', ['-n', p.pod, 'link', 'set', 'eth0', 'mtu', '1400']);
    await expectProblems(p.rt, p.res, ['eth0 MTU is 1400, expected 1460']);
    sh('ip', ['-n', p.pod, 'link', 'set', 'eth0', 'mtu', '1460']);
    await checkNetworkList(list, p.rt, p.res);
    sh('ip', ['-n', lab.host, 'link', 'set', p.hostVeth, 'mtu', '1400']);
    await expectProblems(p.rt, p.res, [`${p.hostVeth} MTU is 1400, expected 1460`]);
    sh('ip', ['-n', lab.host, 'link', 'set', p.hostVeth, 'mtu', '1460']);
    await checkNetworkList(list, p.rt, p.res);
    await delNetworkList(list, p.rt, p.res);
  });

  it('veth pairing: the host name now on another pod\'s veth (everything else as ADD left it)', async () => {
    const a = await addPod();
    const b = await addPod();
    const spare = `t12x${n}`;
    // Swap names on the host: a's name on b's host end, plus a host route for a's address there, so
    // MAC, sysctls, state, MTU and routes all look right and only the pairing is wrong.
    sh('ip', ['-n', lab.host, 'link', 'set', a.hostVeth, 'name', spare]);
    sh('ip', ['-n', lab.host, 'link', 'set', b.hostVeth, 'name', a.hostVeth]);
    sh('ip', ['-n', lab.host, 'route', 'replace', `${a.ip}/32`, 'dev', a.hostVeth, 'scope', 'link']);
    const h = linkOf(lab.host, a.hostVeth); // b's host end
    const c = linkOf(a.pod, 'eth0');
    // Every fresh pod netns numbers its eth0 2, so b's host end still "peers index 2": only a's eth0,
    // whose peer is the host interface now called spare, gives the swap away.
    expect(c.link_index).toBe(linkOf(lab.host, spare).ifindex);
    await expectProblems(a.rt, a.res, [`${a.hostVeth} and eth0 are not a veth pair (peer indexes ${h.link_index}/${c.link_index}, indexes ${h.ifindex}/${c.ifindex})`]);
    sh('ip', ['-n', lab.host, 'link', 'set', a.hostVeth, 'name', b.hostVeth]);
    sh('ip', ['-n', lab.host, 'link', 'set', spare, 'name', a.hostVeth]);
    sh('ip', ['-n', lab.host, 'route', 'replace', `${a.ip}/32`, 'dev', a.hostVeth, 'scope', 'link']);
    await checkNetworkList(list, a.rt, a.res);
    await checkNetworkList(list, b.rt, b.res);
    await delNetworkList(list, a.rt, a.res);
    await delNetworkList(list, b.rt, b.res);
  });

  it('veth pairing: the host name on a veth whose peer is another netns\'s eth0 with the same index', async () => {
    const a = await addPod();
    const parked = lab.pod('t12');
    const other = lab.pod('t12');
    const orig = linkOf(lab.host, a.hostVeth);
    // a's real host end moves out (a fresh netns has only lo, so it keeps its ifindex and a's eth0 still
    // "peers" that number); a new veth takes its name and ifindex on the host, its peer the eth0 (index 2)
    // of another netns. Indexes now agree both ways: only the peer's netns gives it away.
    sh('ip', ['-n', lab.host, 'link', 'set', a.hostVeth, 'netns', parked]);
    expect(linkOf(parked, a.hostVeth).ifindex).toBe(orig.ifindex);
    sh('ip', ['-n', lab.host, 'link', 'add', a.hostVeth, 'index', String(orig.ifindex), 'type', 'veth', 'peer', 'name', 'eth0', 'netns', other]);
    sh('ip', ['-n', other, 'link', 'set', 'eth0', 'up']);
    wireHostEnd(a.hostVeth);
    sh('ip', ['-n', lab.host, 'route', 'replace', `${a.ip}/32`, 'dev', a.hostVeth, 'scope', 'link']);
    const h = linkOf(lab.host, a.hostVeth);
    const c = linkOf(a.pod, 'eth0');
    expect([h.ifindex, h.link_index]).toEqual([c.link_index, c.ifindex]);
    expect(h.link_netnsid).not.toBe(orig.link_netnsid);
    await expectProblems(a.rt, a.res, [`${a.hostVeth}'s peer is not in ${a.rt.netns} (link-netnsid ${h.link_netnsid}, that netns is ${orig.link_netnsid} here)`]);
    sh('ip', ['-n', lab.host, 'link', 'del', a.hostVeth]);
    sh('ip', ['-n', parked, 'link', 'set', a.hostVeth, 'netns', lab.host]);
    wireHostEnd(a.hostVeth);
    sh('ip', ['-n', lab.host, 'route', 'replace', `${a.ip}/32`, 'dev', a.hostVeth, 'scope', 'link']);
    expect(linkOf(lab.host, a.hostVeth).ifindex).toBe(orig.ifindex);
    await checkNetworkList(list, a.rt, a.res);
    await delNetworkList(list, a.rt, a.res);
  });
});
