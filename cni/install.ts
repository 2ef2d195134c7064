// tortie-install (dist/tortie-install): the DaemonSet's init container. Puts the CNI plugins and their
// configuration on the host, re-runnably; `--uninstall` removes exactly what it installed.
//
// The plugins are Node programs and a host has no Node of its own (or the wrong one), so the running Node
// binary is copied beside them as `tortie-node`, and each plugin name is a tiny /bin/sh wrapper:
//   <bin>/tortie            #!/bin/sh → exec "<its dir>/tortie-node" "<its dir>/tortie.cjs" "$@"
//   <bin>/tortie.cjs        the bundle (dist/tortie), CommonJS whatever package.json is around
//   <bin>/tortie.impl.js    the bundle's implementation when the build splits it (cni/boot.ts)
// The wrapper resolves its own directory, so the same files work at /host/opt/cni/bin in this container
// and at /opt/cni/bin on the host. The bundles keep native and heavy packages external — koffi (netlink,
// the file store's flock: every plugin needs it), etcd3, client-node — so those and their dependency
// trees (install-deps.ts; not the rest of the image's node_modules) are copied to
// <bin>/tortie-lib/node_modules and the wrapper sets NODE_PATH.
//
// Settings: `tortie-install --help` (install-help.ts) lists every flag and environment variable.
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { renderConflist, renderKubeconfig, serverFromEnv } from './install-config';
import { CniTokenKeeper, podNamespace, readPodToken } from './cni-token';
import { startKubeconfigRefresher } from './kubeconfig-refresher';
import { copyPackages, PLUGIN_RUNTIME_PACKAGES, runtimeClosure } from './install-deps';
import { INSTALL_HELP } from './install-help';
import { chainVersion } from './install-portmap';
import { sweepStale } from './install-sweep';
import { atomicCopy, atomicWrite, readManifest, sha256, sha256File, writeManifest, type InstallManifest } from './install-files';

export const PLUGINS = ['tortie', 'tortie-ipam'] as const;
export const MANIFEST_NAME = '.tortie-install-manifest';
export const NODE_NAME = 'tortie-node';
export const LIB_DIR = 'tortie-lib';
/** Marks a directory entry in the manifest (removed whole, not hash-checked). */
const DIR_MARK = 'directory';

export interface InstallOptions {
  readonly sourceDir: string;
  readonly binDir: string;
  readonly netDir: string;
  readonly hostNetDir: string;
  readonly confName: string;
  readonly nodeName: string;
  readonly datastore: string;
  readonly mtu: number;
  /** The plugins' log file on the host (conflist log_file_path); empty = no log. */
  readonly logFile: string;
  readonly kubeconfigPath: string;
  readonly serviceAccountDir: string;
  /** The plugin's own ServiceAccount (deploy/rbac.yaml tortie-cni), in `cniNamespace`. */
  readonly cniServiceAccount: string;
  readonly cniNamespace: string;
  /** Lifetime asked for the plugin's token (TokenRequest expirationSeconds, ≥ 600). */
  readonly cniTokenSeconds: number;
  readonly server?: string;
  readonly nodeRuntime: string;
  readonly nodeModulesDir?: string;
  readonly log: (line: string) => void;
}

export function wrapperScript(plugin: string): string {
  return [
    '#!/bin/sh',
    '# Installed by tortie-install: runs the plugin with the Node runtime shipped beside it.',
    // The plugin's kubeconfig always names the cluster CA; without --use-openssl-ca Node 20 still builds
    // its bundled root store on the first TLS connection (~16 ms CPU per ADD/DEL, bench/cni kubernetes rows).
    '# --use-openssl-ca: the kubeconfig names the cluster CA; skips building Node\'s bundled root store per call.',
    'd=$(dirname "$0")',
    `NODE_PATH="$d/${LIB_DIR}/node_modules\${NODE_PATH:+:$NODE_PATH}" exec "$d/${NODE_NAME}" --use-openssl-ca "$d/${plugin}.cjs" "$@"`,
    '',
  ].join('\n');
}

function datastoreSpec(o: InstallOptions): string {
  if (o.datastore !== 'kubernetes') return o.datastore;
  return `kubernetes:${join(o.hostNetDir, basename(o.kubeconfigPath))}`;
}

