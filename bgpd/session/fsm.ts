// The BGP finite state machine of RFC 4271 §8, as a pure function of (state, event) → actions.
// No sockets, no timers, no real time: the caller (session.ts) performs the actions and feeds events
// back, and the clock and random source are injected so every transition is reproducible in tests.
//
// Deliberate deviations from the RFC text, all matching what BIRD/FRR/GoBGP do in practice:
// - A failed outgoing connection in Connect goes to Active and retries after ConnectRetry (with
//   backoff), instead of going to Idle and waiting for an automatic restart.
// - A NOTIFICATION received in OpenSent is not answered with an FSM-error NOTIFICATION; we just close.
// - Passive peers never initiate: ConnectRetryTimer expiry in Active only re-arms the timer.
// - DelayOpen (events 12, 20) is not implemented.
// - The hold timer is restarted by every received message (incl. ROUTE-REFRESH), not only
//   KEEPALIVE/UPDATE: any traffic proves the peer is alive.

import { ErrCode } from '../wire/types';
import { CeaseSub, FsmSub } from '../wire/codes';
import { encodeShutdownCommunication } from '../wire/notification';

export type FsmState = 'Idle' | 'Connect' | 'Active' | 'OpenSent' | 'OpenConfirm' | 'Established';

export type TimerName = 'connectRetry' | 'hold' | 'keepalive' | 'idleHold';

export interface NotificationSpec {
  code: number;
  subcode: number;
  data: Uint8Array;
}

/** RFC 4271 §8.1 events (numbers in comments). Message events are raised by the session after decoding. */
export type FsmEvent =
  | { type: 'ManualStart' } // 1 (and 4 when the peer is configured passive)
  /**
   * 2: Cease/Administrative Shutdown with an RFC 9003 text, or — with `notification` — another Cease
   * (e.g. 6/1 maximum prefixes with its RFC 4486 data). Either way the session stays down.
   */
  | { type: 'ManualStop'; reason?: string; notification?: NotificationSpec }
  | { type: 'AutomaticStart' } // 3/5
  | { type: 'AutomaticStop'; notification?: NotificationSpec } // 8 (e.g. prefix limit)
  | { type: 'ManualReset'; reason?: string } // operator hard clear: Cease/4, then start again at once
  | { type: 'ConnectRetryTimer_Expires' } // 9
  | { type: 'HoldTimer_Expires' } // 10
  | { type: 'KeepaliveTimer_Expires' } // 11
  | { type: 'IdleHoldTimer_Expires' } // 13
  | { type: 'Tcp_CR_Acked' } // 16: our outgoing connection is up
  | { type: 'TcpConnectionConfirmed' } // 17: an incoming connection was accepted for this peer
  | { type: 'TcpConnectionFails'; error?: string } // 18
  | { type: 'BGPOpen'; holdTime: number; keepaliveTime: number } // 19: valid OPEN, negotiated timers (s)
  | { type: 'BGPHeaderErr'; notification: NotificationSpec } // 21
  | { type: 'BGPOpenMsgErr'; notification: NotificationSpec } // 22
  | { type: 'OpenCollisionDump' } // 23
  | { type: 'NotifMsgVerErr' } // 24
  | { type: 'NotifMsg' } // 25
  | { type: 'KeepAliveMsg' } // 26
  | { type: 'UpdateMsg' } // 27
  | { type: 'UpdateMsgErr'; notification: NotificationSpec } // 28
  | { type: 'RouteRefreshMsg' } // not an RFC 4271 event; keeps the hold timer alive
  /**
   * Not an RFC 4271 event: the peer closed this connection with Cease/7 because it resolved a
   * collision in favour of its own connection, which our listener has not handed to us yet. Wait for
   * it in Active instead of failing into Idle (where it would be refused).
   */
  | { type: 'CollisionLost' }
  /**
   * Not an RFC 4271 event: RFC 4724 §4.1 — a new connection from a graceful-restart capable peer while
   * Established means the peer restarted. Close the old session (reported as down, so the consumer can
   * keep routes stale) and wait in Active for the new connection, without an error backoff.
   */
  | { type: 'PeerRestarted' };

