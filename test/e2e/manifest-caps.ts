// The capabilities deploy/daemonset.yaml grants the bgpd container, as a setpriv(1) prefix: e2e nodes
// run bgpd with exactly those (bounding set, so even uid 0 gets no others), which proves the manifest's
// list is enough for everything the tests exercise (links, routes, sysctls, FDB, TCP-MD5, port 179).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ROOT } from './node';

interface Container { name: string; securityContext?: { capabilities?: { add?: string[]; drop?: string[] } } }

export function bgpdCapabilities(): string[] {
  const docs = parseAllDocuments(readFileSync(join(ROOT, 'deploy/daemonset.yaml'), 'utf8')).map((d) => d.toJS() as { kind?: string; spec?: { template?: { spec?: { containers?: Container[] } } } });
  const ds = docs.find((d) => d.kind === 'DaemonSet');
  const c = ds?.spec?.template?.spec?.containers?.find((x) => x.name === 'bgpd');
  const caps = c?.securityContext?.capabilities;
  if (!caps?.add || !caps.drop?.includes('ALL')) throw new Error('deploy/daemonset.yaml: the bgpd container does not drop ALL and add a list');
  return caps.add;
}

/** `setpriv` arguments that run a command with only `caps` (e.g. NET_ADMIN) in its bounding set. */
export function setprivPrefix(caps: readonly string[]): string[] {
  const list = ['-all', ...caps.map((c) => `+${c.toLowerCase()}`)].join(',');
  return ['--bounding-set', list, '--inh-caps', '-all', '--'];
}
