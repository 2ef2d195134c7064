// Max-prefix with the real bgpd: `restart` tears the session down (Idle(PfxLimit)) and reconnects
// after restartAfter; `warn` only logs.
import { describe, it, expect } from 'vitest';
import { useLab } from '../lab/use-lab';
import { waitFor } from '../lab/wait-for';
import { BirdDaemon } from '../lab/daemons/bird';
import { Tortie } from './tortie';
import type { NeighborView } from '../../bgpd/control/protocol';

const five = [0, 1, 2, 3, 4].map((i) => ({ prefix: `10.65.${i}.0/24` }));

describe('max-prefix', () => {
  const lab = useLab({ prefix: 'tbg' });

  it('restart: tears down with a Cease, shows Idle(PfxLimit), reconnects after restartAfter; warn keeps the session', async () => {
    const a = await lab().host('a');
    const b = await lab().host('b');
    const c = await lab().host('c');
    await lab().link(a, b, { addrA: '198.18.65.1/24', addrB: '198.18.65.2/24' });
    await lab().link(a, c, { addrA: '198.18.66.1/24', addrB: '198.18.66.2/24' });
    const limited = await BirdDaemon.start(b, {
      routerId: '198.18.65.2', localAs: 65002, localAddress: '198.18.65.2',
      neighbors: [{ address: '198.18.65.1', as: 65001 }], routes: five,
    });
    const warned = await BirdDaemon.start(c, {
      routerId: '198.18.66.2', localAs: 65003, localAddress: '198.18.66.2',
      neighbors: [{ address: '198.18.66.1', as: 65001 }], routes: five.map((r) => ({ prefix: r.prefix.replace('10.65.', '10.66.') })),
    });
    const t = await Tortie.start(a, {
      routerId: '198.18.65.1', asNumber: 65001, listen: '0.0.0.0',
      peers: [
        { name: 'limited', address: '198.18.65.2', asNumber: 65002, localAddress: '198.18.65.1', maxPrefix: { limit: 3, action: 'restart', restartAfter: 8 } },
        { name: 'warned', address: '198.18.66.2', asNumber: 65003, localAddress: '198.18.66.1', maxPrefix: { limit: 3, action: 'warn' } },
      ],
      extra: { nodeAddress: '198.18.65.1', listen: { port: 179 } },
    });
    const row = await waitFor(async () => {
      const p = await t.peer('limited');
      return p?.state === 'Idle(PfxLimit)' ? p : undefined;
    }, { what: 'limited peer torn down', timeoutMs: 20_000 });
    expect(row.lastError).toMatch(/^Sent: Cease\/Maximum number of prefixes reached/i);
    expect((await t.ctl(['show', 'peers'])).stdout).toMatch(/^limited\s+global\s+65002\s+Idle\(PfxLimit\)/m);
    const nb = JSON.parse((await t.ctl(['show', 'neighbor', 'limited', '--json'])).stdout) as NeighborView;
    expect(nb.maxPrefix).toMatchObject({ limit: 3, action: 'restart', restartAfter: 8, exceeded: true });
    // RFC 4486 Cease/1: BIRD names it "Maximum number of prefixes reached"
    await waitFor(async () => /Maximum number of prefixes reached/i.test(await limited.birdc(['show', 'protocols', 'all', 'n0'])), { what: 'BIRD got our Cease/1' });
    await waitFor(() => /maximum prefix limit exceeded: tearing down the session/.test(t.logs()), { what: 'teardown logged' });

    // after restartAfter (8 s: long enough that the checks above run inside the hold-down even on a loaded box) the session comes back (and trips again: BIRD still sends 5)
    await waitFor(() => /max-prefix hold-down over/.test(t.logs()), { what: 'hold-down over', timeoutMs: 20_000 });
    await waitFor(async () => ((JSON.parse((await t.ctl(['show', 'neighbor', 'limited', '--json'])).stdout) as NeighborView).establishedTransitions) >= 2, { what: 'second Established', timeoutMs: 20_000 });

    // warn: the session stays up with all five routes, and one warning is logged
    const w = await waitFor(async () => {
      const p = await t.peer('warned');
      return p?.accepted === 5 ? p : undefined;
    }, { what: 'warned peer keeps all routes' });
    expect(w.state).toBe('Established');
    // the log line goes through bgpd's stderr pipe: it may land a moment after the counters
    await waitFor(() => /maximum prefix limit exceeded \(warn only\)/.test(t.logs()), { what: 'warning logged' });
    expect(await warned.established('198.18.66.1')).toBe(true);
  }, 90_000);
});
