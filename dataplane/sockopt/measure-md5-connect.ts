// Cost of TCP-MD5 on the connect path, on loopback TCP (no BGP): N sequential connect+accept+close
// with net.connect to an unkeyed listener vs tcpMd5Connector to a keyed one, same run, alternating
// rounds. Reports the one-time cost of loading the bindings (koffi) and the kernel probe, then per
// connection wall and CPU (this process: both ends, user+sys).
//   npx tsx dataplane/sockopt/measure-md5-connect.ts [connections=2000] [rounds=3]
import { performance } from 'node:perf_hooks';
import { BgpListener, tcpConnector, tcpMd5Connector, tcpMd5Problem } from '../../bgpd/session/transport';
import type { BgpSocket, Connector } from '../../bgpd/session/transport';

const N = Number(process.argv[2] ?? 2000);
const ROUNDS = Number(process.argv[3] ?? 3);

async function listener(password?: string): Promise<BgpListener> {
  const l = new BgpListener({ address: '127.0.0.1', port: 0 });
  l.register({ peerAddress: '127.0.0.1', acceptIncoming: (s: BgpSocket) => (s.destroy(), true) }, password ? { password } : {});
  await l.listen();
  return l;
}

async function run(connector: Connector, port: number): Promise<{ wallUs: number; cpuUs: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < N; i++) {
    await new Promise<void>((resolve, reject) => {
      const s = connector({ host: '127.0.0.1', port });
      s.once('connect', () => {
        s.destroy();
        resolve();
      });
      s.once('error', reject);
    });
  }
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  return { wallUs: (wall * 1000) / N, cpuUs: (cpu.user + cpu.system) / N };
}

const t0 = performance.now();
const problem = await tcpMd5Problem();
console.log(`load bindings + probe: ${(performance.now() - t0).toFixed(1)} ms${problem ? ` (unavailable: ${problem.message})` : ''}`);
if (problem) process.exit(1);
const plainL = await listener();
const md5L = await listener('measure-key');
const md5 = tcpMd5Connector('measure-key');
const rows: string[] = [];
for (let r = 0; r < ROUNDS; r++) {
  const p = await run(tcpConnector, plainL.port);
  const m = await run(md5, md5L.port);
  rows.push(`round ${r + 1}: net.connect ${p.wallUs.toFixed(0)} µs wall / ${p.cpuUs.toFixed(0)} µs CPU; tcpMd5Connector ${m.wallUs.toFixed(0)} µs wall / ${m.cpuUs.toFixed(0)} µs CPU; CPU ratio ${(m.cpuUs / p.cpuUs).toFixed(2)}`);
}
console.log(`${N} connections per run\n${rows.join('\n')}`);
await plainL.close();
await md5L.close();
