// The running daemon: BGP listener, speaker with the configured peers, control socket, signals.
// Resolves with the exit code once the daemon has shut down: SIGINT (and SIGTERM with
// `shutdown.onSigterm: notify` or `gracefulRestart.enabled: false`) after every peer got a
// Cease/Administrative Shutdown; SIGTERM by default as a stop for a graceful restart: no NOTIFICATION
// to the peers that negotiated graceful restart, a Cease ("bgpd restarting") to the others
// (shutdown.ts). The caller exits the process.
import type { TortieConfig } from '../../config/types';
import { peersForThisNode } from '../../config/peers';
import { ControlServer } from '../control/server';
import { controlHandler } from '../control/handler';
import { BgpListener } from '../session/transport';
import { fromConfig } from '../speaker/peer-map';
import { checkRestart, writeRestartMarker } from '../speaker/restart-marker';
import { Speaker } from '../speaker/speaker';
import { createLogger } from './logger';
import { stopDaemon, stopKindFor } from './shutdown';
import { applyReload } from './reload';
import { guardRejections } from './rejection-guard';
import { startNodeServices } from '../agent/node-services';

export const EXIT_OK = 0;
export const EXIT_STARTUP_FAILED = 1;

export interface RuntimeOptions {
  /** Re-read on SIGHUP / `bgpctl reload`. */
  configPath: string;
  /** Loads and validates a config file (injected so main.ts keeps its lazy import). */
  load: (path: string) => { config: TortieConfig } | { errors: string[] };
  /** Kubernetes datastore: how long reading the own AS / listen port may fail before bgpd exits 1. Default 30 s. */
  kubernetesStartupTimeoutMs?: number;
}

/** Where bgpd keeps its own small state (the graceful-restart marker). */
export function stateDirOf(config: TortieConfig): string {
  return process.env.TORTIE_STATE_DIR ?? (config.datastore.type === 'file' ? config.datastore.path : '/var/lib/tortie');
}

/** What the cluster replaced in the config file at start (kubernetes datastore); kept over reloads. */
type ClusterOverlay = Partial<Pick<TortieConfig, 'asNumber'>> & { listenPort?: number };

function withOverlay(config: TortieConfig, o: ClusterOverlay): TortieConfig {
  return {
    ...config,
    ...(o.asNumber !== undefined ? { asNumber: o.asNumber } : {}),
    ...(o.listenPort !== undefined ? { listen: { ...config.listen, port: o.listenPort } } : {}),
  };
}

export async function startRuntime(initial: TortieConfig, opts: RuntimeOptions): Promise<number> {
  const logger = createLogger(initial.log.level);
  // while the daemon runs, a forgotten rejection is logged instead of killing the sessions (rejection-guard.ts)
  const guard = guardRejections(logger);
  try {
    return await runDaemon(initial, opts, logger);
  } finally {
    guard.remove();
  }
}

