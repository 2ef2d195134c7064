// Route install/remove throughput: our batched rtnetlink layer vs one `ip -n NS -batch -` child.
// Run: npx tsx bench/route-install.ts [--quick]   (root; creates and deletes netns tdpb-<pid>)
import { spawn, spawnSync } from 'node:child_process';
import { Netlink, RTPROT_TORTIE } from '../dataplane/index';
import type { RouteOp } from '../dataplane/index';

export interface RateStats {
  median: number;
  min: number;
  max: number;
  runs: number[];
}

export interface SideStats {
  /** routes per wall-clock second */
  install: RateStats;
  remove: RateStats;
  /** routes per CPU second (user+sys of the process doing the work, kernel route work included):
   *  steadier than wall time when the 2-core box is shared */
  installCpu: RateStats;
  removeCpu: RateStats;
}

export interface RouteInstallRow {
  count: number;
  ours: SideStats;
  /** ours, routes pointing at one kernel nexthop object (RTA_NH_ID) instead of carrying the gateway */
  oursNhid: SideStats;
  ipBatch: SideStats;
  /** ours / ip-batch, medians (wall) */
  ratioInstall: number;
  ratioRemove: number;
  /** ours / ip-batch, medians (CPU) */
  ratioInstallCpu: number;
  ratioRemoveCpu: number;
  /** ms to read the installed routes back: our filtered dump (decoded) vs `ip -j route show proto` + JSON.parse */
  dumpMs: { ours: RateStats; ipJson: RateStats };
}

export interface RouteInstallOptions {
  counts?: number[];
  runs?: number;
  protocol?: number;
  log?: (line: string) => void;
}

const GW = '198.18.0.2';

function sh(args: string[]): string {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

function dst(i: number): string {
  return `10.${64 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}/32`;
}

export function stats(runs: number[]): RateStats {
  const s = [...runs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], min: s[0], max: s[s.length - 1], runs };
}

/** Runs one `ip -n NS -batch -` child; resolves with its CPU seconds (bash `times`, children line). */
export function ipBatch(ns: string, lines: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', `ip -n '${ns}' -batch - || exit 1; times`], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`ip -batch exit ${code}: ${err.slice(0, 300)}`));
      const secs = [...(out.trim().split('\n').pop() ?? '').matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
      resolve(secs.reduce((a, b) => a + b, 0));
    });
    child.stdin.end(lines);
  });
}

function cpuSince(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1e6;
}

function countRoutes(nl: Netlink, protocol: number): number {
  return nl.routes.dump({ family: 4, protocol, names: false }).length;
}

