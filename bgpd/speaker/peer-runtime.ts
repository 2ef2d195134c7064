// One peer inside the speaker: its BgpSession wired to the shared RIB. Owns what is per peer and
// time-based: the graceful-restart stale timer (helper role), the max-prefix hold-down, and the
// one-shot max-prefix warning.
import type { Rib } from '../rib/rib';
import type { RibDriver } from '../rib/driver';
import type { PeerId } from '../rib/types';
import { recordError } from '../session/counters';
import { codecContextFor } from '../session/open-negotiation';
import type { Negotiated } from '../session/open-negotiation';
import type { Logger } from '../session/peer-config';
import { BgpSession } from '../session/session';
import type { ReceivedUpdate, SessionOptions } from '../session/session';
import { realScheduler } from '../session/timers';
import { normalizeAddress, tcpConnector, tcpMd5Connector, tcpMd5Problem } from '../session/transport';
import type { IncomingAcceptor } from '../session/transport';
import { endOfRibFamily } from '../wire';
import type { Afi, GracefulRestartCap } from '../wire/types';
import { ErrorAction } from '../wire/types';
import { sessionConfig } from './peer-map';
import { SessionFreeze } from './session-freeze';
import type { RestartState, SpeakerIdentity, SpeakerPeer } from './peer-map';

/**
 * Session ends after which a graceful-restart peer's routes are kept (RFC 4724 §4.2: the TCP session
 * failed without a NOTIFICATION, or the peer reconnected while we still thought it was up).
 */
const GRACEFUL_REASONS = new Set(['connection lost', 'peer restarted (graceful restart)']);

export interface PeerHost {
  readonly rib: Rib;
  readonly driver: RibDriver;
  readonly logger: Logger;
  readonly node: SpeakerIdentity;
  readonly restart: RestartState;
  readonly sessionOptions?: Omit<SessionOptions, 'onUpdates' | 'logger'>;
  /** Resolves when no session's send buffer is over its high-water mark (output backpressure). */
  readonly outputDrained?: () => Promise<void>;
}

export class PeerRuntime {
  readonly session: BgpSession;
  /** What the listener hands this peer's incoming connections to (refuses them once stopped for a restart). */
  readonly acceptor: IncomingAcceptor;
  /** The peer's GR capability from the last session (kept after it drops, for the stale timer). */
  peerGr: GracefulRestartCap | undefined;
  /** Date.now() at which the stale routes are dropped; undefined when none are held. */
  staleUntil: number | undefined;
  /** Torn down for exceeding max-prefix; restarts after restartAfter. */
  prefixLimited = false;
  private staleTimer: NodeJS.Timeout | undefined;
  private prefixTimer: NodeJS.Timeout | undefined;
  private warnedOverLimit = false;
  private disposed = false;
  private readonly freeze: SessionFreeze;

  constructor(
    private readonly host: PeerHost,
    readonly peer: SpeakerPeer,
    readonly ribId: PeerId,
  ) {
    // the session's timers and sockets go through here, so that stopForRestart can silence them all
    this.freeze = new SessionFreeze(host.sessionOptions?.scheduler ?? realScheduler);
    // RFC 2385: a peer with a password connects through sockets signed with its TCP-MD5 key
    const connector = host.sessionOptions?.connector ?? (peer.password !== undefined ? tcpMd5Connector(peer.password) : tcpConnector);
    this.session = new BgpSession(sessionConfig(host.node, peer, host.restart), {
      ...host.sessionOptions,
      connector: this.freeze.connector(connector),
      scheduler: this.freeze.scheduler,
      logger: host.logger,
      onUpdates: (batch) => this.onUpdates(batch),
    });
    this.acceptor = {
      peerAddress: this.session.peerAddress,
      acceptIncoming: (socket) => !this.freeze.frozen && this.session.acceptIncoming(this.freeze.track(socket)),
    };
    this.session.on('established', (n) => this.onEstablished(n));
    this.session.on('down', (reason) => this.onDown(reason));
    this.session.on('routeRefresh', (r) => {
      // subtype 0 is a request; BoRR/EoRR (1/2) only frame the peer's own re-advertisement
      if (r.subtype !== 0) return;
      host.rib.routeRefresh(this.ribId, r.afi);
      host.driver.kick();
    });
  }

  get name(): string {
    return this.peer.name;
  }

