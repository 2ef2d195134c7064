import { describe, it, expect } from 'vitest';
import { Md5DropWatch } from './md5-watch';
import type { WatchedPeer } from './md5-watch';
import type { TcpMd5Counters } from '../../dataplane/sockopt/md5-counters';

function setup(peers: WatchedPeer[]) {
  let counters: TcpMd5Counters | undefined = { wrongSignature: 0, missingSignature: 0, unexpectedSignature: 0 };
  const warnings: { obj: Record<string, unknown>; msg: string }[] = [];
  const watch = new Md5DropWatch({
    peers: () => peers,
    logger: { debug() {}, info() {}, error() {}, warn: (obj, msg) => warnings.push({ obj, msg }) },
    read: () => counters && { ...counters },
  });
  watch.start();
  watch.stop(); // checks are driven by hand below
  return { watch, warnings, set: (c: TcpMd5Counters | undefined) => (counters = c) };
}

describe('Md5DropWatch', () => {
  it('names the waiting peers and the drop deltas when the counters grew', () => {
    const { watch, warnings, set } = setup([
      { name: 'tor1', state: 'Connect', hasPassword: true },
      { name: 'tor2', state: 'Active', hasPassword: false },
      { name: 'up', state: 'Established', hasPassword: true },
    ]);
    expect(watch.check()).toBe(false); // nothing dropped
    set({ wrongSignature: 4, missingSignature: 0, unexpectedSignature: 2 });
    expect(watch.check()).toBe(true);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.msg).toMatch(/check that both ends use the same password/);
    expect(warnings[0]!.obj).toEqual({ wrongSignature: 4, missingSignature: 0, unexpectedSignature: 2, peers: ['tor1 (password set)', 'tor2 (no password)'] });
    expect(watch.check()).toBe(false); // deltas, not totals
  });

  it('stays quiet when every peer is connected, or the counters cannot be read', () => {
    const peers: WatchedPeer[] = [{ name: 'up', state: 'Established', hasPassword: true }];
    const { watch, warnings, set } = setup(peers);
    set({ wrongSignature: 1, missingSignature: 1, unexpectedSignature: 1 });
    expect(watch.check()).toBe(false);
    set(undefined);
    peers.push({ name: 'down', state: 'Active', hasPassword: true });
    expect(watch.check()).toBe(false);
    expect(warnings).toEqual([]);
  });
});