export async function runRouteInstallBench(opts: RouteInstallOptions = {}): Promise<RouteInstallRow[]> {
  const counts = opts.counts ?? [10_000, 100_000];
  const runs = opts.runs ?? 3;
  const proto = opts.protocol ?? RTPROT_TORTIE;
  const log = opts.log ?? ((l: string) => console.log(l));
  const ns = `tdpb-${process.pid}`;
  spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
  sh(['netns', 'add', ns]);
  let nl: Netlink | undefined;
  try {
    nl = Netlink.open({ netns: ns });
    nl.links.createVeth({ name: 'tdpb0', peerName: 'tdpb1' });
    nl.links.setUp('lo');
    nl.links.setUp('tdpb0');
    nl.links.setUp('tdpb1');
    nl.addresses.add({ dev: 'tdpb0', address: '198.18.0.1/24' });
    nl.nexthops.add({ id: 1, gateway: GW, dev: 'tdpb0', protocol: proto });
    const rows: RouteInstallRow[] = [];
    for (const count of counts) {
      const adds: RouteOp[] = [];
      const dels: RouteOp[] = [];
      for (let i = 0; i < count; i++) {
        const route = { dst: dst(i), gateway: GW, protocol: proto };
        adds.push({ op: 'add', route });
        dels.push({ op: 'del', route });
      }
      const nhAdds: RouteOp[] = adds.map((o) => ({ op: 'add', route: { dst: o.route.dst, nhid: 1, protocol: proto } }));
      const nhDels: RouteOp[] = nhAdds.map((o) => ({ op: 'del', route: o.route }));
      const addLines = adds.map((o) => `route add ${o.route.dst} via ${GW} proto ${proto}\n`).join('');
      const delLines = adds.map((o) => `route del ${o.route.dst} via ${GW} proto ${proto}\n`).join('');
      const ours = { install: [] as number[], remove: [] as number[], installCpu: [] as number[], removeCpu: [] as number[] };
      const dumpOurs: number[] = [];
      const dumpIp: number[] = [];
      const oursNh = { install: [] as number[], remove: [] as number[], installCpu: [] as number[], removeCpu: [] as number[] };
      const ipb = { install: [] as number[], remove: [] as number[], installCpu: [] as number[], removeCpu: [] as number[] };
      for (let run = 0; run < runs; run++) {
        // ours
        let c = process.cpuUsage();
        let t = performance.now();
        const addRes = nl.routes.batch(adds);
        const tAdd = performance.now() - t;
        const cAdd = cpuSince(c);
        const failedAdd = addRes.filter((e) => e !== null).length;
        t = performance.now();
        const afterAdd = countRoutes(nl, proto);
        dumpOurs.push(performance.now() - t);
        t = performance.now();
        const ipOut = spawnSync('ip', ['-n', ns, '-j', 'route', 'show', 'proto', String(proto)], { encoding: 'utf8', maxBuffer: 1 << 30 });
        const ipCount = (JSON.parse(ipOut.stdout) as unknown[]).length;
        dumpIp.push(performance.now() - t);
        if (ipCount !== count) throw new Error(`ip -j sees ${ipCount}/${count} routes`);
        if (failedAdd || afterAdd !== count) throw new Error(`ours: ${failedAdd} failed adds, ${afterAdd}/${count} routes present`);
        c = process.cpuUsage();
        t = performance.now();
        const delRes = nl.routes.batch(dels);
        const tDel = performance.now() - t;
        const cDel = cpuSince(c);
        const afterDel = countRoutes(nl, proto);
        if (delRes.some((e) => e !== null) || afterDel !== 0) throw new Error(`ours: remove left ${afterDel} routes`);
        ours.install.push(count / (tAdd / 1000));
        ours.remove.push(count / (tDel / 1000));
        ours.installCpu.push(count / cAdd);
        ours.removeCpu.push(count / cDel);
        // ours, by nexthop id
        c = process.cpuUsage();
        t = performance.now();
        const nhAddRes = nl.routes.batch(nhAdds);
        const tNhAdd = performance.now() - t;
        const cNhAdd = cpuSince(c);
        const nhAfterAdd = countRoutes(nl, proto);
        if (nhAddRes.some((e) => e !== null) || nhAfterAdd !== count) throw new Error(`ours/nhid: ${nhAfterAdd}/${count} routes present`);
        c = process.cpuUsage();
        t = performance.now();
        const nhDelRes = nl.routes.batch(nhDels);
        const tNhDel = performance.now() - t;
        const cNhDel = cpuSince(c);
        const nhAfterDel = countRoutes(nl, proto);
        if (nhDelRes.some((e) => e !== null) || nhAfterDel !== 0) throw new Error(`ours/nhid: remove left ${nhAfterDel} routes`);
        oursNh.install.push(count / (tNhAdd / 1000));
        oursNh.remove.push(count / (tNhDel / 1000));
        oursNh.installCpu.push(count / cNhAdd);
        oursNh.removeCpu.push(count / cNhDel);
        // ip -batch (spawn cost included: that is what a caller pays)
        t = performance.now();
        const ciAdd = await ipBatch(ns, addLines);
        const iAdd = performance.now() - t;
        const ipAfterAdd = countRoutes(nl, proto);
        if (ipAfterAdd !== count) throw new Error(`ip -batch: ${ipAfterAdd}/${count} routes present`);
        t = performance.now();
        const ciDel = await ipBatch(ns, delLines);
        const iDel = performance.now() - t;
        const ipAfterDel = countRoutes(nl, proto);
        if (ipAfterDel !== 0) throw new Error(`ip -batch: remove left ${ipAfterDel} routes`);
        ipb.install.push(count / (iAdd / 1000));
        ipb.remove.push(count / (iDel / 1000));
        ipb.installCpu.push(count / Math.max(ciAdd, 0.001));
        ipb.removeCpu.push(count / Math.max(ciDel, 0.001));
        const ms = (x: number): string => `${x.toFixed(0)} ms`;
        log(`  run ${run + 1} n=${count}: ours add ${ms(tAdd)} (cpu ${ms(cAdd * 1000)}) del ${ms(tDel)} (cpu ${ms(cDel * 1000)})`
          + ` | nhid add ${ms(tNhAdd)} (cpu ${ms(cNhAdd * 1000)}) del ${ms(tNhDel)} (cpu ${ms(cNhDel * 1000)})`
          + ` | ip -batch add ${ms(iAdd)} (cpu ${ms(ciAdd * 1000)}) del ${ms(iDel)} (cpu ${ms(ciDel * 1000)})`);
      }
      const side = (x: typeof ours): SideStats => ({
        install: stats(x.install), remove: stats(x.remove), installCpu: stats(x.installCpu), removeCpu: stats(x.removeCpu),
      });
      const o = side(ours);
      const b = side(ipb);
      rows.push({
        count, ours: o, oursNhid: side(oursNh), ipBatch: b,
        ratioInstall: o.install.median / b.install.median,
        ratioRemove: o.remove.median / b.remove.median,
        ratioInstallCpu: o.installCpu.median / b.installCpu.median,
        ratioRemoveCpu: o.removeCpu.median / b.removeCpu.median,
        dumpMs: { ours: stats(dumpOurs), ipJson: stats(dumpIp) },
      });
    }
    return rows;
  } finally {
    nl?.close();
    spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
  }
}

