// Measurement (prints numbers; asserts only completeness): 100k IPv4 /24s between BIRD 2 and our
// session, both directions. BIRD packs its routes (one attribute set → ~1000 prefixes per UPDATE);
// the speaker sends one UPDATE per prefix with a unique MED, the worst case for the receiver.
import { describe, it, expect } from 'vitest';
import { BirdDaemon } from '../lab/daemons/bird';
import type { OriginatedRoute } from '../lab/daemons/types';
import { waitFor } from '../lab/wait-for';
import { SpeakerProcess } from './speaker-process';
import { B4, T4, tortiePeer } from './fixtures';
import { useInterop } from './use-interop';

const COUNT = Number(process.env.TORTIE_BULK ?? 100_000);
/** Set TORTIE_BULK_OUT=0 to measure the inbound direction alone. */
const OUT_COUNT = Number(process.env.TORTIE_BULK_OUT ?? COUNT);

describe('throughput with BIRD 2 (100k prefixes each way)', () => {
  let bird: BirdDaemon;
  let sp: SpeakerProcess;

  useInterop(async ({ lab, t, b }) => {
    const routes: OriginatedRoute[] = [];
    for (let i = 0; i < COUNT; i++) routes.push({ prefix: `${16 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}.0/24` });
    bird = await BirdDaemon.start(b, { routerId: B4, localAs: 65002, localAddress: B4, neighbors: [{ address: T4, as: 65001, holdTime: 9, passive: true }], routes });
    sp = await SpeakerProcess.start(lab, t, {
      peers: [tortiePeer('v4', { holdTime: 9 })],
      bulk: { count: OUT_COUNT, firstOctet: 40, nextHop: T4, uniqueMed: true },
    });
  }, { setupTimeoutMs: 120_000 });

  it(`receives ${COUNT} packed prefixes from BIRD and BIRD receives ${COUNT} single-prefix UPDATEs from us`, async () => {
    const est = await sp.waitEvent((e) => e.ev === 'established', 'Established', 60_000);
    // inbound: count prefixes in our update events until all arrived
    let received = 0;
    let lastT = 0;
    let updates = 0;
    await waitFor(
      () => {
        received = 0;
        updates = 0;
        for (const e of sp.events) {
          if (e.ev !== 'update') continue;
          const n = (e.announce as unknown[]).length;
          if (n > 0) {
            received += n;
            updates++;
            lastT = e.t as number;
          }
        }
        return received >= COUNT;
      },
      { what: `${COUNT} prefixes from BIRD`, timeoutMs: 60_000, intervalMs: 200 },
    );
    const inboundMs = lastT - (est.t as number);
    // BIRD 2.0.12 holds back its last UPDATEs for ~2 s (the "3 s tail" in the reference notes), so
    // report the 99% point too.
    let seen = 0;
    let t99 = 0;
    for (const e of sp.events) {
      if (e.ev !== 'update') continue;
      seen += (e.announce as unknown[]).length;
      if (seen >= COUNT * 0.99) {
        t99 = (e.t as number) - (est.t as number);
        break;
      }
    }
    // outbound: poll BIRD's route count for our prefixes (protocol n0)
    const t0 = est.t as number;
    let outboundMs = 0;
    await waitFor(
      async () => {
        const out = await bird.birdc(['show', 'route', 'count', 'protocol', 'n0']);
        const m = /(\d+) of \d+ routes/.exec(out) ?? /(\d+) routes/.exec(out);
        const n = m ? Number(m[1]) : 0;
        if (n >= OUT_COUNT) outboundMs = Date.now() - t0;
        return n >= OUT_COUNT;
      },
      { what: `${OUT_COUNT} of our routes in BIRD`, timeoutMs: 120_000, intervalMs: 50 },
    );
    const st = await sp.stats('v4');
    const snap = st.snapshot as { state: string; counters: { messagesOut: { update: number }; messagesIn: { update: number } } };
    console.log(
      `BIRD→tortie: ${received} prefixes in ${updates} UPDATEs, 99% after ${t99} ms, 100% after ${inboundMs} ms from Established; ` +
        `tortie→BIRD: ${snap.counters.messagesOut.update} UPDATEs, all ${OUT_COUNT} in BIRD ${outboundMs} ms after Established (50 ms polling)`,
    );
    expect(received).toBe(COUNT);
    expect(snap.state).toBe('Established');
  }, 240_000);
});
