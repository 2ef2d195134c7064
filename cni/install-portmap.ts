// The conflist chains `portmap` after tortie, and a conflist has one cniVersion for every plugin in it:
// a portmap that does not speak that version fails every pod's ADD ("incompatible CNI versions").
// tortie wants 1.1.0 (a runtime sends STATUS and GC only to 1.1.0 lists), but portmap is the host's
// (tortie does not ship one: Debian bookworm's is 1.1.1 and stops at 1.0.0), so ask it first.
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';

export const PREFERRED_CNI_VERSION = '1.1.0';
/** Spoken by every portmap since containernetworking/plugins 1.0 (2021) and by tortie. */
export const FALLBACK_CNI_VERSION = '1.0.0';

export interface ChainVersion {
  readonly cniVersion: string;
  /** Why the version is not the preferred one, or what is missing; undefined when all is well. */
  readonly warning?: string;
}

/** Picks the conflist's cniVersion from the VERSION answer of `<binDir>/portmap`. */
export function chainVersion(binDir: string): ChainVersion {
  const portmap = join(binDir, 'portmap');
  try {
    accessSync(portmap, constants.X_OK);
  } catch {
    return {
      cniVersion: PREFERRED_CNI_VERSION,
      warning: `no executable portmap in ${binDir}: every pod ADD fails until one is installed there (the conflist chains it for hostPort)`,
    };
  }
  const r = spawnSync(portmap, [], {
    input: JSON.stringify({ cniVersion: PREFERRED_CNI_VERSION }),
    env: { CNI_COMMAND: 'VERSION', PATH: '/usr/sbin:/usr/bin:/sbin:/bin' },
    encoding: 'utf8',
    timeout: 10_000,
  });
  let supported: unknown;
  try {
    supported = (JSON.parse(r.stdout) as { supportedVersions?: unknown }).supportedVersions;
  } catch {
    supported = undefined;
  }
  if (r.status !== 0 || !Array.isArray(supported)) {
    const why = r.error ? r.error.message : `exit ${r.status}: ${(r.stderr || r.stdout).trim().slice(0, 200)}`;
    return { cniVersion: FALLBACK_CNI_VERSION, warning: `could not ask ${portmap} for its versions (${why}): conflist written as ${FALLBACK_CNI_VERSION}` };
  }
  if (supported.includes(PREFERRED_CNI_VERSION)) return { cniVersion: PREFERRED_CNI_VERSION };
  return {
    cniVersion: FALLBACK_CNI_VERSION,
    warning: `${portmap} speaks up to ${String(supported[supported.length - 1])}, not ${PREFERRED_CNI_VERSION}: conflist written as ${FALLBACK_CNI_VERSION}, so the runtime sends tortie no STATUS or GC (a newer portmap fixes that on the next install)`,
  };
}
