// Runs inside user-mode-linux (this VM's kernel has no ipip driver): the demo cluster of cluster.ts —
// three nodes running dist/bgpd on the shared file datastore, an FRR ToR, two pods per node through the
// CNI plugin — with an IPIP pool, then the route / tunl0 / ping-matrix checks. Prints one line
// "TPG-UML-RESULT {json}" that mesh-ipip.lab.test.ts asserts on. Bundled to CommonJS by uml.ts.
import { spawnSync } from 'node:child_process';
import { Cluster } from './cluster';
import { confirmedBlocks } from './checks';
import { prepareGuest } from './uml-guest-setup';
import { pingMatrixBatched } from './uml-ping-matrix';

interface Check {
  name: string;
  ok: boolean;
  detail?: string;
}

const checks: Check[] = [];
const phases: Record<string, number> = {};

function check(name: string, ok: boolean, detail?: unknown): void {
  checks.push({ name, ok, ...(ok || detail === undefined ? {} : { detail: typeof detail === 'string' ? detail : JSON.stringify(detail) }) });
  console.log(`TPG-UML check ${name}: ${ok ? 'ok' : `FAIL ${JSON.stringify(detail)}`}`);
}

function ipJson<T>(ns: string, args: string[]): T {
  const r = spawnSync('ip', ['-n', ns, '-j', ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip -n ${ns} -j ${args.join(' ')}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

const txPackets = (ns: string, dev: string): number =>
  ipJson<{ stats64: { tx: { packets: number } } }[]>(ns, ['-s', 'link', 'show', dev])[0].stats64.tx.packets;

async function timed<T>(phase: string, fn: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  try {
    return await fn();
  } finally {
    phases[phase] = Math.round(performance.now() - t0);
  }
}

async function main(): Promise<void> {
  console.log(`TPG-UML kernel ${spawnSync('uname', ['-r'], { encoding: 'utf8' }).stdout.trim()} node ${process.version}`);
  await timed('prepare', async () => prepareGuest());
  // 'teu': the lab prefix of this test (namespaces exist only inside the guest's kernel anyway)
  const c = await timed('cluster', () => Cluster.create({ prefix: 'teu', nodes: 3, encap: 'ipip' }));
  // No c.destroy(): the guest kernel and everything in it ends at poweroff right after the result line,
  // and a graceful teardown costs UML ~7 s of the test's 90 s budget (see the exit below).
  const blocks = await confirmedBlocks(c.store);
  check('one confirmed block per node', blocks.length === 3 && new Set(blocks.map((b) => b.node)).size === 3, blocks);
  const addressOf = new Map(c.nodes.map((n) => [n.name, n.spec.address]));
  for (const n of c.nodes) {
    const tunl = ipJson<{ mtu: number; flags: string[] }[]>(n.host.netns, ['link', 'show', 'tunl0'])[0];
    const under = ipJson<{ mtu: number }[]>(n.host.netns, ['link', 'show', 'u0'])[0];
    check(`${n.name}: tunl0 up, mtu underlay-20`, tunl.flags.includes('UP') && tunl.mtu === under.mtu - 20, { tunl0: tunl.mtu, u0: under.mtu, flags: tunl.flags });
    const routes = await n.routes();
    for (const b of blocks.filter((x) => x.node !== n.name)) {
      const r = routes.get(b.cidr);
      const flags = (r?.flags as string[] | undefined) ?? [];
      check(`${n.name}: ${b.cidr} via ${b.node} dev tunl0 onlink`, r?.gateway === addressOf.get(b.node) && r?.dev === 'tunl0' && flags.includes('onlink'), r);
    }
  }
  const txBefore = c.nodes.map((n) => txPackets(n.host.netns, 'tunl0'));
  const m = await timed('pingMatrix', () => pingMatrixBatched(c.pods));
  check('ping matrix: 30 of 30 pod pairs', m.ok === 30 && m.failed.length === 0, m.failed);
  const txAfter = c.nodes.map((n) => txPackets(n.host.netns, 'tunl0'));
  // each node's 2 pods ping the 4 remote pods: at least 8 echo requests or replies leave its tunl0
  check('pod traffic between nodes left through tunl0', txAfter.every((t, i) => t - txBefore[i] >= 8), { before: txBefore, after: txAfter });
  const tor = await c.torPrefixes();
  check('ToR (FRR) learned every block', JSON.stringify(tor) === JSON.stringify(blocks.map((b) => b.cidr).sort()), tor);
}

const t0 = performance.now();
main().catch((e: unknown) => {
  checks.push({ name: 'guest error', ok: false, detail: String((e as Error).stack ?? e) });
}).finally(() => {
  phases.total = Math.round(performance.now() - t0);
  // console writes are synchronous (a tty), so the line is out; SIGKILL skips the lab's exit hook,
  // whose synchronous teardown would only delay the poweroff that discards all of it anyway
  console.log(`TPG-UML-RESULT ${JSON.stringify({ checks, phases })}`);
  process.kill(process.pid, 'SIGKILL');
});