export type FsmAction =
  | { type: 'connect' }
  | { type: 'sendOpen' }
  | { type: 'sendKeepalive' }
  | { type: 'sendNotification'; notification: NotificationSpec }
  /** Close the transport (after flushing anything queued, e.g. the NOTIFICATION just sent). */
  | { type: 'drop' }
  /** (Re)start a timer; restarting a running timer replaces its deadline. */
  | { type: 'startTimer'; timer: TimerName; ms: number }
  | { type: 'stopTimer'; timer: TimerName }
  | { type: 'established' }
  /** Left Established: routes learned over this session are gone. */
  | { type: 'down'; reason: string };

export interface FsmConfig {
  /** Never initiate a TCP connection; wait for the peer (RFC 4271 PassiveTcpEstablishment). */
  passive: boolean;
  /** Seconds between connection attempts (BIRD `connect retry time`, default 5 as Calico uses). */
  connectRetryTime: number;
  /** Cap for the connect-retry backoff after consecutive failed attempts. */
  connectRetryMaxTime: number;
  /** Hold time while waiting for the peer's OPEN (RFC 4271 suggests 4 minutes). */
  openHoldTime: number;
  /** Idle hold after the first error (BIRD `error wait time` min, Calico uses 5). */
  idleHoldTime: number;
  /** Idle hold cap; it doubles with each consecutive error (BIRD `error wait time` max, Calico 30). */
  idleHoldMaxTime: number;
  /** An Established session older than this forgets earlier errors (BIRD `error forget time`). */
  errorForgetTime: number;
  /** Restart automatically after errors (after the idle hold); ManualStop always stays down. */
  autoRestart: boolean;
}

export const DEFAULT_FSM_CONFIG: FsmConfig = {
  passive: false,
  connectRetryTime: 5,
  connectRetryMaxTime: 60,
  openHoldTime: 240,
  idleHoldTime: 5,
  idleHoldMaxTime: 30,
  errorForgetTime: 300,
  autoRestart: true,
};

export interface FsmEnvironment {
  /** Milliseconds, monotonic (only differences are used). */
  now: () => number;
  /** Uniform in [0, 1); used for RFC 4271 §10 jitter. */
  random: () => number;
}

/** RFC 4271 §10: jittered timers are multiplied by a random factor in [0.75, 1.0]. */
export function jitter(ms: number, random: () => number): number {
  return Math.round(ms * (0.75 + 0.25 * random()));
}

export class BgpFsm {
  private _state: FsmState = 'Idle';
  /** RFC 4271 ConnectRetryCounter: consecutive failures to bring the session up. */
  private _connectRetryCounter = 0;
  private connectFailures = 0;
  /** Idle hold for the next error, in seconds; 0 = none yet (the next error uses idleHoldTime). */
  private idleHoldSeconds = 0;
  private establishedAt = 0;
  private lastErrorAt = Number.NEGATIVE_INFINITY;
  /** Set by ManualStop: no automatic restart until ManualStart. */
  private _adminDown = true;
  private keepaliveMs = 0;
  private holdMs = 0;

  constructor(
    readonly config: FsmConfig,
    private readonly env: FsmEnvironment,
  ) {}

  get state(): FsmState {
    return this._state;
  }
  get connectRetryCounter(): number {
    return this._connectRetryCounter;
  }
  get adminDown(): boolean {
    return this._adminDown;
  }
  /** The idle hold (s) the next error will impose; exposed for `show neighbor` and tests. */
  get nextIdleHoldSeconds(): number {
    return this.idleHoldSeconds === 0 ? this.config.idleHoldTime : this.idleHoldSeconds;
  }

  handle(ev: FsmEvent): FsmAction[] {
    const out: FsmAction[] = [];
    switch (this._state) {
      case 'Idle':
        this.inIdle(ev, out);
        break;
      case 'Connect':
      case 'Active':
        this.inConnectOrActive(ev, out);
        break;
      case 'OpenSent':
        this.inOpenSent(ev, out);
        break;
      case 'OpenConfirm':
        this.inOpenConfirm(ev, out);
        break;
      case 'Established':
        this.inEstablished(ev, out);
        break;
    }
    return out;
  }

