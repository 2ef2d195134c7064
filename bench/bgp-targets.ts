// The daemons under test in the pass-through benchmark, each configured the way bgp.md §2.5 says is
// fair: no FIB writes, no MRAI / coalescing delay, import and export everything, logs kept small,
// and both sessions passive (our generator and monitor connect in). Not the test/lab launchers:
// those enable debug logging and zebra, which would be measured too.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import type { LabHost, LabProcess } from '../test/lab';
import { waitFor } from '../test/lab';

export type TargetKind = 'bird' | 'frr' | 'openbgpd' | 'gobgp' | 'tortie';
export const TARGET_KINDS: readonly TargetKind[] = ['bird', 'frr', 'openbgpd', 'gobgp', 'tortie'];

/** Addresses and ASes of the three-namespace topology (RFC 2544 benchmarking block). */
export const TOPOLOGY = {
  target: { as: 65000, toGen: '198.18.1.1', toMon: '198.18.2.1' },
  gen: { as: 65001, address: '198.18.1.2', routerId: '198.18.1.2' },
  mon: { as: 65002, address: '198.18.2.2', routerId: '198.18.2.2' },
} as const;

export interface TargetPeer {
  readonly address: string;
  /** Equal to TOPOLOGY.target.as = iBGP (cluster shapes). */
  readonly as: number;
  readonly name: string;
  /** iBGP only: the target reflects routes to this peer. */
  readonly rrClient?: boolean;
}

export interface RunningTarget {
  readonly kind: TargetKind;
  /** Root of the daemon's process tree (the pid `ip netns exec` exec'd into). */
  readonly process: LabProcess;
  readonly dir: string;
  stop(): Promise<void>;
}

export interface TargetLauncher {
  readonly kind: TargetKind;
  /** Human label with the version, e.g. "BIRD 2.0.12". */
  version(): string;
  /** undefined when it can run here, else why not (shown as "not available: <why>"). */
  unavailable(): string | undefined;
  start(host: LabHost, peers: readonly TargetPeer[]): Promise<RunningTarget>;
}

const HOLD = 240;
const T = TOPOLOGY.target;

