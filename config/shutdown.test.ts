import { describe, it, expect } from 'vitest';
import { formatConfigError, parseConfigText } from './index';
import type { HostFacts } from './index';

const host: HostFacts = { hostname: 'node-7', ipv4: ['198.18.5.7'], ipv6: [] };
const parse = (text: string) => parseConfigText(text, 'c.yaml', { host });

describe('shutdown.onSigterm', () => {
  it('defaults to graceful and accepts notify', () => {
    const d = parse('asNumber: 64512\n');
    expect(d.errors).toBeUndefined();
    expect(d.config?.shutdown).toEqual({ onSigterm: 'graceful' });
    expect(parse('shutdown: { onSigterm: notify }\n').config?.shutdown).toEqual({ onSigterm: 'notify' });
  });

  it('rejects other values and unknown keys with the key path', () => {
    const bad = parse('shutdown: { onSigterm: drain }\n');
    expect(bad.errors?.map(formatConfigError).join('\n')).toMatch(/shutdown\.onSigterm.*graceful.*notify/s);
    const typo = parse('shutdown: { onSigTerm: notify }\n');
    expect(typo.errors?.map(formatConfigError).join('\n')).toMatch(/onSigterm/);
  });
});
