// A stand-in for the codec in RIB tests and the benchmark: splits messages by the real wire-size
// rules (19-byte header, 4096/65535 limits, prefix = 1 + ceil(len/8) bytes) but writes a JSON body
// so tests can read back what the RIB sent. Not a BGP encoder.
import { Afi } from '../wire/types';
import type { CodecContext, PathAttributes, PrefixKey } from '../wire/types';
import type { UpdateEncoder } from './types';

export interface TestUpdate {
  afi: Afi;
  attrs?: PathAttributes;
  nextHops?: string[];
  nlri: PrefixKey[];
  withdrawn: PrefixKey[];
  eor?: boolean;
}

const HEADER = 19;

function frame(body: TestUpdate): Buffer {
  return Buffer.from(JSON.stringify(body), 'latin1');
}

/** Splits prefixes so each message stays within maxSize given `fixed` bytes of overhead. */
function split(prefixes: PrefixKey[], fixed: number, maxSize: number): PrefixKey[][] {
  const out: PrefixKey[][] = [];
  let cur: PrefixKey[] = [];
  let size = fixed;
  for (const p of prefixes) {
    if (size + p.length > maxSize && cur.length > 0) {
      out.push(cur);
      cur = [];
      size = fixed;
    }
    cur.push(p);
    size += p.length;
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

export function createTestingEncoder(): UpdateEncoder & { encoded: number } {
  const enc = {
    encoded: 0,
    encodeAttributes(attrs: PathAttributes, _ctx: CodecContext): Buffer {
      enc.encoded++;
      return Buffer.from(JSON.stringify(attrs), 'latin1');
    },
    packUpdates(args: { afi: Afi; attrBytes: Buffer; nextHops: string[]; nlri: PrefixKey[]; maxSize: number; ctx: CodecContext }): Buffer[] {
      const attrs = JSON.parse(args.attrBytes.toString('latin1')) as PathAttributes;
      // real overhead: header + 2 + 2 + attributes (approximated by 3 bytes per JSON field) + next hop
      const attrLen = 3 * Object.keys(attrs).length + 8;
      const nh = args.afi === Afi.IPv4 ? 7 : 8 + 16;
      return split(args.nlri, HEADER + 4 + attrLen + nh, args.maxSize).map((nlri) =>
        frame({ afi: args.afi, attrs, nextHops: args.nextHops, nlri, withdrawn: [] }));
    },
    packWithdrawals(args: { afi: Afi; prefixes: PrefixKey[]; maxSize: number; ctx: CodecContext }): Buffer[] {
      const fixed = HEADER + 4 + (args.afi === Afi.IPv4 ? 0 : 6);
      return split(args.prefixes, fixed, args.maxSize).map((withdrawn) => frame({ afi: args.afi, nlri: [], withdrawn }));
    },
    encodeEndOfRib(afi: Afi): Buffer {
      return frame({ afi, nlri: [], withdrawn: [], eor: true });
    },
  };
  return enc;
}

export function decodeTestUpdate(b: Buffer): TestUpdate {
  return JSON.parse(b.toString('latin1')) as TestUpdate;
}
