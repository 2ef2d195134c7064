import { defineConfig } from 'vitest/config';

// One suite: unit tests (pure, fast) and lab tests (root, network namespaces, real daemons).
// Lab tests isolate themselves with a unique namespace/link prefix per run, so files may run in parallel;
// the machine has 2 cores, so we cap workers at 2.
export default defineConfig({
  test: {
    include: ['{bgpd,dataplane,ipam,cni,config,test,bench}/**/*.test.ts'],
    exclude: ['node_modules/**', 'dist/**'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
