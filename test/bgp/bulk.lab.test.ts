// Measurement with the real bgpd (prints numbers; asserts completeness and that the control socket
// stays responsive): N IPv4 /24s from BIRD into bgpd, and N originated by bgpd (advertisePrefixes)
// out to BIRD. N = TBG_BULK (default 20,000; the report quotes 100,000); outbound at most 40,000
// (TBG_BULK_OUT) because the config file holding them is capped at 1 MiB.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { useLab } from '../lab/use-lab';
import { waitFor } from '../lab/wait-for';
import { BirdDaemon } from '../lab/daemons/bird';
import { consecutivePrefixes } from '../lab/addr';
import { Tortie } from './tortie';
import { request } from '../../bgpd/control/client';
import type { PeerRow } from '../../bgpd/control/protocol';

const N = Number(process.env.TBG_BULK ?? 20_000);
/** Outbound prefixes come from advertisePrefixes, and config files are capped at 1 MiB (~50k lines). */
const OUT = Math.min(N, Number(process.env.TBG_BULK_OUT ?? 40_000));

const rssMiB = (pid: number): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

describe(`bulk: ${N} prefixes in, ${OUT} out through the real bgpd`, () => {
  const lab = useLab({ prefix: 'tbg' });

  it('BIRD → bgpd and bgpd → BIRD complete; bgpctl answers during the load', async () => {
    const a = await lab().host('a');
    const b = await lab().host('b');
    await lab().link(a, b, { addrA: '198.18.68.1/24', addrB: '198.18.68.2/24' });
    const inbound = consecutivePrefixes('16.0.0.0', 24, N).map((prefix) => ({ prefix }));
    const outbound = consecutivePrefixes('40.0.0.0', 24, OUT);
    const bird = await BirdDaemon.start(b, {
      routerId: '198.18.68.2', localAs: 65002, localAddress: '198.18.68.2',
      neighbors: [{ address: '198.18.68.1', as: 65001, passive: true }], routes: inbound,
    });
    const t0 = Date.now();
    const t = await Tortie.start(a, {
      routerId: '198.18.68.1', asNumber: 65001, listen: '198.18.68.1',
      peers: [{ name: 'bird', address: '198.18.68.2', asNumber: 65002 }],
      advertisePrefixes: outbound,
      extra: { log: { level: 'info' } },
    });
    const started = Date.now() - t0;
    await waitFor(() => t.established('bird'), { what: 'Established', timeoutMs: 60_000 });
    const tEst = Date.now();
    // poll the control socket while routes flow: its latency shows whether the event loop stays free
    const latencies: number[] = [];
    let inDone = 0;
    let outDone = 0;
    await waitFor(async () => {
      // straight over the socket (not via a bgpctl process) so only bgpd's own delay is measured
      const q0 = Date.now();
      const res = await request(t.socket, { cmd: 'show peers' });
      latencies.push(Date.now() - q0);
      const p = res.ok ? (res.data as PeerRow[])[0] : undefined;
      if (!inDone && p?.accepted === N) inDone = Date.now();
      if (!outDone && (await bird.receivedCount('198.18.68.1')) === OUT) outDone = Date.now();
      return inDone && outDone;
    }, { what: `${N} in, ${OUT} out`, timeoutMs: 300_000, intervalMs: 200 });
    const rss = rssMiB(t.process.pid);
    latencies.sort((x, y) => x - y);
    const line = `bulk in=${N} out=${OUT}: bgpd start ${started} ms; from Established: BIRD→bgpd ${inDone - tEst} ms, bgpd→BIRD ${outDone - tEst} ms (load average ${(await import('node:os')).loadavg()[0].toFixed(1)}); ` +
      `control socket show peers latency p50 ${latencies[Math.floor(latencies.length / 2)]} ms, max ${latencies[latencies.length - 1]} ms over ${latencies.length} calls; bgpd RSS ${rss.toFixed(0)} MiB`;
    console.log(line);
    const routesStart = Date.now();
    const all = await t.ctl(['show', 'routes', '--json']);
    console.log(`bulk in=${N} out=${OUT}: bgpctl show routes --json (${N + OUT} prefixes, ${(all.stdout.length / 1e6).toFixed(1)} MB) took ${Date.now() - routesStart} ms`);
    expect(all.stderr).toBe('');
    expect(all.code).toBe(0);
    expect(await t.established('bird')).toBe(true);
  }, 400_000);
});
