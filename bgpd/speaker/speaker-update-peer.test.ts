// updatePeer keeps a session whose settings did not change, however the peer object was put together.
import { describe, expect, it } from 'vitest';
import type { SpeakerPeer } from './peer-map';
import { peerRow } from './views';
import { until, useSpeakerPairs } from './test-speakers';

const pair = useSpeakerPairs();

/** The same object with its keys (at every depth) in reverse order. */
function reversedKeys<T>(v: T): T {
  if (Array.isArray(v)) return v.map(reversedKeys) as T;
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(Object.keys(v).reverse().map((k) => [k, reversedKeys((v as Record<string, unknown>)[k])])) as T;
}

describe('Speaker.updatePeer', () => {
  it('a peer rebuilt with its keys in another order is unchanged: the session stays up', async () => {
    const { a, b } = pair();
    a.setOriginated(['10.1.0.0/24']);
    a.start();
    b.start();
    await until(() => peerRow(b, b.peer('a')!).accepted === 1, 'B accepts the route');
    const rt = a.peer('b')!;
    // gracefulRestart is a nested object: its keys are reversed too
    const rebuilt: SpeakerPeer = reversedKeys({ ...rt.peer });
    expect(JSON.stringify(rebuilt)).not.toBe(JSON.stringify(rt.peer));
    expect(await a.updatePeer(rebuilt)).toBe('unchanged');
    expect(a.peer('b')).toBe(rt);
    expect(rt.session.counters.establishedTransitions).toBe(1);
    // a real change still resets
    expect(await a.updatePeer(reversedKeys({ ...rt.peer, holdTime: 30 }))).toBe('reset');
    expect(a.peer('b')).not.toBe(rt);
  });
});
