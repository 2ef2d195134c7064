import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { NlMessage } from './netlink/decode';
import { parseAttrs, parseMessages } from './netlink/decode';
import { decodeRoute } from './routes';
import { decodeLink } from './links';
import { decodeAddress } from './addresses';
import { decodeFdb, decodeNeighbour } from './neigh';
import { decodeNexthop } from './nexthops';

const msg = (payload: Uint8Array): NlMessage => ({ type: 24, flags: 0, seq: 1, pid: 0, payload: Buffer.from(payload) });

// A payload that starts with a plausible fixed header for `family`, followed by random attributes:
// exercises attribute-level garbage (wrong lengths, odd address sizes) rather than only a bad header.
const withAttrs = (family: number, headerLen: number) =>
  fc.tuple(fc.uint8Array({ minLength: headerLen, maxLength: headerLen }),
    fc.array(fc.tuple(fc.integer({ min: 0, max: 40 }), fc.uint8Array({ maxLength: 24 })), { maxLength: 12 }))
    .map(([hdr, attrs]) => {
      const h = Buffer.from(hdr);
      h[0] = family;
      const parts: Buffer[] = [h];
      for (const [type, data] of attrs) {
        const a = Buffer.alloc(4 + ((data.length + 3) & ~3));
        a.writeUInt16LE(4 + data.length, 0);
        a.writeUInt16LE(type, 2);
        a.set(data, 4);
        parts.push(a);
      }
      return Buffer.concat(parts);
    });

describe('decoders never throw on malformed kernel data', () => {
  const decoders = { decodeRoute, decodeLink, decodeAddress, decodeNeighbour, decodeFdb, decodeNexthop };
  for (const [name, decode] of Object.entries(decoders)) {
    it(`${name}: random bytes and random attributes`, () => {
      fc.assert(fc.property(fc.uint8Array({ maxLength: 120 }), (b) => {
        decode(msg(b));
      }));
      for (const family of [2, 7, 10]) {
        fc.assert(fc.property(withAttrs(family, 16), (b) => {
          decode(msg(b));
        }), { numRuns: 300 });
      }
    });
  }

  it('parseMessages and parseAttrs accept any bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
      const buf = Buffer.from(b);
      for (const m of parseMessages(buf)) expect(m.payload.length).toBeLessThanOrEqual(buf.length);
      parseAttrs(buf);
    }));
  });
});
