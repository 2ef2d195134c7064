// IPPools IPAM will not use, reported as Valid=False conditions and Events (bgpd/agent/k8s-ippools.ts +
// k8s-report.ts), against the fake apiserver with the CRD schemas enforced: these pools pass the schema,
// only the agent can tell what is wrong. Verified against the fake apiserver only.
import { describe, expect, it } from 'vitest';
import { KubernetesIpPoolWatcher } from '../../bgpd/agent/k8s-ippools';
import { KubernetesProblemReporter } from '../../bgpd/agent/k8s-report';
import { Ipam } from '../../ipam/ipam';
import { createPool, listPools } from '../../ipam/pools';
import { CRD, until, useFakeClusterKit, validCondition } from './fake-cluster-kit';

const POOLS = { group: 'tortie.dev', version: 'v1', plural: 'ippools' };
const EVENTS = { group: '', version: 'v1', plural: 'events' };

const kit = useFakeClusterKit();

describe('IPPool problems', () => {
  it('reports an overlapping and a host-bits pool, which IPAM does not use; a fix flips the condition to True', async () => {
    const c = await kit.cluster();
    const { req } = c;
    const ds = c.store();
    await createPool(ds, { name: 'main', cidr: '10.70.0.0/24', blockSize: 28 });
    // kubectl apply of pools the schema accepts
    await req('POST', `${CRD}/ippools`, { metadata: { name: 'overlap' }, spec: { cidr: '10.70.0.0/25', blockSize: 26 } });
    await req('POST', `${CRD}/ippools`, { metadata: { name: 'hostbits' }, spec: { cidr: '10.71.0.1/24', blockSize: 26 } });

    const reporter = new KubernetesProblemReporter({ kubeConfig: c.kubeConfig, host: 'node-1' });
    const watcher = new KubernetesIpPoolWatcher({ kubeConfig: c.kubeConfig, reporter, retryMs: 20 });
    await watcher.start();
    kit.defer(async () => {
      await watcher.stop();
      reporter.close();
    });
    const cond = (name: string) => validCondition(c.api, POOLS, name);
    await until(() => cond('overlap')?.status === 'False' && cond('hostbits')?.status === 'False', 'both invalid pools marked');
    expect(cond('overlap')).toMatchObject({
      reason: 'InvalidSpec',
      message: 'spec.cidr: 10.70.0.0/25 overlaps pool main (10.70.0.0/24), which came first: not used for allocation',
    });
    expect(cond('hostbits')?.message).toBe('spec.cidr: 10.71.0.1/24 has host bits set (did you mean 10.71.0.0/24?)');
    expect(cond('main')).toBeUndefined();
    const events = c.api.objects(EVENTS);
    expect(events.map((e) => (e.involvedObject as { name: string }).name).sort()).toEqual(['hostbits', 'overlap']);
    expect(events.every((e) => (e.involvedObject as { kind: string }).kind === 'IPPool' && e.reason === 'InvalidSpec')).toBe(true);

    // IPAM allocates from main only (its /28 blocks), and nothing crashes on the bad pools
    expect((await listPools(ds)).map((p) => p.value.name)).toEqual(['main']);
    const ipam = new Ipam(ds);
    const got = await ipam.autoAssign({ handleId: 'h1', node: 'node-1', family: 4, count: 20 });
    expect(new Set(got.map((a) => a.pool))).toEqual(new Set(['main']));
    expect(got.every((a) => a.block.endsWith('/28'))).toBe(true);
    expect(new Set(got.map((a) => a.ip)).size).toBe(20);

    // the admin fixes the CIDR: condition True, the pool becomes usable; still one Event about it
    await req('PATCH', `${CRD}/ippools/hostbits`, { spec: { cidr: '10.71.0.0/24' } });
    await until(() => cond('hostbits')?.status === 'True', 'hostbits valid again');
    expect(cond('hostbits')).toMatchObject({ reason: 'Valid', observedGeneration: 2 });
    expect((await listPools(ds)).map((p) => p.value.name).sort()).toEqual(['hostbits', 'main']);
    await reporter.idle();
    expect(c.api.objects(EVENTS)).toHaveLength(2);
    expect(cond('overlap')?.status).toBe('False');
  });
});
