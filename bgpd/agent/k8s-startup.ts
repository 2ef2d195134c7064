// With the Kubernetes datastore, what bgpd must know before its speaker exists: its own AS (Node annotation
// > BGPConfiguration > config file, k8s-local-as.ts) and the port to listen on (node.<name> > default >
// config file). A DaemonSet shares one ConfigMap between all nodes, so these live in the cluster. Three
// GETs (own Node, BGPConfiguration default and node.<name>); 404 = not there. Any other failure is retried
// with backoff for a bounded time, then rejects: bgpd must not come up with an AS the cluster does not
// expect. Load lazily (`await import`), as k8s-source.ts: client-node is loaded in kubernetes mode only.
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import { loadKubeConfig } from './k8s-client';
import type { ConfigFileField } from '../../config/types';
import type { Logger } from '../session/peer-config';
import { silentLogger } from '../session/peer-config';
import { resolveBgpConfig } from './k8s-bgpconfig';
import type { FileBgpSettings } from './k8s-bgpconfig';
import { annotationAs, localAsFor } from './k8s-local-as';
import type { LocalAsSource } from './k8s-local-as';
import { AS_ANNOTATION } from './k8s-peers';
import type { CrdObject, NodeObject } from './k8s-peers';

export interface StartupReadOptions {
  /** A loaded KubeConfig, or a kubeconfig path; omitted = in-cluster / $KUBECONFIG / ~/.kube/config. */
  kubeConfig?: KubeConfig | string;
  nodeName: string;
  /** The config file's values. */
  file: FileBgpSettings;
  configFileWins?: readonly ConfigFileField[];
  logger?: Logger;
  /** Give up after this long. Default 30 s (the DaemonSet then restarts bgpd with its own backoff). */
  timeoutMs?: number;
  /** First retry delay; doubles up to 4 s. Default 250 ms. */
  retryMs?: number;
}

export interface StartupSettings {
  asNumber: number;
  asFrom: LocalAsSource;
  listenPort: number;
  listenPortFrom: 'BGPConfiguration' | 'config file';
}

const GROUP = 'tortie.dev';
const VERSION = 'v1';

const codeOf = (err: unknown): unknown => (err as { code?: unknown } | undefined)?.code ?? (err as { statusCode?: unknown } | undefined)?.statusCode;

/** The object, or undefined on 404 (object, or the CRD itself, not there). */
async function getOrAbsent<T>(get: () => Promise<T>): Promise<T | undefined> {
  try {
    return await get();
  } catch (err) {
    if (codeOf(err) === 404) return undefined;
    throw err;
  }
}

class AttemptTimeout extends Error {}

// An HTTP status or a network error (ECONNREFUSED, …) can go away; an error without a code comes from
// the client refusing the kubeconfig itself (e.g. plain http without insecure-skip-tls-verify): retrying
// cannot help, fail at once
const transient = (err: unknown): boolean => err instanceof AttemptTimeout || codeOf(err) !== undefined;

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new AttemptTimeout(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/** Pure: the objects read → the settings (exported for tests). */
export function startupSettingsFrom(node: NodeObject | undefined, configs: readonly CrdObject[], nodeName: string, file: FileBgpSettings, fileWins: readonly ConfigFileField[] = []): StartupSettings {
  const { config } = resolveBgpConfig(configs, file, nodeName, fileWins);
  const as = localAsFor(node, config.asNumber, file.asNumber, fileWins);
  return {
    asNumber: as.asNumber,
    asFrom: as.from,
    listenPort: config.listenPort,
    listenPortFrom: config.listenPort !== file.listenPort ? 'BGPConfiguration' : 'config file',
  };
}

/** Reads the cluster once; rejects after `timeoutMs` of failed attempts, with the last error. */
export async function readStartupSettings(opts: StartupReadOptions): Promise<StartupSettings> {
  const log = opts.logger ?? silentLogger;
  const kc = loadKubeConfig(opts.kubeConfig);
  const core = kc.makeApiClient(CoreV1Api);
  const co = kc.makeApiClient(CustomObjectsApi);
  const cfg = (name: string): Promise<CrdObject | undefined> =>
    getOrAbsent(() => co.getClusterCustomObject({ group: GROUP, version: VERSION, plural: 'bgpconfigurations', name }) as Promise<CrdObject>);
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  let delay = opts.retryMs ?? 250;
  for (let attempt = 1; ; attempt++) {
    try {
      // one attempt may not outlive the deadline (a black-holed apiserver never answers)
      const left = Math.max(1, deadline - Date.now());
      const [node, def, mine] = await withTimeout(
        Promise.all([getOrAbsent(() => core.readNode({ name: opts.nodeName }) as Promise<NodeObject>), cfg('default'), cfg(`node.${opts.nodeName}`)]),
        left,
      );
      if (!node) log.warn({ node: opts.nodeName }, `Node ${opts.nodeName} not found: no ${AS_ANNOTATION} annotation to read at start`);
      const bad = annotationAs(node).problem;
      if (bad) log.warn({ node: opts.nodeName }, `Node ${opts.nodeName} ${bad}`);
      const s = startupSettingsFrom(node, [def, mine].filter((o): o is CrdObject => o !== undefined), opts.nodeName, opts.file, opts.configFileWins);
      log.info({ as: s.asNumber, asFrom: s.asFrom, listenPort: s.listenPort, listenPortFrom: s.listenPortFrom, attempts: attempt }, 'AS and listen port read from the cluster at start');
      return s;
    } catch (err) {
      const msg = (err as Error).message ?? String(err);
      if (!transient(err)) throw new Error(`cannot read Node ${opts.nodeName} and BGPConfigurations default/node.${opts.nodeName} from the Kubernetes API: ${msg}`);
      if (Date.now() + delay >= deadline) {
        throw new Error(`cannot read Node ${opts.nodeName} and BGPConfigurations default/node.${opts.nodeName} from the Kubernetes API after ${attempt} attempts in ${(timeoutMs / 1000).toFixed(1)} s: ${msg}`);
      }
      log.warn({ err: msg, attempt, retryInMs: delay }, 'Kubernetes API not readable at start (own AS and listen port); retrying');
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 4000);
    }
  }
}
