// The demo lab: a cluster of network namespaces (N nodes + a FRR ToR on one L2 underlay), dist/bgpd on
// every node with a shared file datastore, two pods per node through the CNI plugin, then the proof:
// peers, the ToR's table, node 1's kernel routes and a full ping matrix. Ctrl-C (or --once) removes it all.
//   node --import tsx scripts/demo.ts [--nodes N] [--encap none|vxlan|ipip] [--rr] [--once]   (scripts/demo.sh runs this)
import { parseArgs } from 'node:util';
import { Cluster } from '../test/e2e/cluster';
import type { Encap } from '../test/e2e/node';

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '3' },
    encap: { type: 'string', default: 'none' },
    rr: { type: 'boolean', default: false },
    once: { type: 'boolean', default: false },
  },
});
const nodes = Number(values.nodes);
const encap = values.encap as Encap;
if (!Number.isInteger(nodes) || nodes < 2 || nodes > 20) throw new Error('--nodes must be 2..20');
if (!['none', 'vxlan', 'ipip'].includes(encap)) throw new Error('--encap must be none, vxlan or ipip');

const say = (s: string): void => { process.stdout.write(`${s}\n`); };
const t0 = Date.now();
say(`tortie demo: ${nodes} nodes + ToR (FRR, AS 65000), encapsulation ${encap}${values.rr ? ', n1 is a route reflector' : ', full mesh'}`);
const cluster = await Cluster.create({ prefix: 'tdmo', nodes, encap, rr: values.rr });
let code = 0;
try {
  say(`cluster up in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${cluster.pods.length} pods`);
  say('\n== bgpctl show peers (n1) ==');
  say(await cluster.nodes[0].ctl(['show', 'peers']));
  say('== ToR BGP table (prefixes) ==');
  const tor = await cluster.torPrefixes();
  const stray = tor.filter((p) => !p.startsWith(cluster.pool.split('.').slice(0, 2).join('.') + '.'));
  say(tor.join('\n'));
  if (stray.length) say(`!! not pod blocks: ${stray.join(', ')}`);
  say('\n== kernel routes on n1 ==');
  say(await cluster.nodes[0].host.ip(['route']));
  // the ping matrix already depends on these, but name what is missing
  const n1Routes = await cluster.nodes[0].routes();
  const missing = tor.filter((p) => !n1Routes.has(p));
  if (missing.length) {
    say(`!! n1 has no kernel route for ${missing.join(', ')}; see n1's bgpd log: ${cluster.nodes[0].process.logPath}`);
    code = 1;
  }
  say('== pods ==');
  for (const p of cluster.pods) say(`${p.name.padEnd(5)} on ${p.node.name}: ${p.ip}`);
  say('\n== ping matrix (row pings column) ==');
  const m = await cluster.pingMatrix();
  const failed = new Set(m.failed.map((f) => f.replace(/\([^)]*\)/g, '')));
  say('      ' + cluster.pods.map((p) => p.name.padEnd(5)).join(' '));
  for (const a of cluster.pods) {
    say(a.name.padEnd(6) + cluster.pods.map((b) => (a === b ? '  -  ' : failed.has(`${a.name} → ${b.name}`) ? ' FAIL' : '  ok ')).join(' '));
  }
  say(`${m.ok}/${m.ok + m.failed.length} pings answered`);
  if (m.failed.length || stray.length) code = 1;
  if (!values.once) {
    say(`\nlab is up (namespaces ${cluster.lab.run}-*); Ctrl-C removes everything`);
    await new Promise<void>((resolve) => {
      process.on('SIGINT', () => resolve());
      process.on('SIGTERM', () => resolve());
    });
  }
} catch (err) {
  process.stderr.write(`demo failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  code = 1;
} finally {
  // Ctrl-C reaches us more than once (the terminal signals the whole group, npx/tsx relay it too):
  // the handlers above stay installed so a repeat cannot kill us half way through the cleanup
  process.on('SIGINT', () => {});
  process.on('SIGTERM', () => {});
  say('removing the lab…');
  await cluster.destroy();
}
process.exit(code);
