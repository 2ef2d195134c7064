// Runs inside user-mode-linux (the host kernel has no IPIP): three netns "nodes", each with a pod and
// our programmer, first in ipip mode, then crossSubnet-ipip. Prints one JSON line "TPG-UML-RESULT {…}"
// that ipip-uml.lab.test.ts asserts on. Bundled to CommonJS by the test (koffi stays external).
//
//   n1 ──(198.18.10.0/24)── n2 ──(198.18.11.0/24)── n3      n2 also routes between the subnets
import { spawnSync } from 'node:child_process';
import { RouteProgrammer } from '../programmer';
import type { Encap, RemoteRoute } from '../types';

interface Check {
  name: string;
  ok: boolean;
  detail?: string;
}

const checks: Check[] = [];

function sh(args: string[], allowFail = false): string {
  const r = spawnSync(args[0], args.slice(1), { encoding: 'utf8' });
  if (r.status !== 0 && !allowFail) throw new Error(`${args.join(' ')} → ${r.status}: ${r.stderr}`);
  return r.stdout;
}

function check(name: string, ok: boolean, detail?: unknown): void {
  checks.push({ name, ok, detail: detail === undefined ? undefined : typeof detail === 'string' ? detail : JSON.stringify(detail) });
  console.log(`TPG-UML check ${name}: ${ok ? 'ok' : `FAIL ${String(detail)}`}`);
}

const ping = (ns: string, ip: string): boolean => spawnSync('ip', ['netns', 'exec', ns, 'busybox', 'ping', '-c', '1', '-W', '2', ip], { stdio: 'ignore' }).status === 0;

function txPackets(ns: string, dev: string): number {
  const j = JSON.parse(sh(['ip', '-n', ns, '-j', '-s', 'link', 'show', dev])) as { stats64: { tx: { packets: number } } }[];
  return j[0].stats64.tx.packets;
}

function routeOf(ns: string, dst: string): Record<string, unknown> | undefined {
  const j = JSON.parse(sh(['ip', '-n', ns, '-j', 'route', 'show', 'proto', '201'])) as Record<string, unknown>[];
  return j.find((r) => r.dst === dst);
}

interface GuestNode {
  i: number;
  ns: string;
  pod: string;
  dev: string;
  cidr: string;
  ip: string;
  block: string;
  podIp: string;
}

function veth(nsA: string, ifA: string, nsB: string, ifB: string, addrA: string, addrB: string): void {
  sh(['ip', 'link', 'add', ifA, 'netns', nsA, 'type', 'veth', 'peer', 'name', ifB, 'netns', nsB]);
  sh(['ip', '-n', nsA, 'addr', 'add', addrA, 'dev', ifA]);
  sh(['ip', '-n', nsB, 'addr', 'add', addrB, 'dev', ifB]);
  sh(['ip', '-n', nsA, 'link', 'set', ifA, 'up']);
  sh(['ip', '-n', nsB, 'link', 'set', ifB, 'up']);
}

function build(): GuestNode[] {
  const nodes: GuestNode[] = [];
  for (const i of [1, 2, 3]) {
    const ns = `tpgu-n${i}`;
    const pod = `tpgu-p${i}`;
    for (const n of [ns, pod]) {
      sh(['ip', 'netns', 'add', n]);
      sh(['ip', '-n', n, 'link', 'set', 'lo', 'up']);
    }
    sh(['ip', 'netns', 'exec', ns, 'sysctl', '-q', '-w', 'net.ipv4.ip_forward=1']);
    veth(ns, 'cali0', pod, 'eth0', `10.65.${i}.1/32`, `10.65.${i}.2/32`);
    sh(['ip', '-n', ns, 'route', 'add', `10.65.${i}.2/32`, 'dev', 'cali0']);
    sh(['ip', '-n', pod, 'route', 'add', `10.65.${i}.1/32`, 'dev', 'eth0', 'scope', 'link']);
    sh(['ip', '-n', pod, 'route', 'add', 'default', 'via', `10.65.${i}.1`]);
    nodes.push({ i, ns, pod, dev: '', cidr: '', ip: '', block: `10.65.${i}.0/26`, podIp: `10.65.${i}.2` });
  }
  const [n1, n2, n3] = nodes;
  veth(n1.ns, 'eth1', n2.ns, 'eth1', '198.18.10.1/24', '198.18.10.2/24');
  veth(n3.ns, 'eth1', n2.ns, 'eth2', '198.18.11.1/24', '198.18.11.254/24');
  sh(['ip', '-n', n1.ns, 'route', 'add', '198.18.11.0/24', 'via', '198.18.10.2']);
  sh(['ip', '-n', n3.ns, 'route', 'add', '198.18.10.0/24', 'via', '198.18.11.254']);
  Object.assign(n1, { dev: 'eth1', cidr: '198.18.10.1/24', ip: '198.18.10.1' });
  Object.assign(n2, { dev: 'eth1', cidr: '198.18.10.2/24', ip: '198.18.10.2' });
  Object.assign(n3, { dev: 'eth1', cidr: '198.18.11.1/24', ip: '198.18.11.1' });
  return nodes;
}