  start(): void {
    if (this.freeze.frozen) return;
    if (this.peer.password === undefined) {
      this.session.start();
      return;
    }
    // The TCP-MD5 bindings (koffi) load on first use, asynchronously: the session starts once they
    // are in and the kernel takes keys. Otherwise it stays Idle and the log says why — retrying
    // cannot help, and connecting unsigned would only meet a peer that drops our SYNs.
    void tcpMd5Problem().then((problem) => {
      if (this.disposed) return;
      if (!problem) {
        this.session.start();
        return;
      }
      this.host.logger.error({ peer: this.name, errno: problem.errno, err: problem.message }, 'TCP-MD5 unavailable: the session stays Idle');
      // and `bgpctl show peers` says why ("Socket: TCP-MD5 unavailable: ENOPROTOOPT …")
      recordError(this.session.counters, { direction: 'local', text: `local ${problem.message}`, at: Date.now() });
    }).catch((err: unknown) => {
      this.host.logger.error({ peer: this.name, err: err instanceof Error ? err.stack : String(err) }, 'TCP-MD5 probe failed: the session stays Idle');
    });
  }

  /** Administrative shutdown (Cease/2 with the RFC 9003 text); the session stays down. */
  async shutdown(reason: string): Promise<void> {
    this.dispose();
    await this.session.stop(reason);
  }

  /** Both sides advertised graceful restart on the running session: the peer keeps our routes when it drops. */
  keepsOurRoutes(): boolean {
    return this.session.state === 'Established' && this.session.negotiated?.gracefulRestart.local !== undefined && this.session.negotiated.gracefulRestart.peer !== undefined;
  }

  /**
   * The daemon is about to exit for a restart (Speaker.stopForRestart). A peer that keeps our routes
   * gets nothing more: every timer of its session stops (no KEEPALIVE, no Hold Timer NOTIFICATION),
   * its input is left unread and any write is dropped, so the connection ends with the process and
   * the peer sees a transport failure. Any other peer drops our routes whatever we do: it gets the
   * Cease with `reason` (written at once), then its session is silenced the same way.
   */
  stopForRestart(reason: string): Promise<void> {
    if (this.keepsOurRoutes()) {
      this.dispose();
      this.session.setUpdateConsumer(() => {});
      this.freeze.freeze({ stopReading: true });
      return Promise.resolve();
    }
    const closed = this.shutdown(reason);
    // keeps reading: the close waits for the peer's FIN after our Cease
    this.freeze.freeze({ stopReading: false });
    return closed;
  }

  /** Stop every timer (the runtime is being removed or the daemon exits). */
  dispose(): void {
    this.disposed = true;
    clearTimeout(this.staleTimer);
    clearTimeout(this.prefixTimer);
  }

  /** Soft clear: ask the peer to re-send (ROUTE-REFRESH) and re-send our Adj-RIB-Out. */
  softClear(): boolean {
    const n = this.session.negotiated;
    if (!n || this.freeze.frozen) return false;
    for (const f of n.families) this.host.rib.routeRefresh(this.ribId, f.afi);
    this.host.driver.kick();
    this.session.refresh();
    return true;
  }

  /** Hard clear: Cease/4 and reconnect; also lifts a max-prefix hold-down. */
  hardClear(): void {
    if (this.freeze.frozen) return;
    clearTimeout(this.prefixTimer);
    if (this.prefixLimited) {
      this.prefixLimited = false;
      this.session.start();
      return;
    }
    this.session.reset('cleared by operator');
  }

  /** The RIB reports the peer over its limit (only peers with action restart give the RIB a limit). */
  onMaxPrefixExceeded(): void {
    const mp = this.peer.maxPrefix;
    if (!mp || this.prefixLimited || this.disposed) return;
    const restartAfter = mp.restartAfter ?? 60;
    this.host.logger.warn({ peer: this.name, limit: mp.limit, restartAfter }, 'maximum prefix limit exceeded: tearing down the session');
    this.prefixLimited = true;
    // RFC 4486: Cease/Maximum Number of Prefixes Reached, data = AFI, SAFI, the limit. The RIB counts
    // prefixes per peer, not per family; IPv4 unicast is reported as the family, like most speakers.
    const data = Buffer.alloc(7);
    data.writeUInt16BE(1, 0);
    data.writeUInt8(1, 2);
    data.writeUInt32BE(Math.min(mp.limit, 0xffffffff), 3);
    this.session.stop(`maximum prefix limit ${mp.limit} exceeded`, { subcode: 1, data }).catch((err: unknown) => {
      this.host.logger.error({ peer: this.name, err: err instanceof Error ? err.stack : String(err) }, 'closing the session over max-prefix failed');
    });
    this.prefixTimer = setTimeout(() => {
      if (this.disposed) return;
      this.prefixLimited = false;
      this.host.logger.info({ peer: this.name }, 'max-prefix hold-down over: restarting the session');
      this.session.start();
    }, restartAfter * 1000);
    this.prefixTimer.unref();
  }

