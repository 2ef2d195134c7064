// CNI ADD/DEL latency: tortie (+ in-process tortie-ipam, durable file datastore) vs the reference
// ptp + host-local, through the same exec client (test/cni/exec-client.ts: nsenter into a host netns,
// then the plugin), with `node -e 0` spawned the same way in the same run as the floor every Node
// plugin pays. Sequential (samples interleaved so load drift hits all targets alike) and 20 at once.
//   npx tsx bench/cni.ts [--quick]        or  npm run bench -- cni [--quick]
import { spawn, spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { markdownTable, textTable, type BenchPart, type PartOptions, type PartReport } from './report';
import { renderBarChart } from './report-svg';
import { execPlugin, type PluginConf, type RuntimeConf } from '../test/cni/exec-client';
import { CNI_PATH, REPO, createLab, deleteNetns, netnsPath, type CniLab } from '../test/cni/lab';

interface Target {
  label: string;
  conf: (lab: CniLab) => PluginConf;
}

const TARGETS: Target[] = [
  {
    label: 'tortie + tortie-ipam (file store, fsync)',
    conf: (lab) => ({ type: 'tortie', cniVersion: '1.0.0', name: 'bench', datastore: lab.store.replace('?nosync', ''), data_dir: join(lab.dir, 'cni'), nodename: 'node1', ipam: { type: 'tortie-ipam' } }),
  },
  {
    label: 'ptp + host-local',
    conf: (lab) => ({ type: 'ptp', cniVersion: '1.0.0', name: 'bench-ptp', ipam: { type: 'host-local', dataDir: join(lab.dir, 'host-local'), ranges: [[{ subnet: '10.88.0.0/16' }]] } }),
  },
];

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

const sortNum = (xs: number[]): number[] => [...xs].sort((a, b) => a - b);
const fmt = (x: number): string => x.toFixed(1);

function timeSpawn(cmd: string, args: string[]): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const c = spawn(cmd, args, { stdio: 'ignore' });
    c.on('error', reject);
    c.on('close', () => resolve(performance.now() - t0));
  });
}

interface Series {
  add: number[];
  del: number[];
}

let seq = 0;
function runtimeFor(lab: CniLab, pod: string): RuntimeConf {
  seq++;
  return {
    containerId: `bench${process.pid}x${seq}`,
    netns: netnsPath(pod),
    ifname: 'eth0',
    args: { IgnoreUnknown: '1', K8S_POD_NAMESPACE: 'bench', K8S_POD_NAME: `p${process.pid}-${seq}` },
    hostNetns: netnsPath(lab.host),
    cniPath: CNI_PATH,
  };
}

async function addDel(lab: CniLab, t: Target, into: Series): Promise<void> {
  const pod = lab.pod('b');
  const rt = runtimeFor(lab, pod);
  const conf = t.conf(lab);
  const add = await execPlugin('ADD', conf, rt);
  into.add.push(add.ms);
  const del = await execPlugin('DEL', { ...conf, prevResult: add.parsed }, rt);
  into.del.push(del.ms);
  deleteNetns(pod);
}

async function burst(lab: CniLab, t: Target, n: number): Promise<Series & { addWall: number; delWall: number }> {
  const pods = Array.from({ length: n }, () => lab.pod('p'));
  const rts = pods.map((p) => runtimeFor(lab, p));
  const conf = t.conf(lab);
  let t0 = performance.now();
  const adds = await Promise.all(rts.map((rt) => execPlugin('ADD', conf, rt)));
  const addWall = performance.now() - t0;
  t0 = performance.now();
  const dels = await Promise.all(rts.map((rt, i) => execPlugin('DEL', { ...conf, prevResult: adds[i].parsed }, rt)));
  const delWall = performance.now() - t0;
  for (const p of pods) deleteNetns(p);
  return { add: adds.map((a) => a.ms), del: dels.map((d) => d.ms), addWall, delWall };
}

export interface CniBenchResult {
  nodeFloor: number[];
  sequential: Record<string, Series>;
  parallel: Record<string, Series & { addWall: number; delWall: number }>;
}

export async function runCniBench(opts: { quick: boolean; log?: (l: string) => void }): Promise<CniBenchResult> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const iterations = opts.quick ? 12 : 40;
  const parallel = 20;
  const b = spawnSync('node', ['scripts/build.mjs'], { cwd: REPO, encoding: 'utf8' });
  if (b.status !== 0) throw new Error(`build failed: ${b.stderr}`);
  const lab = await createLab([{ cidr: '10.66.0.0/16' }]);
  const out: CniBenchResult = { nodeFloor: [], sequential: {}, parallel: {} };
  try {
    for (const t of TARGETS) out.sequential[t.label] = { add: [], del: [] };
    // warm-up: page cache, first block claim, host-local's dir
    for (const t of TARGETS) await addDel(lab, t, { add: [], del: [] });
    for (let i = 0; i < iterations; i++) {
      out.nodeFloor.push(await timeSpawn('nsenter', [`--net=${netnsPath(lab.host)}`, process.execPath, '-e', '0']));
      for (const t of TARGETS) await addDel(lab, t, out.sequential[t.label]);
    }
    log(`sequential: ${iterations} ADD+DEL per target done`);
    for (const t of TARGETS) out.parallel[t.label] = await burst(lab, t, parallel);
    log(`parallel: ${parallel} at once per target done`);
  } finally {
    lab.cleanup();
  }
  return out;
}

