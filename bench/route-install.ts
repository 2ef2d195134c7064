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

export interface RouteInstallRow {
  count: number;
  ours: { install: RateStats; remove: RateStats };
  ipBatch: { install: RateStats; remove: RateStats };
  /** ours / ip-batch, medians */
  ratioInstall: number;
  ratioRemove: number;
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

function stats(runs: number[]): RateStats {
  const s = [...runs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], min: s[0], max: s[s.length - 1], runs };
}

function ipBatch(ns: string, lines: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('ip', ['-n', ns, '-batch', '-'], { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`ip -batch exit ${code}: ${err.slice(0, 300)}`))));
    child.stdin.end(lines);
  });
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
    const rows: RouteInstallRow[] = [];
    for (const count of counts) {
      const adds: RouteOp[] = [];
      const dels: RouteOp[] = [];
      for (let i = 0; i < count; i++) {
        const route = { dst: dst(i), gateway: GW, protocol: proto };
        adds.push({ op: 'add', route });
        dels.push({ op: 'del', route });
      }
      const addLines = adds.map((o) => `route add ${o.route.dst} via ${GW} proto ${proto}\n`).join('');
      const delLines = adds.map((o) => `route del ${o.route.dst} via ${GW} proto ${proto}\n`).join('');
      const ours = { install: [] as number[], remove: [] as number[] };
      const ipb = { install: [] as number[], remove: [] as number[] };
      for (let run = 0; run < runs; run++) {
        // ours
        let t = performance.now();
        const addRes = nl.routes.batch(adds);
        const tAdd = performance.now() - t;
        const failedAdd = addRes.filter((e) => e !== null).length;
        const afterAdd = countRoutes(nl, proto);
        if (failedAdd || afterAdd !== count) throw new Error(`ours: ${failedAdd} failed adds, ${afterAdd}/${count} routes present`);
        t = performance.now();
        const delRes = nl.routes.batch(dels);
        const tDel = performance.now() - t;
        const afterDel = countRoutes(nl, proto);
        if (delRes.some((e) => e !== null) || afterDel !== 0) throw new Error(`ours: remove left ${afterDel} routes`);
        ours.install.push(count / (tAdd / 1000));
        ours.remove.push(count / (tDel / 1000));
        // ip -batch (spawn cost included: that is what a caller pays)
        t = performance.now();
        await ipBatch(ns, addLines);
        const iAdd = performance.now() - t;
        const ipAfterAdd = countRoutes(nl, proto);
        if (ipAfterAdd !== count) throw new Error(`ip -batch: ${ipAfterAdd}/${count} routes present`);
        t = performance.now();
        await ipBatch(ns, delLines);
        const iDel = performance.now() - t;
        const ipAfterDel = countRoutes(nl, proto);
        if (ipAfterDel !== 0) throw new Error(`ip -batch: remove left ${ipAfterDel} routes`);
        ipb.install.push(count / (iAdd / 1000));
        ipb.remove.push(count / (iDel / 1000));
        log(`  run ${run + 1} n=${count}: ours add ${tAdd.toFixed(0)} ms del ${tDel.toFixed(0)} ms | ip -batch add ${iAdd.toFixed(0)} ms del ${iDel.toFixed(0)} ms`);
      }
      const row: RouteInstallRow = {
        count,
        ours: { install: stats(ours.install), remove: stats(ours.remove) },
        ipBatch: { install: stats(ipb.install), remove: stats(ipb.remove) },
        ratioInstall: 0,
        ratioRemove: 0,
      };
      row.ratioInstall = row.ours.install.median / row.ipBatch.install.median;
      row.ratioRemove = row.ours.remove.median / row.ipBatch.remove.median;
      rows.push(row);
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
  const out = ['routes  | ours install        | ip-batch install    | ratio | ours remove         | ip-batch remove     | ratio'];
  for (const r of rows) {
    out.push([
      String(r.count).padEnd(7), fmt(r.ours.install).padEnd(19), fmt(r.ipBatch.install).padEnd(19),
      r.ratioInstall.toFixed(2).padEnd(5), fmt(r.ours.remove).padEnd(19), fmt(r.ipBatch.remove).padEnd(19), r.ratioRemove.toFixed(2),
    ].join(' | '));
  }
  return out.join('\n');
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const quick = process.argv.includes('--quick');
  const rows = await runRouteInstallBench({ counts: quick ? [10_000] : [10_000, 100_000], runs: 3 });
  console.log(`route-install: /32 via ${GW} proto ${RTPROT_TORTIE}, 3 runs, median (min–max)`);
  console.log(formatRows(rows));
}
