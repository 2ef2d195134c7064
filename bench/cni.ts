// CNI ADD/DEL latency: tortie (+ in-process tortie-ipam, durable file datastore) vs the reference
// ptp + host-local, through the same exec client (test/cni/exec-client.ts: nsenter into a host netns,
// then the plugin), with `node -e 0` spawned the same way in the same run as the floor every Node
// plugin pays. Sequential (samples interleaved so load drift hits all targets alike) and 20 at once.
//   npx tsx bench/cni.ts [--quick] [--baseline DIST]     or  npm run bench -- cni [--quick] [--baseline DIST]
// --baseline DIST adds another build of tortie (a dist/ dir with tortie, tortie.impl.js and a
// node_modules reachable from it) as a target in the same run, so before/after compares like with like:
//   git archive <rev> | tar -x -C /tmp/old && ln -s $PWD/node_modules /tmp/old/ && (cd /tmp/old && node scripts/build.mjs)
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { markdownTable, textTable, type BenchPart, type PartOptions, type PartReport } from './report';
import { renderBarChart } from './report-svg';
import { execPlugin, type PluginConf, type RuntimeConf } from '../test/cni/exec-client';
import { CNI_PATH, REPO, createLab, deleteNetns, netnsPath, type CniLab } from '../test/cni/lab';
import { startBenchApiServer, type BenchApiServer } from './cni-kube';

interface Target {
  label: string;
  conf: (lab: CniLab) => PluginConf;
  /** the plugin logs its own CPU ms (process.cpuUsage) per command: read it back */
  cpuFromLog?: boolean;
  /** where the plugins come from (default: dist/ of this checkout, then /usr/lib/cni) */
  cniPath?: string[];
  /** extra environment for the plugin process */
  env?: Record<string, string>;
}

const tortie = (label: string, nosync: boolean, logName = nosync ? 'nosync' : 'fsync'): Target => ({
  label,
  cpuFromLog: true,
  conf: (lab) => ({
    type: 'tortie', cniVersion: '1.0.0', name: 'bench', nodename: 'node1', ipam: { type: 'tortie-ipam' },
    datastore: nosync ? lab.store : lab.store.replace('?nosync', ''),
    data_dir: join(lab.dir, 'cni'),
    log_file_path: join(lab.dir, `log-${logName}`),
  }),
});

const FSYNC_LABEL = 'tortie + tortie-ipam (file store, fsync)';
export const KUBE_LEAN_LABEL = 'tortie + tortie-ipam (kubernetes, lean https)';
export const KUBE_CLIENT_NODE_LABEL = 'tortie + tortie-ipam (kubernetes, client-node)';
export const KUBE_OPENSSL_CA_LABEL = 'tortie + tortie-ipam (kubernetes, lean https, node --use-openssl-ca)';

/** The Kubernetes datastore (cni-kube.ts): install-cni's JSON kubeconfig → lean transport; as YAML → client-node. */
const tortieKube = (label: string, kubeconfig: () => string, logName: string): Target => ({
  label,
  cpuFromLog: true,
  conf: (lab) => ({
    type: 'tortie', cniVersion: '1.0.0', name: 'bench', nodename: 'node1', ipam: { type: 'tortie-ipam' },
    datastore: `kubernetes:${kubeconfig()}`,
    data_dir: join(lab.dir, `cni-${logName}`),
    log_file_path: join(lab.dir, `log-${logName}`),
  }),
});

let kube: BenchApiServer | undefined;