  private inIdle(ev: FsmEvent, out: FsmAction[]): void {
    switch (ev.type) {
      case 'ManualStart':
        this._adminDown = false;
        this._connectRetryCounter = 0;
        this.connectFailures = 0;
        out.push({ type: 'stopTimer', timer: 'idleHold' });
        this.start(out);
        return;
      case 'ManualReset':
        if (this._adminDown) return;
        out.push({ type: 'stopTimer', timer: 'idleHold' });
        this.start(out);
        return;
      case 'AutomaticStart':
      case 'IdleHoldTimer_Expires':
        if (this._adminDown) return;
        this.start(out);
        return;
      case 'ManualStop':
        this._adminDown = true;
        out.push({ type: 'stopTimer', timer: 'idleHold' });
        return;
      default:
        // RFC 4271: all other events are ignored in Idle (an incoming connection is refused by the caller).
        return;
    }
  }

  private start(out: FsmAction[]): void {
    out.push({ type: 'startTimer', timer: 'connectRetry', ms: this.connectRetryMs() });
    if (this.config.passive) {
      this._state = 'Active';
    } else {
      out.push({ type: 'connect' });
      this._state = 'Connect';
    }
  }

  private connectRetryMs(): number {
    const base = this.config.connectRetryTime * 1000;
    const backedOff = Math.min(base * 2 ** Math.min(this.connectFailures, 16), this.config.connectRetryMaxTime * 1000);
    return jitter(Math.max(base, backedOff), this.env.random);
  }

  private inConnectOrActive(ev: FsmEvent, out: FsmAction[]): void {
    switch (ev.type) {
      case 'ManualStart':
      case 'AutomaticStart':
        return;
      case 'ManualStop':
        this._adminDown = true;
        this._connectRetryCounter = 0;
        this.toIdle(out, { error: false, drop: true });
        return;
      case 'ManualReset':
        this.toIdle(out, { error: false, drop: true });
        this.start(out);
        return;
      case 'ConnectRetryTimer_Expires':
        if (this._state === 'Connect') {
          // The attempt took too long: abandon it and try again.
          this.connectFailures++;
          out.push({ type: 'drop' });
        }
        out.push({ type: 'startTimer', timer: 'connectRetry', ms: this.connectRetryMs() });
        if (!this.config.passive) {
          out.push({ type: 'connect' });
          this._state = 'Connect';
        }
        return;
      case 'Tcp_CR_Acked':
      case 'TcpConnectionConfirmed':
        out.push({ type: 'stopTimer', timer: 'connectRetry' });
        out.push({ type: 'sendOpen' });
        this.holdMs = this.config.openHoldTime * 1000;
        out.push({ type: 'startTimer', timer: 'hold', ms: this.holdMs });
        this._state = 'OpenSent';
        return;
      case 'TcpConnectionFails':
        this.connectFailures++;
        out.push({ type: 'drop' });
        out.push({ type: 'startTimer', timer: 'connectRetry', ms: this.connectRetryMs() });
        this._state = 'Active';
        return;
      default:
        // Events 8, 10-11, 13, 19, 21-28 without a connection are errors (RFC 4271 §8.2.2).
        this.failWith(out, undefined, `unexpected ${ev.type} in ${this._state}`);
        return;
    }
  }

  private inOpenSent(ev: FsmEvent, out: FsmAction[]): void {
    if (this.handledInAnyOpenState(ev, out)) return;
    switch (ev.type) {
      case 'TcpConnectionFails':
        // RFC 4271: close, restart ConnectRetry and wait in Active for the peer or the next attempt.
        out.push({ type: 'drop' });
        out.push({ type: 'stopTimer', timer: 'hold' });
        this.connectFailures++;
        out.push({ type: 'startTimer', timer: 'connectRetry', ms: this.connectRetryMs() });
        this._state = 'Active';
        return;
      case 'BGPOpen':
        out.push({ type: 'stopTimer', timer: 'connectRetry' });
        out.push({ type: 'sendKeepalive' });
        this.keepaliveMs = ev.keepaliveTime * 1000;
        this.holdMs = ev.holdTime * 1000;
        if (this.holdMs > 0) {
          out.push({ type: 'startTimer', timer: 'hold', ms: this.holdMs });
          out.push({ type: 'startTimer', timer: 'keepalive', ms: jitter(this.keepaliveMs, this.env.random) });
        } else {
          out.push({ type: 'stopTimer', timer: 'hold' });
        }
        this._state = 'OpenConfirm';
        return;
      case 'CollisionLost':
        this.collisionLost(out);
        return;
      default:
        this.failWith(out, notif(ErrCode.FSM, FsmSub.UNEXPECTED_IN_OPENSENT), `unexpected ${ev.type} in OpenSent`);
        return;
    }
  }

