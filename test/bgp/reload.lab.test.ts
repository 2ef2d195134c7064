// Reload with the real bgpd: SIGHUP adding a peer and `bgpctl reload` changing advertised prefixes
// leave the existing session alone.
import { describe, it, expect } from 'vitest';
import { useLab } from '../lab/use-lab';
import { waitFor } from '../lab/wait-for';
import { BirdDaemon } from '../lab/daemons/bird';
import { Tortie } from './tortie';
import type { TortieSpec } from './tortie';
import type { NeighborView } from '../../bgpd/control/protocol';

describe('reload', () => {
  const lab = useLab({ prefix: 'tbg' });

  it('adding a peer does not reset the existing one; changed advertisePrefixes apply live', async () => {
    const a = await lab().host('a');
    const b = await lab().host('b');
    const c = await lab().host('c');
    await lab().bridge('u', [a, b, c], { subnet: '198.18.67.0/24' });
    const b1 = await BirdDaemon.start(b, {
      routerId: '198.18.67.2', localAs: 65002, localAddress: '198.18.67.2',
      neighbors: [{ address: '198.18.67.1', as: 65001 }], routes: [{ prefix: '10.67.2.0/24' }],
    });
    const b2 = await BirdDaemon.start(c, {
      routerId: '198.18.67.3', localAs: 65003, localAddress: '198.18.67.3',
      neighbors: [{ address: '198.18.67.1', as: 65001 }], routes: [{ prefix: '10.67.3.0/24' }],
    });
    const spec: TortieSpec = {
      routerId: '198.18.67.1', asNumber: 65001, listen: '198.18.67.1',
      peers: [{ name: 'b1', address: '198.18.67.2', asNumber: 65002 }],
      advertisePrefixes: ['10.67.1.0/24'],
    };
    const t = await Tortie.start(a, spec);
    await waitFor(async () => (await t.peer('b1'))?.accepted === 1, { what: 'b1 up with its route', timeoutMs: 20_000 });
    const birdSince = async (): Promise<string> => (await b1.birdc(['show', 'protocols', 'n0'])).split('\n').find((l) => l.startsWith('n0')) ?? '';
    const sinceBefore = await birdSince();
    const neighbor = async (): Promise<NeighborView> => JSON.parse((await t.ctl(['show', 'neighbor', 'b1', '--json'])).stdout) as NeighborView;
    const before = await neighbor();

    await t.reload({ ...spec, peers: [...spec.peers, { name: 'b2', address: '198.18.67.3', asNumber: 65003 }] });
    expect(t.logs()).toMatch(/"msg":"configuration reloaded","added":\["b2"\],"removed":\[\],"reset":\[\],"refreshed":\[\]/);
    await waitFor(async () => (await t.peer('b2'))?.accepted === 1, { what: 'b2 added and up', timeoutMs: 20_000 });
    const after = await neighbor();
    expect(after.establishedTransitions).toBe(1);
    expect(after.droppedTransitions).toBe(0);
    expect(after.messages.received.open).toBe(before.messages.received.open);
    expect(await birdSince()).toBe(sinceBefore);

    // bgpctl reload: a new advertised prefix goes out on the running sessions
    const { writeFileSync } = await import('node:fs');
    writeFileSync(t.configPath, Tortie.configFor(a, { ...spec, peers: [...spec.peers, { name: 'b2', address: '198.18.67.3', asNumber: 65003 }], advertisePrefixes: ['10.67.1.0/24', '10.67.9.0/24'] }));
    const r = await t.ctl(['reload']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/configuration reloaded\n\s+changed: advertisePrefixes/);
    for (const bird of [b1, b2]) {
      await waitFor(async () => (await bird.routes()).some((x) => x.prefix === '10.67.9.0/24'), { what: 'new prefix at BIRD' });
    }
    expect((await neighbor()).establishedTransitions).toBe(1);

    // an invalid config is refused and changes nothing
    writeFileSync(t.configPath, 'asNumber: nope\n');
    const bad = await t.ctl(['reload']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/reload refused, configuration invalid/);
    expect((await t.peers()).map((p) => p.state)).toEqual(['Established', 'Established']);
  }, 90_000);
});
