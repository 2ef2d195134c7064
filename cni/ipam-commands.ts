// tortie-ipam's command table: the IPAM plugin protocol around ipam-plugin.ts.
import { CniCode, CniError } from './errors';
import { ipamAdd, ipamCheck, ipamDel, ipamGc, ipamStatus } from './ipam-plugin';
import type { Handlers } from './run';

export const ipamHandlers: Handlers = {
  ADD: async (conf, env, _stdin, log) => (await ipamAdd(conf, env, log)).result,
  DEL: async (conf, env, _stdin, log) => {
    await ipamDel(conf, env, log);
  },
  CHECK: async (conf, env) => {
    if (!conf.prevResult) throw new CniError(CniCode.InvalidNetconf, 'CHECK needs prevResult');
    const ips = (conf.prevResult.ips ?? []).map((i) => i.address.split('/')[0]);
    const problems = await ipamCheck(conf, env, ips);
    if (problems.length) throw new CniError(CniCode.CheckFailed, `CHECK found ${problems.length} problem(s): ${problems[0]}`, problems.join('; '));
  },
  STATUS: async (conf) => ipamStatus(conf),
  GC: async (conf, _env, _stdin, log) => {
    await ipamGc(conf, log);
  },
};