  private inOpenConfirm(ev: FsmEvent, out: FsmAction[]): void {
    if (this.handledInAnyOpenState(ev, out)) return;
    switch (ev.type) {
      case 'KeepaliveTimer_Expires':
        this.sendKeepalive(out);
        return;
      case 'TcpConnectionFails':
        this.failWith(out, undefined, 'connection lost');
        return;
      case 'BGPOpen':
        this.failWith(out, cease(CeaseSub.CONNECTION_COLLISION), 'connection collision');
        return;
      case 'CollisionLost':
        this.collisionLost(out);
        return;
      case 'KeepAliveMsg':
        this.restartHold(out);
        this._state = 'Established';
        this.establishedAt = this.env.now();
        this._connectRetryCounter = 0;
        this.connectFailures = 0;
        out.push({ type: 'established' });
        return;
      default:
        this.failWith(out, notif(ErrCode.FSM, FsmSub.UNEXPECTED_IN_OPENCONFIRM), `unexpected ${ev.type} in OpenConfirm`);
        return;
    }
  }

  private inEstablished(ev: FsmEvent, out: FsmAction[]): void {
    if (this.handledInAnyOpenState(ev, out)) return;
    switch (ev.type) {
      case 'KeepaliveTimer_Expires':
        this.sendKeepalive(out);
        return;
      case 'KeepAliveMsg':
      case 'UpdateMsg':
      case 'RouteRefreshMsg':
        this.restartHold(out);
        return;
      case 'TcpConnectionFails':
        this.failWith(out, undefined, 'connection lost');
        return;
      case 'PeerRestarted':
        this.toIdle(out, { error: false, drop: true, reason: 'peer restarted (graceful restart)' });
        out.push({ type: 'startTimer', timer: 'connectRetry', ms: this.connectRetryMs() });
        this._state = 'Active';
        return;
      case 'UpdateMsgErr':
        this.failWith(out, ev.notification, ev.type);
        return;
      default:
        // e.g. an OPEN on an Established connection.
        this.failWith(out, notif(ErrCode.FSM, FsmSub.UNEXPECTED_IN_ESTABLISHED), `unexpected ${ev.type} in Established`);
        return;
    }
  }

  /**
   * Events that OpenSent, OpenConfirm and Established handle alike (RFC 4271 §8.2.2 repeats them for
   * each state). Returns false for the ones whose handling depends on the state.
   */
  private handledInAnyOpenState(ev: FsmEvent, out: FsmAction[]): boolean {
    switch (ev.type) {
      case 'ManualStart':
      case 'AutomaticStart':
        return true;
      case 'ManualStop':
        this.manualStop(out, ev.reason, ev.notification);
        return true;
      case 'ManualReset':
        this.manualReset(out, ev.reason);
        return true;
      case 'AutomaticStop':
        this.failWith(out, ev.notification ?? cease(CeaseSub.OTHER_CONFIG_CHANGE), 'automatic stop');
        return true;
      case 'HoldTimer_Expires':
        this.failWith(out, notif(ErrCode.HOLD_TIMER_EXPIRED, 0), 'hold timer expired');
        return true;
      case 'OpenCollisionDump':
        this.failWith(out, cease(CeaseSub.CONNECTION_COLLISION), 'connection collision');
        return true;
      case 'NotifMsg':
      case 'NotifMsgVerErr':
        this.failWith(out, undefined, 'notification received');
        return true;
      case 'BGPHeaderErr':
      case 'BGPOpenMsgErr':
        this.failWith(out, ev.notification, ev.type);
        return true;
      default:
        return false;
    }
  }

  /** A hold time of 0 means no hold timer at all (RFC 4271 §4.2). */
  private restartHold(out: FsmAction[]): void {
    if (this.holdMs > 0) out.push({ type: 'startTimer', timer: 'hold', ms: this.holdMs });
  }