function targets(baseline?: string): Target[] {
  return [
    tortie(FSYNC_LABEL, false),
    tortie('tortie + tortie-ipam (file store, no fsync)', true),
    ...(baseline ? [{ ...tortie(`baseline ${baseline} (file store, fsync)`, false, 'baseline'), cniPath: [resolve(baseline), '/usr/lib/cni'] }] : []),
    tortieKube(KUBE_LEAN_LABEL, () => kube!.jsonKubeconfig, 'kube-lean'),
    tortieKube(KUBE_CLIENT_NODE_LABEL, () => kube!.yamlKubeconfig, 'kube-client-node'),
    // Node 20 builds its bundled root-CA store (~17 ms of CPU) for the first TLS context even when the
    // kubeconfig names the CA; with this flag it uses OpenSSL's (lazy) store instead
    { ...tortieKube(KUBE_OPENSSL_CA_LABEL, () => kube!.jsonKubeconfig, 'kube-openssl-ca'), env: { NODE_OPTIONS: '--use-openssl-ca' } },
    {
      label: 'ptp + host-local',
      conf: (lab) => ({ type: 'ptp', cniVersion: '1.0.0', name: 'bench-ptp', ipam: { type: 'host-local', dataDir: join(lab.dir, 'host-local'), ranges: [[{ subnet: '10.88.0.0/16' }]] } }),
    },
  ];
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

const sortNum = (xs: number[]): number[] => [...xs].sort((a, b) => a - b);
const fmt = (x: number): string => x.toFixed(1);

/** `node -e` through the same nsenter path; it prints its own CPU ms at exit. */
function nodeFloor(hostNetns: string): Promise<{ ms: number; cpu: number }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    // Same minimal environment the exec client gives plugins: an inherited NODE_EXTRA_CA_CERTS alone
    // adds ~30 ms of CPU to every node start on this box.
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
    const c = spawn('nsenter', [`--net=${hostNetns}`, process.execPath, '-e', 'const c=process.cpuUsage();process.stdout.write(String((c.user+c.system)/1000))'], { stdio: ['ignore', 'pipe', 'ignore'], env });
    let out = '';
    c.stdout.on('data', (b: Buffer) => (out += b.toString()));
    c.on('error', reject);
    c.on('close', () => resolve({ ms: performance.now() - t0, cpu: Number(out) }));
  });
}

interface Series {
  add: number[];
  del: number[];
  /** container ids of these calls, to find their CPU in the plugin log */
  ids: string[];
}

let seq = 0;
function runtimeFor(lab: CniLab, pod: string, t: Target): RuntimeConf {
  seq++;
  return {
    containerId: `bench${process.pid}x${seq}`,
    netns: netnsPath(pod),
    ifname: 'eth0',
    args: { IgnoreUnknown: '1', K8S_POD_NAMESPACE: 'bench', K8S_POD_NAME: `p${process.pid}-${seq}` },
    hostNetns: netnsPath(lab.host),
    cniPath: t.cniPath ?? CNI_PATH,
    ...(t.env ? { env: t.env } : {}),
  };
}

async function addDel(lab: CniLab, t: Target, into: Series): Promise<void> {
  const pod = lab.pod('b');
  const rt = runtimeFor(lab, pod, t);
  const conf = t.conf(lab);
  const add = await execPlugin('ADD', conf, rt);
  into.add.push(add.ms);
  const del = await execPlugin('DEL', { ...conf, prevResult: add.parsed }, rt);
  into.del.push(del.ms);
  into.ids.push(rt.containerId);
  deleteNetns(pod);
}

async function burst(lab: CniLab, t: Target, n: number): Promise<Series & { addWall: number; delWall: number }> {
  const pods = Array.from({ length: n }, () => lab.pod('p'));
  const rts = pods.map((p) => runtimeFor(lab, p, t));
  const conf = t.conf(lab);
  let t0 = performance.now();
  const adds = await Promise.all(rts.map((rt) => execPlugin('ADD', conf, rt)));
  const addWall = performance.now() - t0;
  t0 = performance.now();
  const dels = await Promise.all(rts.map((rt, i) => execPlugin('DEL', { ...conf, prevResult: adds[i].parsed }, rt)));
  const delWall = performance.now() - t0;
  for (const p of pods) deleteNetns(p);
  return { add: adds.map((a) => a.ms), del: dels.map((d) => d.ms), ids: rts.map((r) => r.containerId), addWall, delWall };
}

export interface CniBenchResult {
  nodeFloor: number[];
  nodeFloorCpu: number[];
  /** target → CPU ms per sequential ADD / DEL, as logged by the plugin */
  cpu: Record<string, { add: number[]; del: number[] }>;
  sequential: Record<string, Series>;
  parallel: Record<string, Series & { addWall: number; delWall: number }>;
}

