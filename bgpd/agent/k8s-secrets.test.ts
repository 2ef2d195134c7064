import { describe, expect, it } from 'vitest';
import { passwordLookup, secretsNamespace } from './k8s-secrets';

const b64 = (s: string | Buffer): string => Buffer.from(s).toString('base64');
const secret = (name: string, data: Record<string, string>, namespace = 'tortie-system') => ({ metadata: { name, namespace }, data });
const ref = (name: string, key: string) => ({ secretKeyRef: { name, key } });

describe('passwordLookup', () => {
  const lookup = passwordLookup(
    [
      secret('bgp', { tor: b64('s3cr3t-ü'), empty: '', long: b64('x'.repeat(81)), max: b64('y'.repeat(80)), bin: b64(Buffer.from([0xff, 0xfe])) }),
      secret('elsewhere', { tor: b64('other') }, 'kube-system'),
    ],
    'tortie-system',
  );

  it('decodes the key of a Secret in its namespace', () => {
    expect(lookup(ref('bgp', 'tor'))).toEqual({ password: 's3cr3t-ü' });
    expect(lookup(ref('bgp', 'max'))).toEqual({ password: 'y'.repeat(80) });
  });

  it('reports missing Secret / key, empty, too long and non-UTF-8 values without revealing them', () => {
    const problems = [ref('elsewhere', 'tor'), ref('bgp', 'nope'), ref('bgp', 'empty'), ref('bgp', 'long'), ref('bgp', 'bin'), { secretKeyRef: { name: 'bgp' } }].map((r) => {
      const out = lookup(r);
      if (!('problem' in out)) throw new Error('expected a problem');
      return out.problem;
    });
    expect(problems).toEqual([
      'spec.password.secretKeyRef: Secret tortie-system/elsewhere not found; peer not configured',
      'spec.password.secretKeyRef: Secret tortie-system/bgp has no key "nope"; peer not configured',
      'spec.password.secretKeyRef: key "empty" of Secret tortie-system/bgp is empty; peer not configured',
      'spec.password.secretKeyRef: key "long" of Secret tortie-system/bgp is 81 bytes, TCP-MD5 allows at most 80; peer not configured',
      'spec.password.secretKeyRef: key "bin" of Secret tortie-system/bgp is not valid UTF-8; peer not configured',
      'spec.password.secretKeyRef: expected {name, key}',
    ]);
    for (const p of problems) expect(p).not.toMatch(/x{10}|s3cr3t/);
  });

  it('reads POD_NAMESPACE, defaulting to tortie-system', () => {
    expect(secretsNamespace({ POD_NAMESPACE: 'net' })).toBe('net');
    expect(secretsNamespace({})).toBe('tortie-system');
  });
});
