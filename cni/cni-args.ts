// CNI_ARGS: "K=V;K2=V2". Keys we do not know are an error unless IgnoreUnknown is set (spec §CNI_ARGS,
// and what the reference plugins do), so a typo in a runtime's args is not silently dropped.
import { CniCode, CniError } from './errors';

export const KNOWN_ARGS = ['IgnoreUnknown', 'K8S_POD_NAMESPACE', 'K8S_POD_NAME', 'K8S_POD_INFRA_CONTAINER_ID', 'K8S_POD_UID', 'IP'] as const;

export function parseCniArgs(text: string | undefined): Map<string, string> {
  const args = new Map<string, string>();
  if (!text) return args;
  for (const pair of text.split(';')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new CniError(CniCode.InvalidEnvironment, `CNI_ARGS: invalid pair ${JSON.stringify(pair)}`, 'expected KEY=VALUE pairs separated by ;');
    args.set(pair.slice(0, eq), pair.slice(eq + 1));
  }
  const ignore = (args.get('IgnoreUnknown') ?? '').toLowerCase();
  if (ignore !== '1' && ignore !== 'true') {
    const unknown = [...args.keys()].filter((k) => !(KNOWN_ARGS as readonly string[]).includes(k));
    if (unknown.length) throw new CniError(CniCode.InvalidEnvironment, `CNI_ARGS: unknown args ${unknown.join(', ')}`, 'set IgnoreUnknown=1 to ignore them');
  }
  return args;
}
