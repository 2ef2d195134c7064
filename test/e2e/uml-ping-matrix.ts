// The cluster's pod-to-pod ping matrix with one shell per source pod instead of one `ip netns exec` per
// pair: inside user-mode-linux every process start costs tens of ms on one virtual CPU, and the per-pair
// version (Cluster.pingMatrix) took 5–12 s of the test's 90 s there. Same semantics: one echo per
// pair, one retry, "a(ip) → b(ip)" for each failure.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface PingPod {
  name: string;
  ip: string;
  host: { netns: string };
}

/** Shell loop that prints "ok <ip>" or "fail <ip>" per target (busybox ping: this host has no ping). */
export function pingScript(targets: readonly string[], timeoutS = 2): string {
  const one = (t: string): string => `busybox ping -c 1 -W ${timeoutS} ${t} >/dev/null 2>&1`;
  return targets.map((t) => `if ${one(t)} || ${one(t)}; then echo "ok ${t}"; else echo "fail ${t}"; fi`).join('\n');
}

/** Targets the script output reports as reachable; a target missing from the output counts as failed. */
export function reachedTargets(output: string): Set<string> {
  return new Set(output.split('\n').map((l) => /^ok (\S+)$/.exec(l.trim())?.[1]).filter((x): x is string => x !== undefined));
}

export async function pingMatrixBatched(pods: readonly PingPod[]): Promise<{ ok: number; failed: string[] }> {
  let ok = 0;
  const failed: string[] = [];
  await Promise.all(pods.map(async (a) => {
    const others = pods.filter((b) => b !== a);
    const r = await run('ip', ['netns', 'exec', a.host.netns, 'sh', '-c', pingScript(others.map((b) => b.ip))], { timeout: 60_000 })
      .catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? '' }));
    const reached = reachedTargets(r.stdout);
    for (const b of others) {
      if (reached.has(b.ip)) ok++;
      else failed.push(`${a.name}(${a.ip}) → ${b.name}(${b.ip})`);
    }
  }));
  return { ok, failed: failed.sort() };
}
