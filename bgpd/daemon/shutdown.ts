// How bgpd stops. A stop for a restart (SIGTERM with `shutdown.onSigterm: graceful`, the kubelet's
// stop on a rolling update) must leave the network as a crash would, only tidier: the peers keep our
// routes (no NOTIFICATION — RFC 4724 helpers flush on a Cease but keep routes stale on a TCP failure),
// the kernel keeps its routes, and the restart marker stays so the next start sets the Restart State
// and forwarding-preserved bits. A final stop (SIGINT, or `notify`) says goodbye with
// Cease/Administrative Shutdown and clears the marker.
import type { TortieConfig } from '../../config/types';
import type { Logger } from '../session/peer-config';
import type { RestartMarker } from '../speaker/restart-marker';
import type { Speaker } from '../speaker/speaker';

export type StopKind = 'graceful' | 'notify';

/** Only SIGTERM may be graceful, and only with graceful restart on (else peers would drop us anyway). */
export function stopKindFor(signal: string, config: Pick<TortieConfig, 'shutdown' | 'gracefulRestart'>): StopKind {
  return signal === 'SIGTERM' && config.shutdown.onSigterm === 'graceful' && config.gracefulRestart.enabled ? 'graceful' : 'notify';
}

export interface StopParts {
  speaker: Pick<Speaker, 'shutdown' | 'stopForRestart'>;
  /** The node agent, route programmer (kernel routes stay either way), health endpoint, datastore. */
  node: { stop(): Promise<void> };
  control: { close(): Promise<void> };
  listener: { close(): Promise<void> };
  marker: Pick<RestartMarker, 'clear' | 'keepForRestart'>;
  logger: Logger;
}

/**
 * Resolves when the daemon may exit; with 'graceful' the sessions end with the process. Never
 * rejects: a step that fails (the datastore will not close, the control socket is gone) is logged at
 * error with its name and stack and the stop goes on, so the remaining steps and the restart marker
 * are still seen to. Resolves with the names of the steps that failed.
 */
export async function stopDaemon(kind: StopKind, p: StopParts): Promise<string[]> {
  const failed: string[] = [];
  const fail = (name: string, err: unknown): void => {
    failed.push(name);
    p.logger.error({ step: name, kind, err: err instanceof Error ? err.stack ?? err.message : String(err) }, `stopping bgpd: ${name} failed (going on)`);
  };
  const step = async (name: string, fn: () => Promise<void> | void): Promise<void> => {
    try {
      await fn();
    } catch (err) {
      fail(name, err);
    }
  };
  if (kind === 'graceful') {
    // first (its synchronous part), so that nothing the rest of the stop does can reach a peer
    const told = step('sessions (stop for restart)', () => p.speaker.stopForRestart('bgpd restarting'));
    // stop accepting; a net.Server's close resolves only once the accepted sessions are gone, which
    // here happens at the exit, so it is not awaited (but a failure is still logged)
    void step('BGP listener', () => p.listener.close());
    await step('restart marker', () => p.marker.keepForRestart());
    await told;
    await step('node agent', () => p.node.stop());
    await step('control socket', () => p.control.close());
    return failed;
  }
  await step('sessions (Cease)', () => p.speaker.shutdown('bgpd shutting down'));
  await step('node agent', () => p.node.stop());
  await Promise.all([step('control socket', () => p.control.close()), step('BGP listener', () => p.listener.close())]);
  // a final stop: the next start is a fresh one, not a graceful restart
  await step('restart marker', () => p.marker.clear());
  return failed;
}
