// The CNI spec versions we speak, and what each one allows.
import { CniCode, CniError } from './errors';

export const SUPPORTED_VERSIONS = ['0.3.0', '0.3.1', '0.4.0', '1.0.0', '1.1.0'] as const;
export const LATEST_VERSION = '1.1.0';

/** Numeric comparison of dotted versions: -1, 0, 1. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

export function isSupported(v: string): boolean {
  return (SUPPORTED_VERSIONS as readonly string[]).includes(v);
}

/** Rejects versions we cannot answer in, with the spec's code 1. */
export function requireSupported(v: string): void {
  if (!isSupported(v)) {
    throw new CniError(CniCode.IncompatibleVersion, `incompatible CNI version ${v}`, `supported versions: ${SUPPORTED_VERSIONS.join(', ')}`);
  }
}

/** CHECK appeared in 0.4.0, STATUS and GC in 1.1.0; an older netconf version cannot ask for them. */
export function requireCommandVersion(command: string, v: string): void {
  const min = command === 'CHECK' ? '0.4.0' : command === 'STATUS' || command === 'GC' ? '1.1.0' : '0.1.0';
  if (compareVersions(v, min) < 0) {
    throw new CniError(CniCode.IncompatibleVersion, `configuration version ${v} does not support the ${command} command`, `${command} needs cniVersion ${min} or later`);
  }
}

export function versionInfo(cniVersion: string): { cniVersion: string; supportedVersions: string[] } {
  return { cniVersion, supportedVersions: [...SUPPORTED_VERSIONS] };
}