const k = (n: number): string => `${(n / 1000).toFixed(1)}k`;
const fmt = (s: RateStats): string => `${k(s.median)}/s (${k(s.min)}–${k(s.max)})`;

export function formatRows(rows: RouteInstallRow[]): string {
  const out = ['routes  | metric | ours install             | ip-batch install         | ratio | ours remove              | ip-batch remove          | ratio'];
  for (const r of rows) {
    for (const cpu of [false, true]) {
      const oi = cpu ? r.ours.installCpu : r.ours.install;
      const bi = cpu ? r.ipBatch.installCpu : r.ipBatch.install;
      const or = cpu ? r.ours.removeCpu : r.ours.remove;
      const br = cpu ? r.ipBatch.removeCpu : r.ipBatch.remove;
      out.push([
        String(r.count).padEnd(7), (cpu ? 'cpu' : 'wall').padEnd(6), fmt(oi).padEnd(24), fmt(bi).padEnd(24),
        (cpu ? r.ratioInstallCpu : r.ratioInstall).toFixed(2).padEnd(5), fmt(or).padEnd(24), fmt(br).padEnd(24),
        (cpu ? r.ratioRemoveCpu : r.ratioRemove).toFixed(2),
      ].join(' | '));
    }
  }
  out.push('', 'reading the routes back (ms, median (min–max)): ours = filtered dump decoded; ip = ip -j route show proto + JSON.parse');
  for (const r of rows) {
    const ms = (x: RateStats): string => `${x.median.toFixed(0)} (${x.min.toFixed(0)}–${x.max.toFixed(0)})`;
    out.push(`${String(r.count).padEnd(7)} | ours ${ms(r.dumpMs.ours)} | ip ${ms(r.dumpMs.ipJson)}`);
  }
  out.push('', 'ours with routes pointing at one nexthop object (nhid) instead of carrying "via gw":');
  for (const r of rows) {
    const n = r.oursNhid;
    out.push(`${String(r.count).padEnd(7)} | install ${fmt(n.install)} wall, ${fmt(n.installCpu)} cpu`
      + ` | remove ${fmt(n.remove)} wall, ${fmt(n.removeCpu)} cpu`
      + ` | install ratio vs ip-batch ${(n.install.median / r.ipBatch.install.median).toFixed(2)} wall, ${(n.installCpu.median / r.ipBatch.installCpu.median).toFixed(2)} cpu`);
  }
  return out.join('\n');
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const quick = process.argv.includes('--quick');
  const rows = await runRouteInstallBench({ counts: quick ? [10_000] : [10_000, 100_000], runs: 3 });
  console.log(`route-install: /32 via ${GW} proto ${RTPROT_TORTIE}, 3 runs, routes/s median (min–max); wall = elapsed, cpu = user+sys of the installing process`);
  console.log(formatRows(rows));
}
