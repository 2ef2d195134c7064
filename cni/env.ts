// The CNI_* environment the runtime sets, validated per command as the spec requires.
import { parseCniArgs } from './cni-args';
import { CniCode, CniError } from './errors';

export type CniCommand = 'ADD' | 'DEL' | 'CHECK' | 'STATUS' | 'GC' | 'VERSION';
const COMMANDS: readonly string[] = ['ADD', 'DEL', 'CHECK', 'STATUS', 'GC', 'VERSION'];

export interface CniEnv {
  command: CniCommand;
  containerId: string;
  /** netns path; may be empty on DEL */
  netns: string;
  ifname: string;
  args: Map<string, string>;
  /** CNI_PATH split on ':' */
  path: string[];
}

// Spec: alphanumeric first, then alphanumerics, '_', '.', '-'.
const CONTAINER_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
// Linux IFNAMSIZ-1, and no '/', ':' or whitespace.
const IFNAME = /^[^/:\s]{1,15}$/;

export function readEnv(env: NodeJS.ProcessEnv): CniEnv {
  const command = env.CNI_COMMAND ?? '';
  if (!COMMANDS.includes(command)) {
    throw new CniError(CniCode.InvalidEnvironment, command ? `unknown CNI_COMMAND ${command}` : 'CNI_COMMAND is not set', `one of ${COMMANDS.join(', ')}`);
  }
  const out: CniEnv = {
    command: command as CniCommand,
    containerId: env.CNI_CONTAINERID ?? '',
    netns: env.CNI_NETNS ?? '',
    ifname: env.CNI_IFNAME ?? '',
    args: new Map(),
    path: (env.CNI_PATH ?? '').split(':').filter((p) => p !== ''),
  };
  if (command === 'VERSION' || command === 'STATUS' || command === 'GC') return out;
  const missing: string[] = [];
  if (!out.containerId) missing.push('CNI_CONTAINERID');
  if (!out.ifname) missing.push('CNI_IFNAME');
  if (!out.netns && command !== 'DEL') missing.push('CNI_NETNS');
  if (out.path.length === 0 && command !== 'DEL') missing.push('CNI_PATH');
  if (missing.length) throw new CniError(CniCode.InvalidEnvironment, `required environment variables missing: ${missing.join(', ')}`);
  if (!CONTAINER_ID.test(out.containerId)) throw new CniError(CniCode.InvalidEnvironment, `invalid CNI_CONTAINERID ${JSON.stringify(out.containerId)}`, 'alphanumeric first, then alphanumerics, _ . -');
  if (!IFNAME.test(out.ifname) || out.ifname === '.' || out.ifname === '..') throw new CniError(CniCode.InvalidEnvironment, `invalid CNI_IFNAME ${JSON.stringify(out.ifname)}`, '1–15 characters, no / : or spaces');
  out.args = parseCniArgs(env.CNI_ARGS);
  return out;
}