export async function runCniBench(opts: { quick: boolean; log?: (l: string) => void; baseline?: string }): Promise<CniBenchResult> {
  const TARGETS = targets(opts.baseline);
  const log = opts.log ?? ((l: string) => console.log(l));
  const iterations = opts.quick ? 12 : 40;
  const parallel = 20;
  const b = spawnSync('node', ['scripts/build.mjs'], { cwd: REPO, encoding: 'utf8' });
  if (b.status !== 0) throw new Error(`build failed: ${b.stderr}`);
  const lab = await createLab([{ cidr: '10.66.0.0/16' }]);
  const out: CniBenchResult = { nodeFloor: [], nodeFloorCpu: [], cpu: {}, sequential: {}, parallel: {} };
  try {
    // its own pool: pods of both datastores share the host netns (routes per pod address)
    kube = await startBenchApiServer(lab.host, lab.dir, { cidr: '10.67.0.0/16' });
    for (const t of TARGETS) out.sequential[t.label] = { add: [], del: [], ids: [] };
    // warm-up: page cache, first block claim, host-local's dir
    for (const t of TARGETS) await addDel(lab, t, { add: [], del: [], ids: [] });
    for (let i = 0; i < iterations; i++) {
      const f = await nodeFloor(netnsPath(lab.host));
      out.nodeFloor.push(f.ms);
      out.nodeFloorCpu.push(f.cpu);
      for (const t of TARGETS) await addDel(lab, t, out.sequential[t.label]);
    }
    log(`sequential: ${iterations} ADD+DEL per target done`);
    for (const t of TARGETS) out.parallel[t.label] = await burst(lab, t, parallel);
    log(`parallel: ${parallel} at once per target done`);
    for (const t of TARGETS) {
      if (!t.cpuFromLog) continue;
      const logFile = String(t.conf(lab).log_file_path);
      const ids = new Set(out.sequential[t.label].ids);
      const cpu = { add: [] as number[], del: [] as number[] };
      // "… cpu=<ms> cmd=ADD containerID=<id> ADD ok"
      for (const m of readFileSync(logFile, 'utf8').matchAll(/ cpu=([\d.]+) cmd=(ADD|DEL) containerID=(\S+) (?:ADD|DEL) ok$/gm)) {
        if (ids.has(m[3])) cpu[m[2] === 'ADD' ? 'add' : 'del'].push(Number(m[1]));
      }
      out.cpu[t.label] = cpu;
    }
  } finally {
    await kube?.close();
    kube = undefined;
    lab.cleanup();
  }
  return out;
}

