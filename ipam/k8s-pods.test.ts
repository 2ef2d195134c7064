import { describe, expect, it } from 'vitest';
import { indexPods, orphanReason, type PodInfo } from './k8s-pods';

const pod = (p: Partial<PodInfo> & { name: string }): PodInfo => ({ namespace: 'default', uid: 'uid-1', podIPs: [], ...p });
const owner = { node: 'n1', namespace: 'default', pod: 'web-0', containerId: 'c1' };

describe('orphanReason', () => {
  it('leaves an allocation whose pod exists as it was made alone', () => {
    const pods = indexPods([pod({ name: 'web-0', nodeName: 'n1', podIPs: ['10.0.0.5'] })]);
    expect(orphanReason(owner, '10.0.0.5', pods)).toBeUndefined();
    // Not scheduled / no IPs reported yet: nothing to compare against, so not an orphan.
    expect(orphanReason(owner, '10.0.0.5', indexPods([pod({ name: 'web-0' })]))).toBeUndefined();
  });

  it('calls an allocation orphaned when its pod is gone, recreated (uid), elsewhere (node) or has other IPs', () => {
    expect(orphanReason(owner, '10.0.0.5', indexPods([pod({ name: 'web-1' })]))).toBe('pod default/web-0 no longer exists');
    expect(orphanReason(owner, '10.0.0.5', indexPods([pod({ name: 'web-0', namespace: 'other' })]))).toMatch(/no longer exists/);
    const withUid = { ...owner, podUid: 'uid-old' };
    expect(orphanReason(withUid, '10.0.0.5', indexPods([pod({ name: 'web-0', uid: 'uid-new' })]))).toBe(
      'pod default/web-0 was recreated (uid uid-new; the allocation was for uid uid-old)',
    );
    // A mirror pod: its own uid differs, the annotation carries the static pod's.
    expect(orphanReason(withUid, '10.0.0.5', indexPods([pod({ name: 'web-0', uid: 'mirror', mirrorOf: 'uid-old' })]))).toBeUndefined();
    expect(orphanReason(owner, '10.0.0.5', indexPods([pod({ name: 'web-0', nodeName: 'n2' })]))).toMatch(/now runs on node n2; the allocation was made on n1/);
    expect(orphanReason(owner, '10.0.0.5', indexPods([pod({ name: 'web-0', nodeName: 'n1', podIPs: ['10.0.0.9'] })]))).toMatch(/has IPs 10\.0\.0\.9, not 10\.0\.0\.5/);
  });

  it('compares IPv6 addresses in canonical form', () => {
    const pods = indexPods([pod({ name: 'web-0', nodeName: 'n1', podIPs: ['10.0.0.5', 'FD00:0:0::5'] })]);
    expect(orphanReason(owner, 'fd00::5', pods)).toBeUndefined();
    expect(orphanReason(owner, 'fd00::6', pods)).toMatch(/not fd00::6/);
  });

  it('never judges tunnel addresses or allocations without a pod owner', () => {
    const none = indexPods([]);
    expect(orphanReason({ node: 'n1', type: 'ipip' }, '10.0.0.1', none)).toBeUndefined();
    expect(orphanReason({ ...owner, type: 'vxlan' }, '10.0.0.1', none)).toBeUndefined();
    expect(orphanReason({ node: 'n1', containerId: 'c', netns: '/var/run/netns/x' }, '10.0.0.1', none)).toBeUndefined();
    expect(orphanReason({ namespace: 'default' }, '10.0.0.1', none)).toBeUndefined();
    expect(orphanReason({ ...owner, type: 'workload' }, '10.0.0.1', none)).toMatch(/no longer exists/);
  });
});
