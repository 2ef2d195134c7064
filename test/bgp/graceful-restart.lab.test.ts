// Graceful restart (RFC 4724) with the real bgpd, both roles: BIRD keeps tortie's routes while bgpd
// is SIGKILLed or SIGTERMed and restarted (restarting speaker: R bit, End-of-RIB sweeps what is gone), and tortie
// keeps BIRD's routes as stale while BIRD restarts (helper).
import { describe, it, expect } from 'vitest';
import { useLab } from '../lab/use-lab';
import { waitFor } from '../lab/wait-for';
import { BirdDaemon } from '../lab/daemons/bird';
import type { SpeakerSpec } from '../lab/daemons/types';
import { Tortie } from './tortie';
import type { NeighborView, RouteRow, StatusView } from '../../bgpd/control/protocol';

describe('graceful restart with BIRD', () => {
  const lab = useLab({ prefix: 'tbg' });

  it('BIRD keeps tortie routes across a bgpd SIGKILL + restart; End-of-RIB removes what is no longer announced', async () => {
    const a = await lab().host('a');
    const b = await lab().host('b');
    await lab().link(a, b, { addrA: '198.18.63.1/24', addrB: '198.18.63.2/24' });
    const bird = await BirdDaemon.start(b, {
      routerId: '198.18.63.2', localAs: 65002, localAddress: '198.18.63.2',
      neighbors: [{ address: '198.18.63.1', as: 65001, gracefulRestart: true }],
    });
    const spec = {
      routerId: '198.18.63.1', asNumber: 65001, listen: '198.18.63.1',
      peers: [{ name: 'bird', address: '198.18.63.2', asNumber: 65002 }],
      advertisePrefixes: ['10.63.0.0/24', '10.63.1.0/24', '10.63.2.0/24'],
    };
    const t = await Tortie.start(a, spec);
    const ours = async (): Promise<string[]> => (await bird.routes()).map((r) => r.prefix).filter((p) => p.startsWith('10.63.')).sort();
    await waitFor(async () => (await ours()).length === 3, { what: '3 routes at BIRD', timeoutMs: 20_000 });
    const before = JSON.parse((await t.ctl(['show', 'status', '--json'])).stdout) as StatusView;
    expect(before.restarting).toBe(false);

    // the restarted bgpd will no longer announce 10.63.2.0/24
    t.spec = { ...spec, advertisePrefixes: ['10.63.0.0/24', '10.63.1.0/24'] };
    const { writeFileSync } = await import('node:fs');
    writeFileSync(t.configPath, Tortie.configFor(a, t.spec));
    t.process.signal('SIGKILL');
    await t.process.exited;
    await waitFor(async () => !(await bird.established('198.18.63.1')), { what: 'BIRD notices the dead bgpd' });
    expect(await ours()).toEqual(['10.63.0.0/24', '10.63.1.0/24', '10.63.2.0/24']);
    expect(await bird.birdc(['show', 'protocols', 'n0'])).toMatch(/Graceful restart|Active|Connect|Idle/);

    // restart: the marker says we crashed, so we advertise the Restart State bit
    await t.crashAndRestart();
    const status = JSON.parse((await t.ctl(['show', 'status', '--json'])).stdout) as StatusView;
    expect(status.restarting).toBe(true);
    expect(t.logs()).toMatch(/graceful restart \(restarting speaker\)/);
    await waitFor(() => t.established('bird'), { what: 'session back', timeoutMs: 20_000 });
    const nb = JSON.parse((await t.ctl(['show', 'neighbor', 'bird', '--json'])).stdout) as NeighborView;
    expect(nb.gracefulRestart.local).toMatchObject({ restarting: true, forwardingPreserved: true });
    // End-of-RIB from the restarted bgpd: BIRD drops the stale 10.63.2.0/24 and keeps the other two
    await waitFor(async () => (await ours()).length === 2, { what: 'stale route swept at BIRD after our End-of-RIB' });
    expect(await ours()).toEqual(['10.63.0.0/24', '10.63.1.0/24']);

    // SIGTERM (shutdown.onSigterm: graceful, the default) is a stop for a restart: no Cease, so BIRD
    // keeps our routes as after the crash, and the next start is a restarting speaker again
    t.process.signal('SIGTERM');
    expect((await t.process.exited).code).toBe(0);
    await waitFor(async () => !(await bird.established('198.18.63.1')), { what: 'BIRD notices the stopped bgpd' });
    expect(await ours()).toEqual(['10.63.0.0/24', '10.63.1.0/24']);
    expect(await bird.birdc(['show', 'protocols', 'all', 'n0'])).not.toMatch(/Administrative shutdown/i);
    await t.crashAndRestart();
    expect((JSON.parse((await t.ctl(['show', 'status', '--json'])).stdout) as StatusView).restarting).toBe(true);
    expect(t.logs()).toMatch(/previous run stopped for a restart: graceful restart/);

    // SIGINT is a final stop: Cease, and the marker is removed, so the next start is a fresh one
    t.process.signal('SIGINT');
    expect((await t.process.exited).code).toBe(0);
    await t.crashAndRestart();
    const fresh = JSON.parse((await t.ctl(['show', 'status', '--json'])).stdout) as StatusView;
    expect(fresh.restarting).toBe(false);
  }, 120_000);

  it('tortie keeps BIRD routes as stale while BIRD is down and refreshes them when it is back', async () => {
    const a = await lab().host('c');
    const b = await lab().host('d');
    await lab().link(a, b, { addrA: '198.18.64.1/24', addrB: '198.18.64.2/24' });
    const birdSpec: SpeakerSpec = {
      routerId: '198.18.64.2', localAs: 65002, localAddress: '198.18.64.2',
      neighbors: [{ address: '198.18.64.1', as: 65001, gracefulRestart: true }],
      routes: [{ prefix: '10.64.0.0/24' }, { prefix: '10.64.1.0/24' }],
    };
    let bird = await BirdDaemon.start(b, birdSpec);
    const t = await Tortie.start(a, {
      routerId: '198.18.64.1', asNumber: 65001, listen: '198.18.64.1',
      peers: [{ name: 'bird', address: '198.18.64.2', asNumber: 65002 }],
    });
    await waitFor(async () => (await t.peer('bird'))?.accepted === 2, { what: '2 routes from BIRD', timeoutMs: 20_000 });
    const routes = async (): Promise<RouteRow[]> => JSON.parse((await t.ctl(['show', 'routes', '--json'])).stdout) as RouteRow[];

    bird.process.signal('SIGKILL');
    await bird.process.exited;
    await waitFor(async () => (await t.peer('bird'))?.state !== 'Established', { what: 'tortie notices BIRD is gone', timeoutMs: 40_000 });
    const stale = await routes();
    expect(stale.map((r) => r.prefix).sort()).toEqual(['10.64.0.0/24', '10.64.1.0/24']);
    for (const r of stale) expect(r.paths[0]).toMatchObject({ stale: true, from: 'bird' });
    const nb = JSON.parse((await t.ctl(['show', 'neighbor', 'bird', '--json'])).stdout) as NeighborView;
    expect(nb.gracefulRestart.staleUntil).not.toBeNull();
    expect((await t.ctl(['show', 'routes'])).stdout).toMatch(/^S> 10\.64\.0\.0\/24/m);

    // BIRD comes back without 10.64.1.0/24: after its End-of-RIB that one is gone, the other fresh
    bird = await BirdDaemon.start(b, { ...birdSpec, routes: [{ prefix: '10.64.0.0/24' }] });
    await waitFor(() => t.established('bird'), { what: 'session back', timeoutMs: 20_000 });
    await waitFor(async () => {
      const r = await routes();
      return r.length === 1 && r[0].prefix === '10.64.0.0/24' && !r[0].paths[0].stale;
    }, { what: 'fresh route, stale one swept', timeoutMs: 20_000 });
    const after = JSON.parse((await t.ctl(['show', 'neighbor', 'bird', '--json'])).stdout) as NeighborView;
    expect(after.gracefulRestart.staleUntil).toBeNull();
  }, 120_000);
});