function firstLine(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 5000 });
  return `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n')[0] ?? '';
}

function onPath(bin: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status === 0;
}

function localFor(peer: TargetPeer): string {
  return peer.address.startsWith('198.18.1.') ? T.toGen : T.toMon;
}

/** Waits a little so a daemon that dies on its config is reported with its log, not as a session timeout. */
async function started(proc: LabProcess, what: string, ready: () => boolean | Promise<boolean>): Promise<void> {
  await waitFor(async () => {
    if (!proc.running) throw new Error(`${what} exited: ${proc.logs().slice(-1500)}`);
    return ready();
  }, { what, timeoutMs: 15_000, intervalMs: 50 }).catch((err: Error) => {
    throw new Error(`${err.message}\n--- log:\n${proc.logs().slice(-1500)}`);
  });
}

/** True once something listens on TCP port 179 inside the host's namespace. */
async function listening(host: LabHost): Promise<boolean> {
  const r = await host.exec('ss', ['-Hltn', 'sport = :179'], { allowFailure: true });
  return r.stdout.trim().length > 0;
}

export const bird: TargetLauncher = {
  kind: 'bird',
  version: () => firstLine('bird', ['--version']).replace(/^BIRD version /, 'BIRD '),
  unavailable: () => (onPath('bird') ? undefined : 'bird not installed'),
  async start(host, peers) {
    const dir = host.dir('bird');
    const conf = [
      `router id ${T.toGen};`,
      'log stderr { warning, error, fatal, bug };',
      'protocol device { scan time 10; }',
      ...peers.flatMap((p) => [
        `protocol bgp ${p.name} {`,
        `  local ${localFor(p)} as ${T.as};`,
        `  neighbor ${p.address} as ${p.as};`,
        `  passive on; hold time ${HOLD};`,
        // iBGP peers share our segment: resolve their next hops directly (no IGP here)
        ...(p.as === T.as ? ['  direct;'] : []),
        ...(p.rrClient ? ['  rr client;'] : []),
        '  ipv4 { import all; export all; };',
        '}',
      ]),
    ].join('\n');
    fs.writeFileSync(path.join(dir, 'bird.conf'), conf + '\n');
    const proc = host.spawn('bird', 'bird', ['-f', '-c', path.join(dir, 'bird.conf'), '-s', path.join(dir, 'bird.ctl'), '-P', path.join(dir, 'bird.pid')]);
    await started(proc, `BIRD in ${host.netns} to listen`, () => listening(host));
    return { kind: 'bird', process: proc, dir, stop: async () => void (await proc.stop()) };
  },
};

export const frr: TargetLauncher = {
  kind: 'frr',
  version: () => `FRR ${firstLine('/usr/lib/frr/bgpd', ['--version']).replace(/^bgpd version /, '')}`,
  unavailable: () => (fs.existsSync('/usr/lib/frr/bgpd') ? undefined : '/usr/lib/frr/bgpd not installed'),
  async start(host, peers) {
    const dir = host.dir('frr');
    const conf = [
      'frr defaults traditional',
      `hostname ${host.netns}`,
      'log stdout warnings',
      `router bgp ${T.as}`,
      ` bgp router-id ${T.toGen}`,
      ' no bgp ebgp-requires-policy',
      ' no bgp default ipv4-unicast',
      // FRR waits 1 s (coalesce) before the first UPDATE to a new update group; MRAI is 0 below
      ' coalesce-time 0',
      ...peers.flatMap((p) => [
        ` neighbor ${p.address} remote-as ${p.as}`,
        ` neighbor ${p.address} passive`,
        ` neighbor ${p.address} timers ${HOLD / 3} ${HOLD}`,
        ` neighbor ${p.address} advertisement-interval 0`,
      ]),
      ' address-family ipv4 unicast',
      ...peers.flatMap((p) => [`  neighbor ${p.address} activate`, ...(p.rrClient ? [`  neighbor ${p.address} route-reflector-client`] : [])]),
      ' exit-address-family',
      'exit',
    ].join('\n');
    fs.writeFileSync(path.join(dir, 'bgpd.conf'), conf + '\n');
    // -Z: no zebra (so no FIB), -S: stay root (no chown dance), private vty socket and pid file
    const proc = host.spawn('bgpd', '/usr/lib/frr/bgpd', [
      '-Z', '-S', '-n', '-f', path.join(dir, 'bgpd.conf'), '--vty_socket', dir, '-i', path.join(dir, 'bgpd.pid'), '--log', 'stdout',
    ]);
    await started(proc, `FRR bgpd in ${host.netns} to listen`, () => listening(host));
    return { kind: 'frr', process: proc, dir, stop: async () => void (await proc.stop()) };
  },
};

export const openbgpd: TargetLauncher = {
  kind: 'openbgpd',
  version: () => firstLine('/usr/sbin/bgpd', ['-V']),
  unavailable: () => (fs.existsSync('/usr/sbin/bgpd') ? undefined : '/usr/sbin/bgpd (OpenBGPD) not installed'),
  async start(host, peers) {
    const dir = host.dir('openbgpd');
    // the privilege-separated children chroot here; Debian's package does not create it without systemd
    fs.mkdirSync('/run/openbgpd', { recursive: true });
    const conf = [
      `AS ${T.as}`,
      `router-id ${T.toGen}`,
      `listen on ${T.toGen}`,
      `listen on ${T.toMon}`,
      `socket "${path.join(dir, 'bgpd.sock')}"`,
      'fib-update no',
      ...peers.flatMap((p) => [`neighbor ${p.address} {`, `  remote-as ${p.as}`, '  passive', `  holdtime ${HOLD}`, `  local-address ${localFor(p)}`, ...(p.rrClient ? ['  route-reflector'] : []), '}']),
      'allow from any',
      'allow to any',
    ].join('\n');
    fs.writeFileSync(path.join(dir, 'bgpd.conf'), conf + '\n');
    const proc = host.spawn('bgpd', '/usr/sbin/bgpd', ['-d', '-f', path.join(dir, 'bgpd.conf')]);
    await started(proc, `OpenBGPD in ${host.netns} to listen`, () => listening(host));
    return { kind: 'openbgpd', process: proc, dir, stop: async () => void (await proc.stop()) };
  },
};

export const gobgp: TargetLauncher = {
  kind: 'gobgp',
  version: () => `GoBGP ${firstLine('gobgpd', ['--version']).replace(/^gobgpd version /, '')}`,
  unavailable: () => (onPath('gobgpd') ? undefined : 'gobgpd not installed'),
  async start(host, peers) {
    const dir = host.dir('gobgp');
    const q = JSON.stringify;
    const conf = [
      '[global.config]',
      `  as = ${T.as}`,
      `  router-id = ${q(T.toGen)}`,
      '  port = 179',
      `  local-address-list = [${q(T.toGen)}, ${q(T.toMon)}]`,
      '[global.apply-policy.config]',
      '  default-import-policy = "accept-route"',
      '  default-export-policy = "accept-route"',
      ...peers.flatMap((p) => [
        '[[neighbors]]',
        '  [neighbors.config]',
        `    neighbor-address = ${q(p.address)}`,
        `    peer-as = ${p.as}`,
        '  [neighbors.timers.config]',
        `    hold-time = ${HOLD}`,
        `    keepalive-interval = ${HOLD / 3}`,
        '  [neighbors.transport.config]',
        `    local-address = ${q(localFor(p))}`,
        '    passive-mode = true',
        ...(p.rrClient ? ['  [neighbors.route-reflector.config]', '    route-reflector-client = true', `    route-reflector-cluster-id = ${q(T.toGen)}`] : []),
        '  [[neighbors.afi-safis]]',
        '    [neighbors.afi-safis.config]',
        '      afi-safi-name = "ipv4-unicast"',
      ]),
    ].join('\n');
    fs.writeFileSync(path.join(dir, 'gobgpd.toml'), conf + '\n');
    const proc = host.spawn('gobgpd', 'gobgpd', ['-f', path.join(dir, 'gobgpd.toml'), '-p', '-l', 'warn', '--api-hosts', '127.0.0.1:50051', '--pprof-disable']);
    await started(proc, `gobgpd in ${host.netns} to listen`, () => listening(host));
    return { kind: 'gobgp', process: proc, dir, stop: async () => void (await proc.stop()) };
  },
};

const TORTIE_BGPD = path.resolve(import.meta.dirname ?? path.dirname(new URL(import.meta.url).pathname), '..', 'dist', 'bgpd');

/** tortie's bgpd config for the target role: eBGP to both peers, passive, export everything. */
export function tortieTargetConfig(dir: string, peers: readonly TargetPeer[]): string {
  return [
    'nodeName: bench-target',
    `routerId: ${T.toGen}`,
    `asNumber: ${T.as}`,
    `nodeAddress: ${T.toGen}`,
    'nodeToNodeMesh: false',
    `datastore: { type: file, path: ${path.join(dir, 'state')} }`,
    `control: { socket: ${path.join(dir, 'bgpd.sock')} }`,
    'health: { enabled: false }',
    // like-for-like with the anchors (BIRD without kernel protocol, FRR -Z, OpenBGPD fib-update no)
    'kernelRoutes: { enabled: false }',
    'gracefulRestart: { enabled: false }',
    'log: { level: warn }',
    // cluster shapes: the target reflects for its rr-client peers
    ...(peers.some((p) => p.rrClient) ? [`routeReflector: { clusterId: ${T.toGen} }`] : []),
    'peers:',
    ...peers.map((p) => `  - { name: ${p.name}, address: ${p.address}, asNumber: ${p.as}, localAddress: ${localFor(p)}, passive: true, holdTime: ${HOLD}, `
      + `${p.rrClient ? 'routeReflectorClient: true, ' : ''}importPolicy: all, exportPolicy: all }`),
    'policies:',
    '  - { name: all, defaultAction: accept }',
  ].join('\n') + '\n';
}

let tortieProbe: string | undefined | null = null;

/**
 * Whether dist/bgpd can run a session: it must accept the target config and keep running. Today
 * main.ts exits 3 ("runtime not wired yet") after validating; once the runtime lands this turns on.
 */
function probeTortie(): string | undefined {
  if (tortieProbe !== null) return tortieProbe;
  if (!fs.existsSync(TORTIE_BGPD)) return (tortieProbe = `${TORTIE_BGPD} missing (run npm run build)`);
  const dir = fs.mkdtempSync('/tmp/tortie-bench-probe-');
  try {
    const conf = path.join(dir, 'bgpd.yaml');
    fs.writeFileSync(conf, tortieTargetConfig(dir, [{ name: 'gen', address: TOPOLOGY.gen.address, as: TOPOLOGY.gen.as }]));
    const check = spawnSync('node', [TORTIE_BGPD, '--config', conf, '--check'], { encoding: 'utf8', timeout: 10_000 });
    if (check.status !== 0) return (tortieProbe = `dist/bgpd rejects the target config: ${(check.stderr || check.stdout).trim().split('\n')[0]}`);
    // A runtime that works keeps running: give it 2 s, then stop it. Inside a throwaway namespace,
    // so a working daemon's listener never appears in the root namespace.
    const ns = `tbnprobe-${process.pid}`;
    spawnSync('ip', ['netns', 'add', ns], { stdio: 'ignore' });
    let r;
    try {
      r = spawnSync('ip', ['netns', 'exec', ns, 'node', TORTIE_BGPD, '--config', conf], { encoding: 'utf8', timeout: 2000, killSignal: 'SIGKILL' });
    } finally {
      spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
    }
    if (r.error === undefined && r.status !== null) {
      return (tortieProbe = `dist/bgpd exited ${r.status} at once: ${(r.stderr || r.stdout).trim().split('\n').pop() ?? ''}`);
    }
    return (tortieProbe = undefined);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export const tortie: TargetLauncher = {
  kind: 'tortie',
  version: () => `tortie bgpd ${firstLine('node', [TORTIE_BGPD, '--version']).replace(/^bgpd \(tortie\) /, '')}`,
  unavailable: probeTortie,
  async start(host, peers) {
    const dir = host.dir('tortie');
    const conf = path.join(dir, 'bgpd.yaml');
    fs.writeFileSync(conf, tortieTargetConfig(dir, peers));
    // TORTIE_BENCH_NODE_FLAGS: extra node flags for profiling, e.g. "--cpu-prof --cpu-prof-dir=/tmp/p"
    const extra = (process.env.TORTIE_BENCH_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean);
    const proc = host.spawn('bgpd', 'node', [...extra, TORTIE_BGPD, '--config', conf]);
    await started(proc, `tortie bgpd in ${host.netns} to listen`, () => listening(host));
    return { kind: 'tortie', process: proc, dir, stop: async () => void (await proc.stop()) };
  },
};

export const LAUNCHERS: Readonly<Record<TargetKind, TargetLauncher>> = { bird, frr, openbgpd, gobgp, tortie };
