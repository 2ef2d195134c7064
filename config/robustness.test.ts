import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { formatConfigError, parseConfigText, validateConfig } from './index';
import type { ConfigResult, HostFacts } from './index';

const host: HostFacts = { hostname: 'node-1', ipv4: ['198.18.0.1'], ipv6: ['fd00::1'] };

function wellFormed(r: ConfigResult): void {
  if (r.config) return;
  expect(r.errors.length).toBeGreaterThan(0);
  for (const e of r.errors) {
    expect(e.expected).not.toBe('');
    expect(e.found).not.toBe('');
    expect(formatConfigError(e)).not.toMatch(/undefined|\[object Object\]/);
  }
}

// Values shaped like the real keys, so the generator reaches deep into the schema rather than
// failing at the top level every time.
const scalar = fc.oneof(fc.integer({ min: -5, max: 70000 }), fc.constantFrom('198.18.0.1', 'fd00::1', '10.244.0.0/16', '10.244.7.0/16', 'ipip', 'yes', '90s', '', 'hash', 'x'), fc.boolean(), fc.constant(null));
const key = fc.constantFrom('address', 'asNumber', 'holdTime', 'keepaliveTime', 'cidr', 'blockSize', 'encapsulation', 'name', 'port', 'families', 'importPolicy', 'rules', 'match', 'prefixes', 'ge', 'le', 'set', 'bogus', 'type', 'endpoints');
const { tree } = fc.letrec((tie) => ({
  tree: fc.oneof({ maxDepth: 4 }, scalar, fc.array(tie('tree'), { maxLength: 3 }), fc.dictionary(key, tie('tree'), { maxKeys: 4 })),
}));
const rootKey = fc.constantFrom('nodeName', 'routerId', 'asNumber', 'nodeAddress', 'listen', 'datastore', 'peers', 'pools', 'policies', 'timers', 'advertisePrefixes', 'routeReflector', 'gracefulRestart', 'unknownKey');

describe('robustness', () => {
  it('validateConfig never throws and always explains itself', () => {
    fc.assert(fc.property(fc.dictionary(rootKey, tree, { maxKeys: 6 }), (obj) => {
      const r = validateConfig(obj, 'fuzz.yaml', { host });
      wellFormed(r);
    }), { numRuns: 400 });
  });

  it('the same documents as YAML text get positions for every keyed error', () => {
    fc.assert(fc.property(fc.dictionary(rootKey, tree, { minKeys: 1, maxKeys: 6 }), (obj) => {
      const r = parseConfigText(stringify(obj), 'fuzz.yaml', { host });
      wellFormed(r);
      for (const e of r.errors ?? []) {
        // only missing top-level keys (and whole-document problems) may lack a position
        if (e.path.includes('.') || e.path.includes('[')) expect(e.line, formatConfigError(e)).toBeGreaterThan(0);
      }
    }), { numRuns: 300 });
  });

  it('arbitrary text never throws', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (text) => {
      wellFormed(parseConfigText(text, 'fuzz.yaml', { host }));
    }), { numRuns: 500 });
  });
});
