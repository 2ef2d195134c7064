// Helpers shared by the RIB tests: a RIB on the testing encoder, peers, UPDATE builders, and
// readers for what the RIB sent.
import { Afi, AsPathSegmentType } from '../wire/types';
import type { CodecContext, PathAttributes, UpdateMessage } from '../wire/types';
import { prefixKey, prefixText } from './prefix-key';
import { Rib } from './rib';
import { createTestingEncoder, decodeTestUpdate } from './testing-encoder';
import type { TestUpdate } from './testing-encoder';
import type { PeerId, RibOptions, RibPeerConfig } from './types';

export const LOCAL_AS = 65000;
export const ME = '192.0.2.1';
export const SELF4 = '198.18.0.1';

export function makeRib(opts: Partial<RibOptions> = {}): Rib & { enc: ReturnType<typeof createTestingEncoder> } {
  const enc = createTestingEncoder();
  const rib = new Rib({ localAs: LOCAL_AS, routerId: ME, encoder: enc, ...opts }) as Rib & { enc: typeof enc };
  rib.enc = enc;
  return rib;
}

export const ctx = (ibgp: boolean, extendedMessage = false): CodecContext => ({ as4: true, extendedMessage, ibgp });

/** Adds a peer and brings its session up (IPv4 + IPv6). */
export function addUpPeer(rib: Rib, cfg: Partial<RibPeerConfig> & { address: string; remoteAs: number }, routerId: string, c?: CodecContext): PeerId {
  const id = rib.addPeer(cfg);
  rib.peerUp(id, {
    routerId,
    ctx: c ?? ctx(cfg.remoteAs === (cfg.localAs ?? LOCAL_AS)),
    families: [Afi.IPv4, Afi.IPv6],
    localAddress: { ipv4: SELF4, ipv6: 'fd00::1' },
  });
  return id;
}

export const P = (t: string): string => prefixKey(Afi.IPv4, t);
export const T = (k: string): string => prefixText(Afi.IPv4, k);
export const seq = (...asns: number[]) => [{ type: AsPathSegmentType.AS_SEQUENCE, asns }];

export function upd(nlri: string[], attrs: PathAttributes = {}, withdrawn: string[] = []): UpdateMessage {
  return {
    type: 2,
    withdrawn: withdrawn.map(P),
    attrs: { origin: 0, asPath: [], nextHop: '198.18.0.2', ...attrs },
    nlri: nlri.map(P),
  } as UpdateMessage;
}

export function run(rib: Rib, budget?: number): void {
  let guard = 0;
  while (rib.processBatch(budget)) if (++guard > 1e6) throw new Error('rib never finished');
}

/** Decoded output per peer since the last call. */
export function sent(rib: Rib): Map<PeerId, TestUpdate[]> {
  const out = new Map<PeerId, TestUpdate[]>();
  for (const [p, bufs] of rib.takeOutput()) out.set(p, bufs.map(decodeTestUpdate));
  return out;
}

/** Announced prefixes (text) to one peer in the given messages, with their attributes. */
export function announced(msgs: TestUpdate[] | undefined): Map<string, PathAttributes> {
  const m = new Map<string, PathAttributes>();
  for (const u of msgs ?? []) for (const n of u.nlri) m.set(T(n), { ...(u.attrs ?? {}), nextHop: u.nextHops?.[0] });
  return m;
}

export function withdrawnOf(msgs: TestUpdate[] | undefined): string[] {
  return (msgs ?? []).flatMap((u) => u.withdrawn.map(T));
}