/** Replaces <bin>/tortie-lib with a fresh copy unless the source's npm lock stamp is unchanged. */
function installLib(o: InstallOptions, files: Record<string, string>): void {
  const src = o.nodeModulesDir;
  if (!src || !existsSync(src)) throw new Error(`the plugins need node_modules (koffi), not found at ${src}`);
  const lib = join(o.binDir, LIB_DIR);
  const lock = join(src, '.package-lock.json');
  // The selection rule is part of the stamp: a lib copied by an older install-cni (everything) is replaced.
  const stamp = existsSync(lock) ? sha256(`closure-v1 ${PLUGIN_RUNTIME_PACKAGES.join(' ')}\n${sha256File(lock)}`) : undefined;
  const stampFile = join(lib, '.stamp');
  files[lib] = DIR_MARK;
  if (stamp && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) return o.log(`unchanged ${lib}`);
  const packages = runtimeClosure(src);
  const tmp = `${lib}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  copyPackages(src, join(tmp, 'node_modules'), packages);
  if (stamp) atomicWrite(join(tmp, '.stamp'), stamp, 0o644);
  // Two renames: a plugin starting in between finds no lib for a moment and fails with a retryable error;
  // it never loads half of one version and half of another.
  const old = `${lib}.old-${process.pid}`;
  if (existsSync(lib)) renameSync(lib, old);
  renameSync(tmp, lib);
  rmSync(old, { recursive: true, force: true });
  o.log(`installed ${lib} (${packages.length} packages: ${PLUGIN_RUNTIME_PACKAGES.join(', ')} and their dependencies)`);
}

/** Names install-cni writes (and so may find half-done after a killed run). */
function isOurName(o: InstallOptions, name: string): boolean {
  return name.startsWith('tortie') || name === MANIFEST_NAME || name === o.confName || name === basename(o.kubeconfigPath);
}

/** `cniToken`: the token the plugin's kubeconfig carries (cniTokenKeeper); absent = this pod's own. */
export function install(o: InstallOptions, cniToken?: string): InstallManifest {
  mkdirSync(o.binDir, { recursive: true });
  mkdirSync(o.netDir, { recursive: true });
  const manifestPath = join(o.binDir, MANIFEST_NAME);
  const files: Record<string, string> = {};
  const spec = datastoreSpec(o);
  // Every run rewrites the manifest from what it wrote, so files a previous version installed but this one
  // no longer does are cleaned up below.
  const previous = readManifest(manifestPath);
  // Refuse before touching anything when the kubeconfig cannot be written.
  const kubeconfigText = o.datastore === 'kubernetes' ? kubeconfigFor(o, cniToken) : undefined;
  for (const dir of new Set([o.binDir, o.netDir, dirname(o.kubeconfigPath)])) sweepStale(dir, (n) => isOurName(o, n), o.log);

  const copy = (src: string, dst: string, mode: number): void => {
    const r = atomicCopy(src, dst, mode);
    files[dst] = r.hash;
    o.log(`${r.changed ? 'installed' : 'unchanged'} ${dst}`);
  };
  const write = (dst: string, text: string, mode: number): void => {
    atomicWrite(dst, text, mode);
    files[dst] = sha256(text);
    o.log(`wrote ${dst}`);
  };

  copy(o.nodeRuntime, join(o.binDir, NODE_NAME), 0o755);
  installLib(o, files);
  for (const p of PLUGINS) {
    const bundle = join(o.sourceDir, p);
    if (!existsSync(bundle)) throw new Error(`plugin bundle ${bundle} not found (set TORTIE_SOURCE_DIR)`);
    // Implementation first, stub last, wrapper very last: a plugin exec'd meanwhile finds a complete set.
    if (existsSync(`${bundle}.impl.js`)) copy(`${bundle}.impl.js`, join(o.binDir, `${p}.impl.js`), 0o644);
    copy(bundle, join(o.binDir, `${p}.cjs`), 0o644);
    write(join(o.binDir, p), wrapperScript(p), 0o755);
  }
  if (kubeconfigText !== undefined) write(o.kubeconfigPath, kubeconfigText, 0o600);
  const chain = chainVersion(o.binDir);
  if (chain.warning) o.log(`warning: ${chain.warning}`);
  const conflist = renderConflist({ nodeName: o.nodeName, datastore: spec, mtu: o.mtu, logFile: o.logFile, cniVersion: chain.cniVersion });
  write(join(o.netDir, o.confName), conflist, 0o644);

  for (const [path, hash] of Object.entries(previous.files)) if (!(path in files)) removeIfOurs(path, hash, o.log);
  const manifest: InstallManifest = { version: 1, files };
  writeManifest(manifestPath, manifest);
  warnShadowingConfigs(o);
  return manifest;
}

function kubeconfigFor(o: InstallOptions, cniToken?: string): string {
  const pod = readPodToken(o.serviceAccountDir);
  if (!o.server) throw new Error('KUBERNETES_SERVICE_HOST is not set: cannot tell the plugin where the apiserver is');
  return renderKubeconfig({ server: o.server, token: cniToken ?? pod.token, caPem: pod.caPem });
}

/** Gets (and renews) the plugin's tortie-cni token with TokenRequest, as this pod (cni-token.ts). */
export function cniTokenKeeper(o: InstallOptions): CniTokenKeeper {
  if (!o.server) throw new Error('KUBERNETES_SERVICE_HOST is not set: cannot tell the plugin where the apiserver is');
  return new CniTokenKeeper({
    server: o.server,
    serviceAccountDir: o.serviceAccountDir,
    namespace: o.cniNamespace,
    serviceAccount: o.cniServiceAccount,
    expirationSeconds: o.cniTokenSeconds,
    log: o.log,
  });
}

function removeIfOurs(path: string, hash: string, log: (l: string) => void): void {
  if (!existsSync(path)) return;
  if (hash === DIR_MARK) {
    rmSync(path, { recursive: true, force: true });
    return log(`removed ${path}`);
  }
  if (sha256File(path) !== hash) return log(`kept ${path}: changed since tortie-install wrote it`);
  rmSync(path, { force: true });
  log(`removed ${path}`);
}

/** Removes what the manifest lists (files only if unchanged since), then the manifest. */
export function uninstall(o: Pick<InstallOptions, 'binDir' | 'log'>): number {
  const manifestPath = join(o.binDir, MANIFEST_NAME);
  const m = readManifest(manifestPath);
  for (const [path, hash] of Object.entries(m.files)) removeIfOurs(path, hash, o.log);
  rmSync(manifestPath, { force: true });
  // Code caches the plugin stubs write beside their bundles (cni/boot.ts) are ours too.
  if (existsSync(o.binDir)) {
    for (const f of readdirSync(o.binDir)) {
      if (/^tortie(-ipam)?\.(impl\.js|cjs)\.[A-Z]+\.cache$/.test(f)) rmSync(join(o.binDir, f), { force: true });
    }
  }
  return Object.keys(m.files).length;
}

/** The kubelet uses the alphabetically first config in net.d; say so if that is not ours. */
function warnShadowingConfigs(o: InstallOptions): void {
  const confs = readdirSync(o.netDir).filter((f) => /\.(conf|conflist|json)$/.test(f)).sort();
  if (confs[0] !== o.confName) o.log(`warning: ${join(o.netDir, confs[0])} sorts before ${o.confName}; the runtime will use it instead`);
}

/**
 * Rewrites the plugin's kubeconfig when its token (`cniToken`, a renewed tortie-cni token; absent = this
 * pod's own, which the kubelet rotates) or the CA changed. Tokens expire while the kubeconfig on the host
 * keeps a copy: something must follow (Calico had exactly this outage). Returns whether it wrote.
 */
export function refreshKubeconfig(o: InstallOptions, cniToken?: string): boolean {
  const text = kubeconfigFor(o, cniToken);
  if (existsSync(o.kubeconfigPath) && readFileSync(o.kubeconfigPath, 'utf8') === text) return false;
  atomicWrite(o.kubeconfigPath, text, 0o600);
  // Keep the manifest's hash current, or --uninstall would take the refreshed file for someone else's.
  const manifestPath = join(o.binDir, MANIFEST_NAME);
  const m = readManifest(manifestPath);
  if (o.kubeconfigPath in m.files) writeManifest(manifestPath, { version: 1, files: { ...m.files, [o.kubeconfigPath]: sha256(text) } });
  o.log(`refreshed ${o.kubeconfigPath}`);
  return true;
}

export function optionsFromEnv(argv: readonly string[], env: NodeJS.ProcessEnv): InstallOptions & { uninstall: boolean; refreshEverySec?: number } {
  const flags = new Map<string, string>();
  let doUninstall = false;
  for (const a of argv) {
    if (a === '--uninstall') doUninstall = true;
    else if (a === '--refresh-kubeconfig') flags.set('refresh-kubeconfig', '60');
    else if (/^--[a-z-]+=/.test(a)) flags.set(a.slice(2, a.indexOf('=')), a.slice(a.indexOf('=') + 1));
    else throw new Error(`unknown argument ${a} (tortie-install --help lists the options)`);
  }
  const get = (flag: string, name: string, dflt: string): string => flags.get(flag) ?? env[name] ?? dflt;
  const sourceDir = get('source-dir', 'TORTIE_SOURCE_DIR', process.argv[1] ? dirname(realpathSync(process.argv[1])) : process.cwd());
  const netDir = get('net-dir', 'CNI_NET_DIR', '/etc/cni/net.d');
  const mtu = Number(get('mtu', 'CNI_MTU', '0'));
  if (!Number.isInteger(mtu) || mtu < 0 || (mtu > 0 && (mtu < 68 || mtu > 65535))) throw new Error(`CNI_MTU must be 0 or 68–65535, not ${get('mtu', 'CNI_MTU', '0')}`);
  const refresh = flags.get('refresh-kubeconfig');
  if (refresh !== undefined && !(Number(refresh) >= 1)) throw new Error(`--refresh-kubeconfig takes seconds ≥ 1, not ${refresh}`);
  const tokenSeconds = Number(get('cni-token-seconds', 'CNI_TOKEN_SECONDS', '86400'));
  // The apiserver refuses less than 10 minutes.
  if (!Number.isInteger(tokenSeconds) || tokenSeconds < 600) throw new Error(`CNI_TOKEN_SECONDS must be an integer ≥ 600, not ${get('cni-token-seconds', 'CNI_TOKEN_SECONDS', '86400')}`);
  const serviceAccountDir = get('serviceaccount-dir', 'SERVICEACCOUNT_DIR', '/var/run/secrets/kubernetes.io/serviceaccount');
  const logFile = get('log-file', 'CNI_LOG_FILE', '/var/log/tortie/cni.log');
  if (logFile !== '' && !logFile.startsWith('/')) throw new Error(`CNI_LOG_FILE must be an absolute path (the plugins run with any cwd) or empty, not ${logFile}`);
  return {
    uninstall: doUninstall,
    refreshEverySec: refresh === undefined ? undefined : Number(refresh),
    sourceDir,
    binDir: get('bin-dir', 'CNI_BIN_DIR', '/opt/cni/bin'),
    netDir,
    hostNetDir: get('host-net-dir', 'CNI_HOST_NET_DIR', '/etc/cni/net.d'),
    confName: get('conf-name', 'CNI_CONF_NAME', '10-tortie.conflist'),
    nodeName: get('node-name', 'NODE_NAME', hostname().toLowerCase()),
    datastore: get('datastore', 'CNI_DATASTORE', 'file:/var/lib/tortie/ipam'),
    mtu,
    logFile,
    kubeconfigPath: get('kubeconfig', 'CNI_KUBECONFIG', join(netDir, 'tortie-kubeconfig')),
    serviceAccountDir,
    cniServiceAccount: get('cni-serviceaccount', 'CNI_SERVICEACCOUNT', 'tortie-cni'),
    cniNamespace: flags.get('cni-namespace') ?? podNamespace(serviceAccountDir, env),
    cniTokenSeconds: tokenSeconds,
    server: flags.get('server') ?? serverFromEnv(env),
    nodeRuntime: process.execPath,
    nodeModulesDir: get('node-modules', 'TORTIE_NODE_MODULES', join(sourceDir, '..', 'node_modules')),
    log: (line) => process.stdout.write(`tortie-install: ${line}\n`),
  };
}

export async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  // Help wins over everything else on the line and needs no valid settings.
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(INSTALL_HELP);
    return 0;
  }
  try {
    const o = optionsFromEnv(argv, env);
    if (o.uninstall) {
      uninstall(o);
      return 0;
    }
    if (o.refreshEverySec !== undefined) {
      // A sidecar: check now, then every N seconds, until the pod stops it.
      const keeper = cniTokenKeeper(o);
      startKubeconfigRefresher({ everySec: o.refreshEverySec, token: () => keeper.token(), write: (t) => refreshKubeconfig(o, t), log: o.log });
      process.once('SIGTERM', () => process.exit(0));
      return 0;
    }
    // The plugin's own token first: nothing is installed when it cannot be had (the init container retries).
    install(o, o.datastore === 'kubernetes' ? (await cniTokenKeeper(o).token()).token : undefined);
    return 0;
  } catch (err) {
    process.stderr.write(`tortie-install: ${(err as Error).message}\n`);
    return 1;
  }
}
