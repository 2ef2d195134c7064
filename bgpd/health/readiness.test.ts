import { describe, it, expect } from 'vitest';
import { ReadinessGate } from './readiness';
import type { PeerHealth } from './types';

const T0 = 1_000_000;
const peer = (name: string, state: string, over: Partial<PeerHealth> = {}): PeerHealth => ({
  name, address: '198.18.1.2', state, since: T0, prefixesReceived: 0, prefixesAccepted: 0, prefixesSent: 0, updatesIn: 0, updatesOut: 0, ...over,
});

describe('ReadinessGate (Calico: all peers within the threshold after start, later at least one)', () => {
  it('a fresh start is not ready until every peer is Established, then ready', () => {
    const g = new ReadinessGate(T0, 30_000);
    const r0 = g.judge(true, [peer('tor', 'Active'), peer('n2', 'Connect')], T0 + 100);
    expect(r0).toMatchObject({ ready: false, phase: 'converging', established: 0, peers: 2 });
    expect(r0.notReady.map((p) => p.name)).toEqual(['tor', 'n2']);
    const r1 = g.judge(true, [peer('tor', 'Established'), peer('n2', 'OpenSent')], T0 + 1000);
    expect(r1).toMatchObject({ ready: false, phase: 'converging', established: 1 });
    expect(r1.notReady).toEqual([{ name: 'n2', state: 'OpenSent', gracefulRestart: false, downForMs: 1000 }]);
    expect(g.judge(true, [peer('tor', 'Established'), peer('n2', 'Established')], T0 + 2000)).toMatchObject({ ready: true, phase: 'converged', notReady: [] });
  });

  it('a peer in graceful restart (its routes held stale) holds the first convergence back', () => {
    const g = new ReadinessGate(T0, 30_000);
    const r = g.judge(true, [peer('tor', 'Established'), peer('n2', 'Established', { gracefulRestart: true })], T0 + 500);
    expect(r).toMatchObject({ ready: false, phase: 'converging' });
    expect(r.notReady).toEqual([{ name: 'n2', state: 'Established', gracefulRestart: true, downForMs: 0 }]);
    expect(g.judge(true, [peer('tor', 'Established'), peer('n2', 'Established')], T0 + 600).ready).toBe(true);
  });

  it('after the first convergence one Established peer is enough; none is not ready', () => {
    const g = new ReadinessGate(T0, 30_000);
    g.judge(true, [peer('tor', 'Established'), peer('n2', 'Established')], T0 + 1000);
    expect(g.judge(true, [peer('tor', 'Established'), peer('n2', 'Active')], T0 + 2000)).toMatchObject({ ready: true, phase: 'converged', notReady: [] });
    const none = g.judge(true, [peer('tor', 'Idle'), peer('n2', 'Active')], T0 + 3000);
    expect(none).toMatchObject({ ready: false, phase: 'converged', established: 0 });
    expect(none.notReady.map((p) => p.name)).toEqual(['tor', 'n2']);
  });

  it('past the threshold without convergence (a peer never came up): ready with at least one Established', () => {
    const g = new ReadinessGate(T0, 30_000);
    const peers = [peer('tor', 'Established'), peer('n2', 'Active')];
    expect(g.judge(true, peers, T0 + 29_000).ready).toBe(false);
    expect(g.judge(true, peers, T0 + 31_000)).toMatchObject({ ready: true, phase: 'threshold passed' });
    expect(g.judge(true, [peer('tor', 'Active'), peer('n2', 'Active')], T0 + 32_000).ready).toBe(false);
  });

  it('no peers is ready but no convergence: peers added later are waited for', () => {
    const g = new ReadinessGate(T0, 30_000);
    expect(g.judge(true, [], T0 + 10)).toMatchObject({ ready: true, phase: 'converging', peers: 0 });
    expect(g.judge(true, [peer('n2', 'Connect')], T0 + 500)).toMatchObject({ ready: false, phase: 'converging' });
  });

  it('before the peer source\'s first sync: no peers is not ready, and Established peers are no convergence', () => {
    const g = new ReadinessGate(T0, 30_000);
    expect(g.judge(true, [], T0 + 10, false)).toMatchObject({ ready: false, peersSynced: false, phase: 'converging', peers: 0 });
    // config-file peers up while the Kubernetes lists are still failing: more (mesh) peers may come
    expect(g.judge(true, [peer('tor', 'Established')], T0 + 20, false)).toMatchObject({ ready: false, phase: 'converging' });
    // the mesh peers arrive with the first sync and come up: that is the convergence
    expect(g.judge(true, [peer('tor', 'Established'), peer('n2', 'Connect')], T0 + 30, true)).toMatchObject({ ready: false, peersSynced: true, phase: 'converging' });
    expect(g.judge(true, [peer('tor', 'Established'), peer('n2', 'Established')], T0 + 40, true)).toMatchObject({ ready: true, phase: 'converged' });
  });

  it('an empty cluster: ready once the first sync says there are no peers', () => {
    const g = new ReadinessGate(T0, 30_000);
    expect(g.judge(true, [], T0 + 10, false).ready).toBe(false);
    // past the threshold it still waits: "no peers" is only an answer once the lists have been read
    expect(g.judge(true, [], T0 + 31_000, false).ready).toBe(false);
    expect(g.judge(true, [], T0 + 31_010, true)).toMatchObject({ ready: true, peersSynced: true });
  });

  it('an unreachable datastore is never ready', () => {
    const g = new ReadinessGate(T0, 30_000);
    expect(g.judge(false, [], T0 + 10)).toMatchObject({ ready: false, datastore: false });
    expect(g.judge(false, [peer('tor', 'Established')], T0 + 10)).toMatchObject({ ready: false, phase: 'converged' });
  });
});
