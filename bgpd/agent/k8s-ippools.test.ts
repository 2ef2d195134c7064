import { describe, expect, it } from 'vitest';
import { DELETED_ANNOTATION } from '../../ipam/store/kubernetes-kinds';
import { ipPoolProblems, type IpPoolObject } from './k8s-ippools';

const pool = (name: string, spec: Record<string, unknown>, created: string, extra: Partial<NonNullable<IpPoolObject['metadata']>> = {}): IpPoolObject => ({
  apiVersion: 'tortie.dev/v1',
  metadata: { name, uid: `uid-${name}`, resourceVersion: '10', generation: 1, creationTimestamp: created, ...extra },
  spec,
});

describe('ipPoolProblems', () => {
  it('orders overlaps by creationTimestamp, names fields as spec.<field>, and skips objects marked deleted', () => {
    const r = ipPoolProblems([
      pool('aaa-new', { cidr: '10.0.0.0/25', blockSize: 26 }, '2026-01-02T00:00:00Z'),
      pool('zzz-old', { cidr: '10.0.0.0/24', blockSize: 26 }, '2026-01-01T00:00:00Z'),
      pool('gone', { cidr: '10.0.0.0/16', blockSize: 26 }, '2025-01-01T00:00:00Z', { annotations: { [DELETED_ANNOTATION]: 'true' } }),
      pool('v6', { cidr: 'fd00::/64', blockSize: 122, encapsulation: 'ipip', nodeSelector: 'rack in (' }, '2026-01-03T00:00:00Z'),
    ]);
    expect(r.map((x) => [x.ref.name, x.problems])).toEqual([
      ['aaa-new', ['spec.cidr: 10.0.0.0/25 overlaps pool zzz-old (10.0.0.0/24), which came first: not used for allocation']],
      ['zzz-old', []],
      ['v6', ['spec.encapsulation: IPIP is IPv4 only', "spec.nodeSelector: unsupported nodeSelector 'rack in ('"]],
    ]);
    expect(r[0].ref).toMatchObject({ kind: 'IPPool', apiVersion: 'tortie.dev/v1', uid: 'uid-aaa-new', generation: 1 });
  });

  it('uses spec.name (what IPAM calls the pool) where tortie wrote one, and carries status.conditions', () => {
    const obj = pool('p-1a2b3c4d5e', { name: 'P_Upper', cidr: '10.1.0.0/24', blockSize: 26 }, '2026-01-01T00:00:00Z');
    const other = pool('later', { cidr: '10.1.0.0/24', blockSize: 26 }, '2026-01-02T00:00:00Z');
    obj.status = { conditions: [{ type: 'Valid', status: 'False', reason: 'InvalidSpec', message: 'old' }] };
    const [a, b] = ipPoolProblems([obj, other]);
    expect(a.problems).toEqual([]);
    expect(a.ref.conditions).toEqual([{ type: 'Valid', status: 'False', reason: 'InvalidSpec', message: 'old' }]);
    expect(b.problems[0]).toContain('overlaps pool P_Upper');
  });
});