function remotes(self: GuestNode, all: GuestNode[], encap: Encap): RemoteRoute[] {
  return all.filter((n) => n !== self).map((n) => ({ prefix: n.block, encap, nextHops: [{ address: n.ip }] }));
}

async function main(): Promise<void> {
  console.log(`TPG-UML kernel ${sh(['uname', '-r']).trim()} node ${process.version}`);
  const nodes = build();
  const [n1, n2, n3] = nodes;
  const progs: RouteProgrammer[] = [];
  for (const n of nodes) {
    const p = new RouteProgrammer({ netns: n.ns, node: { underlayDev: n.dev, address: n.cidr, ipip: { tunnelAddress: `10.65.${n.i}.0` } } });
    p.replaceAll({ remotes: remotes(n, nodes, 'ipip'), locals: [{ prefix: n.block }] });
    await p.start();
    await p.flushed();
    progs.push(p);
  }
  const tunl = JSON.parse(sh(['ip', '-n', n1.ns, '-j', '-d', 'addr', 'show', 'tunl0']))[0] as { mtu: number; flags: string[]; addr_info: { local: string; prefixlen: number }[] };
  const underMtu = (JSON.parse(sh(['ip', '-n', n1.ns, '-j', 'link', 'show', 'eth1']))[0] as { mtu: number }).mtu;
  check('tunl0 up, mtu underlay-20, tunnel address /32', tunl.flags.includes('UP') && tunl.mtu === underMtu - 20
    && tunl.addr_info.length === 1 && tunl.addr_info[0].local === '10.65.1.0' && tunl.addr_info[0].prefixlen === 32, tunl);
  for (const o of [n2, n3]) {
    const r = routeOf(n1.ns, o.block);
    check(`ipip route ${o.block} via ${o.ip} dev tunl0 onlink`, r?.gateway === o.ip && r?.dev === 'tunl0' && (r?.flags as string[] | undefined)?.includes('onlink') === true, r);
  }
  check('blackhole for the local block', routeOf(n1.ns, n1.block)?.type === 'blackhole', routeOf(n1.ns, n1.block));
  let tx = txPackets(n1.ns, 'tunl0');
  for (const a of nodes) for (const b of nodes) if (a !== b) check(`ipip ping pod${a.i} → pod${b.i}`, ping(a.pod, b.podIp));
  check('ipip pings left through tunl0', txPackets(n1.ns, 'tunl0') >= tx + 4, { before: tx, after: txPackets(n1.ns, 'tunl0') });
  check('no errors (ipip)', progs.every((p) => Object.keys(p.counters.errors).length === 0), progs.map((p) => p.counters.errors));

  // crossSubnet-ipip: n1↔n2 share 198.18.10.0/24 (direct), n3 is across (tunnel)
  for (const [k, p] of progs.entries()) p.replaceAll({ remotes: remotes(nodes[k], nodes, 'crossSubnet-ipip'), locals: [{ prefix: nodes[k].block }] });
  for (const p of progs) await p.flushed();
  const direct = routeOf(n1.ns, n2.block);
  check('crossSubnet: same subnet direct on the underlay', direct?.gateway === n2.ip && direct?.dev === 'eth1' && !(direct?.flags as string[] | undefined)?.includes('onlink'), direct);
  const across = routeOf(n1.ns, n3.block);
  check('crossSubnet: other subnet via tunl0 onlink', across?.gateway === n3.ip && across?.dev === 'tunl0', across);
  tx = txPackets(n1.ns, 'tunl0');
  check('crossSubnet ping pod1 → pod2 (direct)', ping(n1.pod, n2.podIp));
  check('crossSubnet direct traffic skips tunl0', txPackets(n1.ns, 'tunl0') === tx, { before: tx, after: txPackets(n1.ns, 'tunl0') });
  check('crossSubnet ping pod1 → pod3 (tunnel)', ping(n1.pod, n3.podIp));
  check('crossSubnet ping pod3 → pod2 (tunnel)', ping(n3.pod, n2.podIp));
  check('crossSubnet tunnel traffic uses tunl0', txPackets(n1.ns, 'tunl0') >= tx + 1, { before: tx, after: txPackets(n1.ns, 'tunl0') });
  for (const p of progs) await p.close();
  console.log(`TPG-UML-RESULT ${JSON.stringify({ checks, counters: progs.map((p) => p.counters) })}`);
}

main().catch((e: unknown) => {
  console.log(`TPG-UML-RESULT ${JSON.stringify({ checks, error: String((e as Error).stack ?? e) })}`);
}).finally(() => process.exit(0));
