// Wire codec micro-benchmark: 1M IPv4 /24 prefixes under one attribute set, packed into UPDATEs
// (4096 and 65535 bytes), then decoded one message at a time and through MessageReader in 64 KiB
// socket-sized chunks. Reports prefixes/s and MB/s (best of 5 runs). Also measures the two
// per-prefix choices the codec made (key construction and key writing) against the alternatives.
// Run: npx tsx bench/wire.ts [--quick]
import { Afi, AsPathSegmentType, ErrorAction } from '../bgpd/wire/types';
import type { CodecContext, PrefixKey } from '../bgpd/wire/types';
import { MessageReader, decodeMessage, encodeAttributes, packUpdates, packWithdrawals } from '../bgpd/wire';
import { readNlri } from '../bgpd/wire/nlri';

const quick = process.argv.includes('--quick');
const N = quick ? 100_000 : 1_000_000;
const RUNS = 5;

function keys(): PrefixKey[] {
  const out = new Array<PrefixKey>(N);
  for (let i = 0; i < N; i++) out[i] = String.fromCharCode(24, 10 + (i >> 16), (i >> 8) & 255, i & 255);
  return out;
}

function best(label: string, bytes: number, fn: () => void): number {
  let min = Infinity;
  for (let r = 0; r < RUNS; r++) {
    const t0 = process.hrtime.bigint();
    fn();
    min = Math.min(min, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  const pps = N / min;
  console.log(
    `${label.padEnd(44)} ${(min * 1000).toFixed(1).padStart(8)} ms  ${Math.round(pps).toLocaleString('en').padStart(12)} prefixes/s  ${(bytes / min / 1e6).toFixed(0).padStart(5)} MB/s`,
  );
  return pps;
}

const nlri = keys();
const attrs = {
  origin: 0,
  asPath: [{ type: AsPathSegmentType.AS_SEQUENCE, asns: [65100, 64512, 4200000000] }],
  nextHop: '198.18.1.2',
  med: 10,
  communities: [0xfde90064],
};

console.log(`wire codec, ${N.toLocaleString('en')} IPv4 /24 under one attribute set, node ${process.version}, best of ${RUNS}`);
for (const maxSize of [4096, 65535]) {
  const ctx: CodecContext = { as4: true, extendedMessage: maxSize > 4096, ibgp: false };
  const attrBytes = encodeAttributes(attrs, ctx);
  let msgs: Buffer[] = [];
  const total = (): number => msgs.reduce((n, m) => n + m.length, 0);
  msgs = packUpdates({ afi: Afi.IPv4, attrBytes, nlri, maxSize, ctx });
  const bytes = total();
  console.log(`-- max ${maxSize}: ${msgs.length} UPDATEs, ${(bytes / 1e6).toFixed(2)} MB`);
  best(`encode packUpdates (${maxSize})`, bytes, () => {
    msgs = packUpdates({ afi: Afi.IPv4, attrBytes, nlri, maxSize, ctx });
  });
  best(`decode decodeMessage per UPDATE (${maxSize})`, bytes, () => {
    let n = 0;
    for (const m of msgs) {
      const r = decodeMessage(m, ctx);
      if (r.action !== ErrorAction.NONE || !r.ok || r.msg.type !== 2) throw new Error('bench: bad decode');
      n += r.msg.nlri.length;
    }
    if (n !== N) throw new Error(`bench: decoded ${n}`);
  });
  // The RIB keeps every key, so they survive young-generation GC; this is the cost it will see.
  best(`decode, keeping all 1M keys alive (${maxSize})`, bytes, () => {
    const kept: PrefixKey[][] = [];
    for (const m of msgs) {
      const r = decodeMessage(m, ctx);
      if (r.ok && r.msg.type === 2) kept.push(r.msg.nlri);
    }
    if (kept.length !== msgs.length) throw new Error('bench: lost messages');
  });
  const stream = Buffer.concat(msgs);
  best(`decode MessageReader, 64 KiB chunks (${maxSize})`, bytes, () => {
    const reader = new MessageReader(() => ctx);
    let n = 0;
    for (let off = 0; off < stream.length; off += 65536) {
      reader.push(stream.subarray(off, off + 65536));
      for (let r = reader.next(); r; r = reader.next()) if (r.ok && r.msg.type === 2) n += r.msg.nlri.length;
    }
    if (n !== N) throw new Error(`bench: framed ${n}`);
  });
  const w = packWithdrawals({ afi: Afi.IPv4, prefixes: nlri, maxSize, ctx });
  best(`encode packWithdrawals (${maxSize})`, w.reduce((n, m) => n + m.length, 0), () => {
    packWithdrawals({ afi: Afi.IPv4, prefixes: nlri, maxSize, ctx });
  });
}

{
  // IPv6 /48 in MP_REACH with a global + link-local next hop: the dual-stack Calico case.
  const ctx: CodecContext = { as4: true, extendedMessage: false, ibgp: false };
  const v6 = new Array<PrefixKey>(N);
  for (let i = 0; i < N; i++) v6[i] = String.fromCharCode(48, 0x20, 0x01, 0x0d, 0xb8, (i >> 8) & 255, i & 255);
  const { nextHop: _nh, ...v6attrs } = attrs;
  const attrBytes = encodeAttributes(v6attrs, ctx);
  let msgs = packUpdates({ afi: Afi.IPv6, attrBytes, nextHops: ['fd00::1', 'fe80::1'], nlri: v6, maxSize: 4096, ctx });
  const bytes = msgs.reduce((n, m) => n + m.length, 0);
  console.log(`-- IPv6 /48, max 4096: ${msgs.length} UPDATEs, ${(bytes / 1e6).toFixed(2)} MB`);
  best('encode packUpdates IPv6 MP_REACH', bytes, () => {
    msgs = packUpdates({ afi: Afi.IPv6, attrBytes, nextHops: ['fd00::1', 'fe80::1'], nlri: v6, maxSize: 4096, ctx });
  });
  best('decode decodeMessage IPv6 MP_REACH', bytes, () => {
    let n = 0;
    for (const m of msgs) {
      const r = decodeMessage(m, ctx);
      if (r.ok && r.msg.type === 2) n += r.msg.mpReach?.nlri.length ?? 0;
    }
    if (n !== N) throw new Error(`bench: decoded ${n}`);
  });
}

// Per 4000-byte slice (one UPDATE's worth), as the decoder sees them: one 1M-element array would
// promote every key to old space and measure the GC instead of the key construction.
console.log('-- per-prefix choices (4 MB of NLRI in 4000-byte slices)');
const field = Buffer.alloc(N * 4);
for (let i = 0; i < N; i++) for (let j = 0; j < 4; j++) field[4 * i + j] = nlri[i].charCodeAt(j);
const SLICE = 4000;
best('key: readNlri (String.fromCharCode)', field.length, () => {
  for (let s = 0; s < field.length; s += SLICE) {
    const out: PrefixKey[] = [];
    readNlri(field, s, Math.min(field.length, s + SLICE), 32, out);
  }
});
best("key: Buffer#toString('latin1', s, e)", field.length, () => {
  for (let s = 0; s < field.length; s += SLICE) {
    const out: PrefixKey[] = [];
    const end = Math.min(field.length, s + SLICE);
    for (let i = s; i < end; ) {
      const e = i + 1 + ((field[i] + 7) >> 3);
      out.push(field.toString('latin1', i, e));
      i = e;
    }
  }
});
const dst = Buffer.alloc(N * 4);
best('write: charCodeAt loop (writeKey)', dst.length, () => {
  let o = 0;
  for (const k of nlri) for (let j = 0; j < k.length; j++) dst[o++] = k.charCodeAt(j);
});
best("write: Buffer#write(key, o, 'latin1')", dst.length, () => {
  let o = 0;
  for (const k of nlri) o += dst.write(k, o, 'latin1');
});
