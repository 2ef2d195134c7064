// TEST-ONLY fault injection: TORTIE_CNI_TEST_FAULT=<step> makes ADD fail right after that step did its work,
// so tests can prove the rollback of every earlier step. Steps are listed in ADD_STEPS (README.md).
// Never set it in production: it exists only to test the rollback paths.
import { CniCode, CniError } from './errors';

export const ADD_STEPS = ['ipam', 'stale-veth', 'veth', 'host-sysctls', 'link-up', 'container-addresses', 'container-routes', 'host-routes', 'result-cache'] as const;
export type AddStep = (typeof ADD_STEPS)[number];

export function faultPoint(step: AddStep, env: NodeJS.ProcessEnv = process.env): void {
  if (env.TORTIE_CNI_TEST_FAULT === step) throw new CniError(CniCode.Internal, `injected test fault at step ${step}`, 'TORTIE_CNI_TEST_FAULT is set (test-only)');
}
