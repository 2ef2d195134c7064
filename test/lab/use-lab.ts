import { afterAll, beforeAll } from 'vitest';
import { Lab, type LabOptions } from './lab';

/**
 * vitest glue: creates the lab in beforeAll and cleans it up in afterAll (the exit hooks and the
 * next run's leftover sweep cover crashes). Returns a getter because the lab exists only once
 * beforeAll ran:
 *
 *   const lab = useLab({ prefix: 'xy' });
 *   it('...', async () => { const a = await lab().host('a'); ... });
 */
export function useLab(opts: LabOptions): () => Lab {
  let lab: Lab | undefined;
  beforeAll(async () => {
    lab = await Lab.create(opts);
  });
  afterAll(async () => {
    await lab?.cleanup();
  });
  return () => {
    if (!lab) throw new Error('useLab(): the lab is only available inside tests (after beforeAll)');
    return lab;
  };
}
