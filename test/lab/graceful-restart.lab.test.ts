import { describe, it, expect } from 'vitest';
import { useLab } from './use-lab';
import { waitFor } from './wait-for';
import { BirdDaemon } from './daemons/bird';
import { GobgpDaemon } from './daemons/gobgp';
import type { SpeakerSpec } from './daemons/types';

// The scenario tortie's own speaker must survive (Calico relies on it during node agent restarts):
// the peer's process dies, graceful restart keeps its routes at BIRD until it comes back.
describe('graceful restart between BIRD and GoBGP', () => {
  const lab = useLab({ prefix: 'tl' });

  it('BIRD keeps a dead GR peer routes, and the peer re-establishes after restart', async () => {
    const a = await lab().host('a');
    const b = await lab().host('b');
    await lab().link(a, b, { addrA: '198.18.40.1/24', addrB: '198.18.40.2/24' });
    const bird = await BirdDaemon.start(a, {
      routerId: '198.18.40.1',
      localAs: 65001,
      localAddress: '198.18.40.1',
      neighbors: [{ address: '198.18.40.2', as: 65002, gracefulRestart: true }],
    });
    const spec: SpeakerSpec = {
      routerId: '198.18.40.2',
      localAs: 65002,
      localAddress: '198.18.40.2',
      neighbors: [{ address: '198.18.40.1', as: 65001, gracefulRestart: true }],
      routes: [{ prefix: '10.244.7.0/26', communities: ['65002:77'] }],
    };
    let gobgp = await GobgpDaemon.start(b, spec);
    await waitFor(() => bird.established('198.18.40.2'), { what: 'BIRD <-> GoBGP Established', timeoutMs: 15_000 });
    await waitFor(async () => (await bird.routes()).some((r) => r.prefix === '10.244.7.0/26'), { what: 'GoBGP route at BIRD' });
    const caps = await bird.birdc(['show', 'protocols', 'all', 'n0']);
    expect(caps).toMatch(/Neighbor capabilities[\s\S]*Graceful restart/);

    gobgp.process.signal('SIGKILL'); // no Cease: looks like a crash to BIRD
    await gobgp.process.exited;
    await waitFor(async () => !(await bird.established('198.18.40.2')), { what: 'BIRD to notice the dead peer' });
    // still there while the peer is down: the GR restart timer holds it as stale
    expect((await bird.routes()).some((r) => r.prefix === '10.244.7.0/26')).toBe(true);

    gobgp = await GobgpDaemon.start(b, spec);
    await bird.restart('198.18.40.2'); // skip BIRD's reconnect backoff
    await waitFor(() => bird.established('198.18.40.2'), { what: 'BIRD <-> restarted GoBGP Established', timeoutMs: 15_000 });
    const r = await waitFor(async () => (await bird.routes()).find((x) => x.prefix === '10.244.7.0/26'), { what: 'route after restart' });
    expect(r.communities).toEqual(['65002:77']);
  });
});