async function runDaemon(initial: TortieConfig, opts: RuntimeOptions, logger: ReturnType<typeof createLogger>): Promise<number> {
  let config = initial;
  const fromFile = { asNumber: initial.asNumber, listenPort: initial.listen.port };

  // Kubernetes: the AS (Node annotation > BGPConfiguration > file) and the listen port come from the
  // cluster, read once before the speaker exists; the AS cannot change later (k8s-startup.ts)
  let overlay: ClusterOverlay = {};
  if (config.datastore.type === 'kubernetes') {
    try {
      const { readStartupSettings } = await import('../agent/k8s-startup');
      const s = await readStartupSettings({
        ...(config.datastore.kubeconfig ? { kubeConfig: config.datastore.kubeconfig } : {}),
        nodeName: config.nodeName, logger, configFileWins: config.kubernetes.configFileWins,
        ...(opts.kubernetesStartupTimeoutMs !== undefined ? { timeoutMs: opts.kubernetesStartupTimeoutMs } : {}),
        file: { asNumber: config.asNumber, nodeToNodeMesh: config.nodeToNodeMesh, listenPort: config.listen.port },
      });
      overlay = {
        ...(s.asFrom !== 'config file' ? { asNumber: s.asNumber } : {}),
        ...(s.listenPortFrom !== 'config file' ? { listenPort: s.listenPort } : {}),
      };
      config = withOverlay(config, overlay);
    } catch (err) {
      logger.error({ err: (err as Error).message, datastore: config.datastore.type }, 'cannot read this node\'s AS and listen port from the Kubernetes API: exiting');
      return EXIT_STARTUP_FAILED;
    }
  }
  const stateDir = stateDirOf(config);
  const restart = checkRestart(stateDir, config.gracefulRestart.restartTime);
  if (restart.restarting) {
    const how = restart.previousStop === 'graceful' ? 'previous run stopped for a restart' : 'previous run ended uncleanly';
    logger.info({ previousPid: restart.previousPid, downSeconds: restart.ageSeconds }, `${how}: graceful restart (restarting speaker)`);
  }

  const listener = new BgpListener({ address: config.listen.address ?? '::', port: config.listen.port, logger });
  try {
    await listener.listen();
  } catch (err) {
    logger.error({ err: (err as Error).message, address: config.listen.address ?? '::', port: config.listen.port, ...(overlay.listenPort !== undefined ? { from: 'BGPConfiguration listenPort' } : {}) }, 'cannot listen for BGP connections');
    return EXIT_STARTUP_FAILED;
  }
  const marker = writeRestartMarker(stateDir);
  const speaker = new Speaker({ config, logger, restarting: restart.restarting && config.gracefulRestart.enabled, listener });
  for (const p of peersForThisNode(config)) speaker.addPeer(fromConfig(config, p));
  speaker.setOriginated(config.advertisePrefixes);

  let reloading: Promise<unknown> = Promise.resolve();
  const reload = (): Promise<unknown> => {
    // one reload at a time; a second SIGHUP waits for the first
    const run = reloading.then(async () => {
      const r = opts.load(opts.configPath);
      if ('errors' in r) {
        for (const e of r.errors) logger.error({ file: opts.configPath }, `reload refused: ${e}`);
        throw new Error(`reload refused, configuration invalid:\n${r.errors.join('\n')}`);
      }
      // what the cluster set at start still wins over the file (else every reload would report it as changed)
      const next = withOverlay(r.config, overlay);
      const result = await applyReload(speaker, config, next, (l) => { logger.level = l; });
      // restart-only keys keep their running values so the next diff compares like with like
      const kept = Object.fromEntries(result.restartRequired.map((k) => [k, config[k as keyof TortieConfig]]));
      config = { ...next, ...kept };
      logger.info({ ...result }, 'configuration reloaded');
      if (result.restartRequired.length > 0) logger.warn({ keys: result.restartRequired }, 'these settings take effect only after a restart of bgpd');
      return result;
    });
    reloading = run.catch(() => {});
    return run;
  };

  const control = new ControlServer(
    config.control.socket,
    controlHandler({ speaker, identity: () => ({ routerId: config.routerId, asNumber: config.asNumber }), reload }),
    (err) => logger.error({ err: err instanceof Error ? err.stack : String(err) }, 'control request failed'),
  );
  try {
    await control.listen();
  } catch (err) {
    logger.error({ err: (err as Error).message, socket: config.control.socket }, 'cannot open the control socket');
    await listener.close();
    marker.clear();
    return EXIT_STARTUP_FAILED;
  }

  // the node agent: registry, pod blocks, mesh peers, kernel routes, health endpoint
  let node: Awaited<ReturnType<typeof startNodeServices>>;
  try {
    node = await startNodeServices(config, speaker, logger, listener, fromFile);
  } catch (err) {
    // without the agent this would be a listener that refuses every peer: exit so the supervisor
    // (the DaemonSet) restarts us. The restart marker stays: kernel routes are still in place, so the
    // next start is still a graceful restart for the peers.
    logger.error({ err: err instanceof Error ? err.message : String(err), datastore: config.datastore.type }, 'cannot start the node agent (datastore, IPAM or kernel routes): exiting');
    await Promise.allSettled([control.close(), listener.close()]);
    return EXIT_STARTUP_FAILED;
  }
  speaker.start();
  logger.info({ routerId: config.routerId, as: config.asNumber, peers: config.peers.length, listen: `${config.listen.address ?? '::'}:${listener.port}`, control: config.control.socket, restarting: speaker.restart.restarting }, 'bgpd started');

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      const kind = stopKindFor(signal, config);
      logger.info({ signal, kind }, kind === 'graceful'
        ? 'shutting down for a restart: no NOTIFICATION to graceful-restart peers (they keep our routes), a Cease to the others'
        : 'shutting down: administrative shutdown to every peer');
      const watchdog = setTimeout(() => {
        logger.warn({}, 'shutdown took over 5 s: exiting anyway');
        resolve(EXIT_OK);
      }, 5000);
      watchdog.unref();
      // stopDaemon logs and skips a failing step; the catch is for a bug in it. Either way bgpd exits
      // 0: the peers were dealt with first, and what failed afterwards is in the log.
      stopDaemon(kind, { speaker, node, control, listener, marker, logger }).then(
        (failed) => logger.info(failed.length > 0 ? { failed } : {}, 'bgpd stopped'),
        (err: unknown) => logger.error({ err: err instanceof Error ? err.stack : String(err) }, 'stopping bgpd failed: exiting anyway'),
      ).finally(() => {
        clearTimeout(watchdog);
        resolve(EXIT_OK);
      });
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGHUP', () => {
      logger.info({}, 'SIGHUP: reloading configuration');
      reload().catch(() => {});
    });
  });
}
