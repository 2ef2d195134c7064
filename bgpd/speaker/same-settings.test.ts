import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sameSettings } from './same-settings';

describe('sameSettings', () => {
  it('ignores object key order, at any depth', () => {
    expect(sameSettings({ a: 1, b: { x: [1, 2], y: 'z' } }, { b: { y: 'z', x: [1, 2] }, a: 1 })).toBe(true);
  });

  it('sees any changed, added or removed value; array order counts', () => {
    expect(sameSettings({ a: 1, b: { x: 1 } }, { a: 1, b: { x: 2 } })).toBe(false);
    expect(sameSettings({ a: 1 }, { a: 1, b: 0 })).toBe(false);
    expect(sameSettings({ a: 1, b: 0 }, { a: 1 })).toBe(false);
    expect(sameSettings({ p: ['x', 'y'] }, { p: ['y', 'x'] })).toBe(false);
    expect(sameSettings({ p: [] }, { p: {} })).toBe(false);
    expect(sameSettings({ p: null }, { p: {} })).toBe(false);
    expect(sameSettings({ p: '1' }, { p: 1 })).toBe(false);
  });

  it('a key set to undefined is a missing key (as in JSON)', () => {
    expect(sameSettings({ a: 1, password: undefined }, { a: 1 })).toBe(true);
    expect(sameSettings({ a: 1 }, { password: undefined, a: 1 })).toBe(true);
  });

  it('agrees with comparing key-sorted JSON on arbitrary JSON data, whatever the key order', () => {
    const sorted = (v: unknown): unknown =>
      Array.isArray(v) ? v.map(sorted) : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted((v as Record<string, unknown>)[k])])) : v;
    const reversed = (v: unknown): unknown =>
      Array.isArray(v) ? v.map(reversed) : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).reverse().map((k) => [k, reversed((v as Record<string, unknown>)[k])])) : v;
    fc.assert(fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => {
      expect(sameSettings(a, reversed(a))).toBe(true);
      expect(sameSettings(a, b)).toBe(JSON.stringify(sorted(a)) === JSON.stringify(sorted(b)));
    }), { numRuns: 300 });
  });
});