function render(r: CniBenchResult, quick: boolean): PartReport {
  const node50 = percentile(sortNum(r.nodeFloor), 50);
  const header = ['target', 'ADD p50 ms', 'ADD p99 ms', 'DEL p50 ms', 'DEL p99 ms', '20× ADD p50/p99 ms', '20× ADD wall ms', '20× DEL p50/p99 ms', '20× DEL wall ms'];
  const rows: string[][] = [];
  for (const [label, s] of Object.entries(r.sequential)) {
    const a = sortNum(s.add);
    const d = sortNum(s.del);
    const p = r.parallel[label];
    const pa = sortNum(p.add);
    const pd = sortNum(p.del);
    rows.push([label, fmt(percentile(a, 50)), fmt(percentile(a, 99)), fmt(percentile(d, 50)), fmt(percentile(d, 99)),
      `${fmt(percentile(pa, 50))} / ${fmt(percentile(pa, 99))}`, fmt(p.addWall), `${fmt(percentile(pd, 50))} / ${fmt(percentile(pd, 99))}`, fmt(p.delWall)]);
  }
  const nf = sortNum(r.nodeFloor);
  rows.push(['`node -e 0` (same spawn path)', fmt(percentile(nf, 50)), fmt(percentile(nf, 99)), '', '', '', '', '', '']);
  const labels = Object.keys(r.sequential);
  const tortie50 = percentile(sortNum(r.sequential[labels[0]].add), 50);
  const ptp50 = percentile(sortNum(r.sequential[labels[1]].add), 50);
  const tortieDel50 = percentile(sortNum(r.sequential[labels[0]].del), 50);
  const ratios = [
    `tortie ADD p50 − node -e 0 p50 = ${fmt(tortie50 - node50)} ms (target ≤ 20 ms)`,
    `tortie DEL p50 − node -e 0 p50 = ${fmt(tortieDel50 - node50)} ms`,
    `tortie / ptp+host-local ADD p50 = ${(tortie50 / ptp50).toFixed(2)}× (ptp is Go: no runtime start-up to pay)`,
  ];
  const scenario = [
    `${r.nodeFloor.length} sequential ADD+DEL per target, samples interleaved with \`node -e 0\`; then 20 ADDs at once, then their 20 DELs`,
    'each call: `nsenter --net=<host netns> <plugin>` with the netconf on stdin (test/cni/exec-client.ts); pod = a fresh netns',
    'tortie: conf mtu unset (underlay lookup), tortie-ipam in-process, file datastore with fsync, pool 10.66.0.0/16 /26 blocks',
    `load average at the end: ${loadavg()[0].toFixed(1)} on ${(globalThis.process.env.NPROC ?? '2')} cores (shared box: absolute numbers move with load; compare within the run)`,
  ];
  const chart = renderBarChart({
    title: 'CNI ADD latency p50 (ms, lower is better)',
    unit: 'ms',
    groups: [
      ...labels.map((l) => ({ label: l, bars: [{ label: 'sequential', value: percentile(sortNum(r.sequential[l].add), 50) }, { label: '20 at once', value: percentile(sortNum(r.parallel[l].add), 50) }] })),
      { label: 'node -e 0', bars: [{ label: 'spawn', value: node50 }] },
    ],
  });
  return {
    part: 'cni',
    title: `CNI ADD/DEL latency${quick ? ' (quick)' : ''}`,
    scenario,
    sections: [markdownTable(header, rows)],
    ratios,
    charts: [chart],
    printed: `${textTable(header, rows)}\n${ratios.join('\n')}`,
    data: r,
  };
}

export const cniPart: BenchPart = {
  name: 'cni',
  description: 'CNI ADD/DEL latency: tortie vs ptp + host-local vs node -e 0',
  unavailable: () => (process.getuid?.() === 0 ? undefined : 'needs root (network namespaces)'),
  async run(opts: PartOptions): Promise<PartReport> {
    return render(await runCniBench({ quick: opts.quick, log: opts.log }), opts.quick);
  },
};

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const quick = process.argv.includes('--quick');
  runCniBench({ quick }).then((r) => console.log(render(r, quick).printed)).catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