  private onUpdates(batch: ReceivedUpdate[]): Promise<void> {
    const rib = this.host.rib;
    for (const u of batch) {
      const eor = endOfRibFamily(u.msg);
      if (eor !== null) {
        this.onEndOfRib(eor);
        continue;
      }
      rib.update(this.ribId, u.msg, { treatAsWithdraw: u.action === ErrorAction.TREAT_AS_WITHDRAW });
    }
    // backpressure: the session reads no more from the socket until the RIB has worked this off
    // and the UPDATEs it produced have left our send buffers (input is what makes output)
    return this.host.driver.whenIdle().then(async () => {
      this.checkWarnLimit();
      await this.host.outputDrained?.();
    });
  }

  private onEndOfRib(afi: Afi): void {
    this.host.rib.endOfRib(this.ribId, afi);
    this.host.logger.debug({ peer: this.name, afi }, 'End-of-RIB received');
    if (this.staleUntil !== undefined) {
      // the stale sweep for this family is done by the RIB; the timer only matters for families
      // that never send End-of-RIB, so it keeps running as the upper bound
      const others = this.session.negotiated?.families.filter((f) => f.afi !== afi) ?? [];
      if (others.length === 0) this.clearStale();
    }
  }

  private checkWarnLimit(): void {
    const mp = this.peer.maxPrefix;
    if (!mp || mp.action !== 'warn') return;
    const { received } = this.host.rib.peerStats(this.ribId);
    if (received > mp.limit && !this.warnedOverLimit) {
      this.warnedOverLimit = true;
      this.host.logger.warn({ peer: this.name, limit: mp.limit, received }, 'maximum prefix limit exceeded (warn only)');
    } else if (received <= mp.limit) this.warnedOverLimit = false;
  }

  private onEstablished(n: Negotiated): void {
    const rib = this.host.rib;
    if (this.staleUntil !== undefined) {
      // RFC 4724 §4.2: if the peer did not preserve forwarding for a family (or dropped GR), its
      // stale routes of that family cannot be trusted any longer
      const gr = n.gracefulRestart.peer;
      const kept = gr ? gr.families.filter((f) => f.forwardingPreserved).length : 0;
      if (!gr || kept === 0) {
        rib.staleTimeout(this.ribId);
        this.clearStale();
      }
    }
    this.peerGr = n.gracefulRestart.peer;
    const local = normalizeAddress(this.session.localEndpoint.address) || this.peer.localAddress || '';
    rib.peerUp(this.ribId, {
      routerId: n.peerRouterId,
      ctx: codecContextFor(n),
      families: n.families.map((f) => f.afi),
      localAddress: local.includes(':') ? { ipv6: local } : { ipv4: local },
    });
    this.host.driver.kick();
  }

  private onDown(reason: string): void {
    const graceful = this.peerGr !== undefined && this.peer.gracefulRestart.enabled && GRACEFUL_REASONS.has(reason) && !this.disposed;
    this.host.rib.peerDown(this.ribId, { graceful });
    if (graceful && this.peerGr) {
      const seconds = this.peerGr.restartTime;
      this.host.logger.info({ peer: this.name, reason, restartTime: seconds }, 'graceful restart: keeping the peer\'s routes as stale');
      clearTimeout(this.staleTimer);
      this.staleUntil = Date.now() + seconds * 1000;
      this.staleTimer = setTimeout(() => {
        this.host.logger.warn({ peer: this.name }, 'graceful restart timer expired: dropping stale routes');
        this.host.rib.staleTimeout(this.ribId);
        this.host.driver.kick();
        this.staleUntil = undefined;
      }, seconds * 1000);
      this.staleTimer.unref();
      // The peer is restarting and will be back within its restart time: wait for it at once instead
      // of sitting out the idle hold in Idle, where its new connection would be refused. The hold
      // doubles with each error in a row (forgotten only after 5 min), so a node restarted twice in a
      // rollout could otherwise come back to a peer that still refuses it after its routes expired.
      // Deferred: the FSM is still running the actions of this drop (it arms the idle hold next).
      setImmediate(() => {
        if (!this.disposed && !this.prefixLimited && this.session.state === 'Idle' && !this.session.adminDown) this.session.start();
      });
    } else {
      this.clearStale();
    }
    this.host.driver.kick();
  }

  private clearStale(): void {
    clearTimeout(this.staleTimer);
    this.staleTimer = undefined;
    this.staleUntil = undefined;
  }
}