  private sendKeepalive(out: FsmAction[]): void {
    out.push({ type: 'sendKeepalive' });
    out.push({ type: 'startTimer', timer: 'keepalive', ms: jitter(this.keepaliveMs, this.env.random) });
  }

  /**
   * Collision resolution (RFC 4271 §6.8) kept the other connection, which has sent its OPEN: carry on
   * in OpenSent on it. The caller swaps the sockets and then feeds that connection's BGPOpen.
   */
  adoptCollisionWinner(): FsmAction[] {
    if (this._state !== 'OpenSent' && this._state !== 'OpenConfirm') return [];
    this._state = 'OpenSent';
    this.holdMs = this.config.openHoldTime * 1000;
    return [
      { type: 'stopTimer', timer: 'keepalive' },
      { type: 'startTimer', timer: 'hold', ms: this.holdMs },
    ];
  }

  private collisionLost(out: FsmAction[]): void {
    out.push({ type: 'drop' });
    out.push({ type: 'stopTimer', timer: 'hold' });
    out.push({ type: 'stopTimer', timer: 'keepalive' });
    out.push({ type: 'startTimer', timer: 'connectRetry', ms: this.connectRetryMs() });
    this._state = 'Active';
  }

  private manualStop(out: FsmAction[], reason: string | undefined, notification: NotificationSpec | undefined): void {
    out.push({ type: 'sendNotification', notification: notification ?? cease(CeaseSub.ADMIN_SHUTDOWN, reason) });
    this._adminDown = true;
    this._connectRetryCounter = 0;
    this.toIdle(out, { error: false, drop: true, reason: 'administrative shutdown' });
  }

  private manualReset(out: FsmAction[], reason: string | undefined): void {
    out.push({ type: 'sendNotification', notification: cease(CeaseSub.ADMIN_RESET, reason) });
    this.toIdle(out, { error: false, drop: true, reason: 'administrative reset' });
    this.start(out);
  }

  /** Any error: optionally NOTIFY, close, go Idle and (unless admin down) arm the idle hold. */
  private failWith(out: FsmAction[], notification: NotificationSpec | undefined, reason: string): void {
    if (notification) out.push({ type: 'sendNotification', notification });
    this._connectRetryCounter++;
    this.toIdle(out, { error: true, drop: true, reason });
  }

  private toIdle(out: FsmAction[], o: { error: boolean; drop: boolean; reason?: string }): void {
    const wasEstablished = this._state === 'Established';
    if (o.drop) out.push({ type: 'drop' });
    for (const timer of ['connectRetry', 'hold', 'keepalive'] as const) out.push({ type: 'stopTimer', timer });
    this._state = 'Idle';
    if (wasEstablished) out.push({ type: 'down', reason: o.reason ?? 'stopped' });
    if (!o.error) return;
    const now = this.env.now();
    // Damp flapping peers: each error in a row doubles the idle hold, a long stable session resets it.
    const forgetMs = this.config.errorForgetTime * 1000;
    const quietSinceLastError = now - this.lastErrorAt >= forgetMs;
    const wasUpLong = wasEstablished && now - this.establishedAt >= forgetMs;
    if (quietSinceLastError || wasUpLong) this.idleHoldSeconds = 0;
    this.idleHoldSeconds =
      this.idleHoldSeconds === 0
        ? this.config.idleHoldTime
        : Math.min(this.idleHoldSeconds * 2, this.config.idleHoldMaxTime);
    this.lastErrorAt = now;
    if (this.config.autoRestart && !this._adminDown) {
      out.push({ type: 'startTimer', timer: 'idleHold', ms: this.idleHoldSeconds * 1000 });
    }
  }
}

function notif(code: number, subcode: number, data: Uint8Array = new Uint8Array(0)): NotificationSpec {
  return { code, subcode, data };
}

function cease(subcode: CeaseSub, text?: string): NotificationSpec {
  // An empty text sends no data at all rather than a zero length byte: some peers log the latter
  // as a malformed communication.
  const data =
    text !== undefined && text !== '' &&
    (subcode === CeaseSub.ADMIN_SHUTDOWN || subcode === CeaseSub.ADMIN_RESET)
      ? encodeShutdownCommunication(text)
      : new Uint8Array(0);
  return notif(ErrCode.CEASE, subcode, data);
}
