// What the e2e cluster needs inside user-mode-linux beyond guest-init.sh (which mounts proc, sys, a tmpfs
// /run and loads ipip + veth): the root is the host's / read-only over hostfs, so the lab's temp dir
// (TMPDIR → /run/tmp, on guest-init's /run tmpfs) and FRR's dirs (/var/tmp, /etc/frr/<netns>) must be
// writable inside the guest only — the host never sees them — and the bridge (the underlay) and IPv6 (the
// lab sets IPv6 sysctls; bridge depends on it) are modules in Debian's UML kernel. /tmp itself is NOT
// covered by a tmpfs: the repository may be checked out under it (CI clones can live in /tmp), and
// hiding it would hide dist/bgpd and the working directory of every process the lab spawns.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/** Module files under the UML package's kernel/ dir, dependencies first (see its modules.dep). */
export const GUEST_MODULES = ['lib/crc-ccitt.ko', 'net/ipv6/ipv6.ko', 'net/llc/llc.ko', 'net/802/stp.ko', 'net/bridge/bridge.ko'];
// /var/tmp: FRR's crash-log dir (it logs a mkdir failure there on every start otherwise); FRR runs as
// user frr, hence the sticky world-writable temp dirs
export const GUEST_TMPFS: readonly (readonly [dir: string, mode: string])[] = [['/var/tmp', '1777'], ['/etc/frr', '0755']];
export const GUEST_TMPDIR = '/run/tmp';

function must(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} → ${r.status}: ${r.stderr}`);
}

/** Throws (with the failing command) when the guest cannot host the cluster. */
export function prepareGuest(modulesDir = process.env.TPG_MODULES): void {
  if (!modulesDir) throw new Error('TPG_MODULES is not set: not running under uml.ts guest-init.sh?');
  for (const [dir, mode] of GUEST_TMPFS) must('mount', ['-t', 'tmpfs', '-o', `mode=${mode}`, 'tmpfs', dir]);
  must('mkdir', ['-p', '-m', '1777', GUEST_TMPDIR]);
  process.env.TMPDIR = GUEST_TMPDIR; // os.tmpdir() and every child process follow it
  for (const m of GUEST_MODULES) must('busybox', ['insmod', join(modulesDir, m)]);
}
