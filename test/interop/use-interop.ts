// vitest glue for the interop suites: each describe block gets its own lab with hosts "t" (tortie's
// test speaker) and "b" (the daemon), set up in beforeAll and cleaned up in afterAll even when the
// setup itself failed half way.
import { afterAll, beforeAll } from 'vitest';
import { Lab } from '../lab/lab';
import type { LabHost } from '../lab/lab-host';
import { twoHosts } from './fixtures';

export interface InteropHosts {
  lab: Lab;
  t: LabHost;
  b: LabHost;
}

export interface InteropOptions {
  /** beforeAll timeout; the hook default (60 s) unless a setup starts slow daemons. */
  setupTimeoutMs?: number;
  /** Runs before the lab is torn down (e.g. SIGCONT a stopped daemon so it can be killed). */
  beforeCleanup?: () => void;
}

/** `setup` starts the daemon and the speaker in whatever order the scenario needs. */
export function useInterop(setup: (hosts: InteropHosts) => Promise<void>, opts: InteropOptions = {}): void {
  let lab: Lab | undefined;
  beforeAll(async () => {
    lab = await Lab.create({ prefix: 'tbs' });
    const { t, b } = await twoHosts(lab);
    await setup({ lab, t, b });
  }, opts.setupTimeoutMs);
  afterAll(async () => {
    opts.beforeCleanup?.();
    await lab?.cleanup();
  });
}