function render(r: CniBenchResult, quick: boolean): PartReport {
  const p50 = (xs: number[]): number => percentile(sortNum(xs), 50);
  const p99 = (xs: number[]): number => percentile(sortNum(xs), 99);
  const node50 = p50(r.nodeFloor);
  const nodeCpu50 = p50(r.nodeFloorCpu);
  const header = ['target', 'ADD p50 ms', 'ADD p99 ms', 'DEL p50 ms', 'DEL p99 ms', 'ADD CPU p50 ms', 'DEL CPU p50 ms', '20× ADD p50/p99 ms', '20× ADD wall ms', '20× DEL p50/p99 ms', '20× DEL wall ms'];
  const rows: string[][] = [];
  for (const [label, s] of Object.entries(r.sequential)) {
    const p = r.parallel[label];
    const cpu = r.cpu[label];
    rows.push([label, fmt(p50(s.add)), fmt(p99(s.add)), fmt(p50(s.del)), fmt(p99(s.del)),
      cpu ? fmt(p50(cpu.add)) : 'n/a', cpu ? fmt(p50(cpu.del)) : 'n/a',
      `${fmt(p50(p.add))} / ${fmt(p99(p.add))}`, fmt(p.addWall), `${fmt(p50(p.del))} / ${fmt(p99(p.del))}`, fmt(p.delWall)]);
  }
  rows.push(['`node -e 0` (same spawn path)', fmt(node50), fmt(p99(r.nodeFloor)), '', '', fmt(nodeCpu50), '', '', '', '', '']);
  const labels = Object.keys(r.sequential);
  const ratios: string[] = [];
  for (const l of labels.filter((x) => x.startsWith('tortie') || x.startsWith('baseline'))) {
    ratios.push(`${l}: ADD p50 − node -e 0 p50 = ${fmt(p50(r.sequential[l].add) - node50)} ms wall (target ≤ 20 ms), ${fmt(p50(r.cpu[l].add) - nodeCpu50)} ms CPU; DEL ${fmt(p50(r.sequential[l].del) - node50)} ms wall, ${fmt(p50(r.cpu[l].del) - nodeCpu50)} ms CPU`);
  }
  const base = labels.find((l) => l.startsWith('baseline'));
  if (base) {
    const d = (a: number[], b: number[]): string => `${fmt(p50(a))} → ${fmt(p50(b))} ms (${fmt(p50(b) - p50(a))})`;
    const now = r.sequential[FSYNC_LABEL];
    const then = r.sequential[base];
    ratios.push(`${base} → this build (fsync): ADD p50 − node -e 0 p50 ${fmt(p50(then.add) - node50)} → ${fmt(p50(now.add) - node50)} ms wall, CPU per ADD ${d(r.cpu[base].add, r.cpu[FSYNC_LABEL].add)}, per DEL ${d(r.cpu[base].del, r.cpu[FSYNC_LABEL].del)}; 20× ADD wall ${fmt(r.parallel[base].addWall)} → ${fmt(r.parallel[FSYNC_LABEL].addWall)} ms`);
  }
  if (r.cpu[KUBE_LEAN_LABEL] && r.cpu[KUBE_CLIENT_NODE_LABEL]) {
    const lean = KUBE_LEAN_LABEL;
    const cn = KUBE_CLIENT_NODE_LABEL;
    if (r.cpu[KUBE_OPENSSL_CA_LABEL]) ratios.push(`kubernetes datastore, lean, node --use-openssl-ca: ADD CPU p50 ${fmt(p50(r.cpu[KUBE_OPENSSL_CA_LABEL].add))} ms (${fmt(p50(r.cpu[KUBE_OPENSSL_CA_LABEL].add) - p50(r.cpu[lean].add))}), DEL ${fmt(p50(r.cpu[KUBE_OPENSSL_CA_LABEL].del))} ms (${fmt(p50(r.cpu[KUBE_OPENSSL_CA_LABEL].del) - p50(r.cpu[lean].del))})`);
    ratios.push(`kubernetes datastore, client-node → lean transport: ADD p50 ${fmt(p50(r.sequential[cn].add))} → ${fmt(p50(r.sequential[lean].add))} ms wall, CPU ${fmt(p50(r.cpu[cn].add))} → ${fmt(p50(r.cpu[lean].add))} ms; DEL p50 ${fmt(p50(r.sequential[cn].del))} → ${fmt(p50(r.sequential[lean].del))} ms wall, CPU ${fmt(p50(r.cpu[cn].del))} → ${fmt(p50(r.cpu[lean].del))} ms; lean − file store (fsync) ADD CPU ${fmt(p50(r.cpu[lean].add) - p50(r.cpu[FSYNC_LABEL].add))} ms`);
  }
  const ptp = labels.find((l) => l.startsWith('ptp'))!;
  ratios.push(`tortie (fsync) / ptp+host-local ADD p50 = ${(p50(r.sequential[FSYNC_LABEL].add) / p50(r.sequential[ptp].add)).toFixed(2)}×, wall difference ${fmt(p50(r.sequential[FSYNC_LABEL].add) - p50(r.sequential[ptp].add))} ms (ptp is Go: no runtime start-up to pay)`);
  const scenario = [
    `${r.nodeFloor.length} sequential ADD+DEL per target, samples interleaved with \`node -e 0\`; then 20 ADDs at once, then their 20 DELs`,
    'each call: `nsenter --net=<host netns> <plugin>` with the netconf on stdin (test/cni/exec-client.ts); pod = a fresh netns',
    'tortie: conf mtu unset (underlay lookup), tortie-ipam in-process, file datastore, pool 10.66.0.0/16 /26 blocks',
    'kubernetes datastore: the fake apiserver (test/k8s, in the bench process: no etcd behind it) over https with its own CA, listening inside the host netns; kubeconfig as install-cni writes it (JSON, CA data + token: lean node:https transport) and the same as YAML (client-node transport); pool 10.67.0.0/16',
    'CPU: user+sys of the plugin process as it logs it (process.cpuUsage at the end of the command); `node -e` prints its own the same way',
    `load average at the end: ${loadavg()[0].toFixed(1)} (shared 2-core box: wall numbers move with load; compare within the run, CPU is steadier)`,
  ];
  const chart = renderBarChart({
    title: 'CNI ADD latency p50 (ms, lower is better)',
    unit: 'ms',
    groups: [
      ...labels.map((l) => ({ label: l, bars: [{ label: 'sequential', value: p50(r.sequential[l].add) }, { label: '20 at once', value: p50(r.parallel[l].add) }] })),
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
    return render(await runCniBench({ quick: opts.quick, log: opts.log, ...(opts.args.baseline ? { baseline: opts.args.baseline } : {}) }), opts.quick);
  },
};

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const quick = process.argv.includes('--quick');
  const b = process.argv.indexOf('--baseline');
  runCniBench({ quick, ...(b > 0 && process.argv[b + 1] ? { baseline: process.argv[b + 1] } : {}) }).then((r) => console.log(render(r, quick).printed)).catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
