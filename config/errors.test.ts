import { describe, it, expect } from 'vitest';
import { describeValue, formatConfigError, formatPath } from './errors';
import { closest, editDistance } from './did-you-mean';
import { keysAt } from './schema-keys';
import { rootSchema } from './schema';

describe('formatting', () => {
  it('renders key paths', () => {
    expect(formatPath(['peers', 2, 'asNumber'])).toBe('peers[2].asNumber');
    expect(formatPath(['policies', 0, 'rules', 1, 'match', 'prefixes', 0, 'le'])).toBe('policies[0].rules[1].match.prefixes[0].le');
    expect(formatPath(['peers', 0, '<<'])).toBe('peers[0]["<<"]');
    expect(formatPath([])).toBe('');
  });
  it('describes found values', () => {
    expect(describeValue('65001x')).toBe('"65001x"');
    expect(describeValue(65001)).toBe('65001');
    expect(describeValue(undefined)).toBe('nothing');
    expect(describeValue(null)).toBe('null');
    expect(describeValue([1])).toBe('a list of 1 item');
    expect(describeValue({})).toBe('an empty mapping');
    expect(describeValue('x'.repeat(100))).toHaveLength(62);
  });
  it('formats the one-line message, with and without position and hint', () => {
    expect(formatConfigError({ file: 'config.yaml', path: 'peers[2].asNumber', expected: 'an AS number 1–4294967295', found: '"65001x"', line: 14, column: 17 }))
      .toBe('config.yaml: peers[2].asNumber: expected an AS number 1–4294967295, found "65001x" (line 14, column 17)');
    expect(formatConfigError({ file: 'c', path: '', expected: 'x', found: 'y', hint: 'z' })).toBe('c: expected x, found y; z');
  });
});

describe('did you mean', () => {
  it('counts transpositions as one edit', () => {
    expect(editDistance('hodlTime', 'holdTime')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
  });
  it('ignores case and separators, and refuses far-off guesses', () => {
    expect(closest('hold-time', ['holdTime', 'port'])).toBe('holdTime');
    expect(closest('ASNUMBER', ['asNumber'])).toBe('asNumber');
    expect(closest('prt', ['port', 'passive'])).toBe('port');
    expect(closest('colour', ['address', 'port'])).toBeUndefined();
  });
  it('knows the schema keys at any depth', () => {
    expect(keysAt(rootSchema, ['listen'])).toEqual(['address', 'port']);
    expect(keysAt(rootSchema, ['peers', 3])).toContain('holdTime');
    expect(keysAt(rootSchema, ['policies', 0, 'rules', 0, 'match', 'prefixes', 0])).toEqual(['cidr', 'ge', 'le']);
    expect(keysAt(rootSchema, ['policies', 0, 'rules', 0, 'set', 'prepend'])).toEqual(['count', 'asNumber']);
    expect(keysAt(rootSchema, ['asNumber'])).toEqual([]);
  });
});
