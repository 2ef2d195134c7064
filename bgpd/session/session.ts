// One BGP session per configured peer: drives the pure FSM (fsm.ts) with real sockets and timers,
// runs the OPEN exchange, resolves connection collisions, and moves UPDATEs to a consumer (the RIB)
// in bounded batches with TCP backpressure, so timers and keepalives never starve behind route work.
//
// Error handling choices (documented for operators):
// - Codec SESSION_RESET and AFISAFI_DISABLE both send the codec's NOTIFICATION and close (we do not
//   disable single families, as BIRD and FRR mostly do not either).
// - TREAT_AS_WITHDRAW / ATTRIBUTE_DISCARD UPDATEs are passed on with their action; the consumer must
//   withdraw every NLRI of a TREAT_AS_WITHDRAW update. Both are logged with the peer and problems.
// - While the consumer is still busy with earlier UPDATEs we stop reading (the socket is paused), so
//   the peer's KEEPALIVEs wait in the kernel buffer. A hold timer that expires in that window is
//   re-armed instead of tearing down the session: the silence is ours, not the peer's.

import { EventEmitter } from 'node:events';
import { describeNotification, encodeMessage, MessageReader } from '../wire';
import { Afi, ErrCode, ErrorAction, MsgType, Safi } from '../wire/types';
import type { BgpMessage, DecodeResult, OpenMessage, UpdateMessage, WireProblem } from '../wire/types';
import { BgpFsm, DEFAULT_FSM_CONFIG } from './fsm';
import type { FsmAction, FsmEvent, FsmState, NotificationSpec, TimerName } from './fsm';
import { buildOpen, checkPeerOpen, codecContextFor, keepLocallyInitiated } from './open-negotiation';
import type { Negotiated } from './open-negotiation';
import { CeaseSub, OpenSub, SEND_HOLD_TIMER_EXPIRED } from '../wire/codes';
import { messageKind, newCounters, recordError, recordTransition } from './counters';
import type { SessionCounters } from './counters';
import { SessionTimers, realScheduler } from './timers';
import type { Scheduler, TimerHandle } from './timers';
import { tcpConnector } from './transport';
import type { BgpSocket, Connector, IncomingAcceptor } from './transport';
import { silentLogger } from './peer-config';
import type { Family, Logger, PeerConfig } from './peer-config';

/** An UPDATE as handed to the consumer, with the RFC 7606 action the codec chose. */
export interface ReceivedUpdate {
  msg: UpdateMessage;
  action: ErrorAction.NONE | ErrorAction.ATTRIBUTE_DISCARD | ErrorAction.TREAT_AS_WITHDRAW;
  problems: WireProblem[];
}

/**
 * Receives UPDATEs in arrival order, at most `updateBatchSize` at a time. Returning a promise
 * applies backpressure: no further input is read from the peer until it settles.
 */
export type UpdateConsumer = (batch: ReceivedUpdate[]) => void | Promise<void>;

export interface RouteRefreshRequest {
  afi: Afi;
  safi: Safi;
  /** RFC 7313: 0 = request (re-send everything), 1 = BoRR, 2 = EoRR. */
  subtype: number;
}

export interface NotificationEvent {
  direction: 'sent' | 'received';
  code: number;
  subcode: number;
  data: Uint8Array;
  text: string;
}

export interface SessionEventMap {
  stateChange: [from: FsmState, to: FsmState];
  established: [negotiated: Negotiated];
  /** Left Established: forget everything learned from this peer. */
  down: [reason: string];
  /** The peer asked for our routes again (RFC 2918/7313): re-send the Adj-RIB-Out. */
  routeRefresh: [request: RouteRefreshRequest];
  notification: [n: NotificationEvent];
}

export interface SessionOptions {
  logger?: Logger;
  connector?: Connector;
  scheduler?: Scheduler;
  random?: () => number;
  onUpdates?: UpdateConsumer;
}

/** Messages decoded per event-loop turn before yielding (keeps timers and other peers responsive). */
const MAX_MESSAGES_PER_TICK = 512;
/**
 * Received-but-undecoded bytes above which we stop reading until the decoder catches up. A socket
 * (or an in-memory stream) can emit many 'data' events in one event-loop turn; without this the
 * backlog would only be bounded by the sender.
 */
const MAX_UNPROCESSED_BYTES = 1 << 20;
/** How long a closing socket may take to flush a final NOTIFICATION before it is destroyed. */
const CLOSE_GRACE_MS = 2000;

interface Conn {
  socket: BgpSocket;
  direction: 'in' | 'out';
  reader: MessageReader;
  negotiated?: Negotiated;
  open?: OpenMessage;
  closed: boolean;
  pumpScheduled: boolean;
  awaitingConsumer: boolean;
  /** Bytes pushed into the reader since the last pump. */
  unprocessedBytes: number;
  /** Counts 'data' events; lets a hold-timer expiry see whether input arrived meanwhile. */
  dataSeq: number;
  batch: ReceivedUpdate[];
  /** RFC 9687: running while our writes are stuck behind a full send buffer. */
  sendHold?: TimerHandle;
  /** Candidate connections only: give up if the peer never sends its OPEN. */
  openTimer?: ReturnType<typeof setTimeout>;
}

export class BgpSession extends EventEmitter<SessionEventMap> implements IncomingAcceptor {
  readonly config: PeerConfig;
  readonly counters: SessionCounters;
  private readonly fsm: BgpFsm;
  private readonly timers: SessionTimers;
  private readonly logger: Logger;
  private readonly connector: Connector;
  private readonly scheduler: Scheduler;
  private consumer: UpdateConsumer;
  /** The connection the FSM runs on. */
  private conn: Conn | undefined;
  /** An outgoing connection attempt not yet connected. */
  private pendingOut: BgpSocket | undefined;
  /** A second connection from the peer during OpenSent/OpenConfirm, until collision resolution. */
  private candidate: Conn | undefined;
  private _negotiated: Negotiated | undefined;
  /** The peer's OPEN as received (copied), for `show neighbor` capability dumps. */
  private _peerOpenRaw: Buffer | undefined;
  private readonly closing = new Set<Promise<void>>();
  private readonly batchSize: number;

  constructor(config: PeerConfig, opts: SessionOptions = {}) {
    super();
    this.config = config;
    this.logger = opts.logger ?? silentLogger;
    this.connector = opts.connector ?? tcpConnector;
    this.scheduler = opts.scheduler ?? realScheduler;
    this.consumer = opts.onUpdates ?? (() => {});
    this.batchSize = config.updateBatchSize ?? 256;
    validateConfig(config);
    this.fsm = new BgpFsm(
      { ...DEFAULT_FSM_CONFIG, ...config.fsm, passive: config.passive ?? false },
      { now: () => this.scheduler.now(), random: opts.random ?? Math.random },
    );
    this.timers = new SessionTimers(this.scheduler, (t) => this.onTimer(t));
    this.counters = newCounters(Date.now());
  }

  // ---- public API --------------------------------------------------------------------------

  get peerAddress(): string {
    return this.config.peerAddress;
  }
  get state(): FsmState {
    return this.fsm.state;
  }
  /** What the OPEN exchange agreed on; undefined before OpenConfirm and after the session drops. */
  get negotiated(): Negotiated | undefined {
    return this._negotiated;
  }
  /** The peer's last accepted OPEN message, raw bytes (header included). */
  get peerOpenRaw(): Buffer | undefined {
    return this._peerOpenRaw;
  }
  get adminDown(): boolean {
    return this.fsm.adminDown;
  }
  /** Milliseconds in Established, or 0. */
  get uptimeMs(): number {
    return this.counters.establishedAt !== undefined ? Date.now() - this.counters.establishedAt : 0;
  }
  /** True when the socket's send buffer is full: wait for `drained()` before sending more. */
  get writableNeedDrain(): boolean {
    return this.conn?.socket.writableNeedDrain ?? false;
  }
  get localEndpoint(): { address?: string; port?: number } {
    const s = this.conn?.socket;
    return { ...(s?.localAddress ? { address: s.localAddress } : {}), ...(s?.localPort ? { port: s.localPort } : {}) };
  }
  get remoteEndpoint(): { address?: string; port?: number } {
    const s = this.conn?.socket;
    return { ...(s?.remoteAddress ? { address: s.remoteAddress } : {}), ...(s?.remotePort ? { port: s.remotePort } : {}) };
  }
  /** Timer state like BIRD's "Hold timer: 65.087/90" (ms). */
  timerStatus(name: TimerName): { remainingMs: number; ms: number } | undefined {
    return this.timers.status(name);
  }

  setUpdateConsumer(fn: UpdateConsumer): void {
    this.consumer = fn;
  }

  start(): void {
    this.dispatch({ type: 'ManualStart' });
  }

  /**
   * Administrative shutdown: Cease/2 with the RFC 9003 text; stays down until start(). With
   * `cease`, sends that Cease subcode instead (e.g. `{ subcode: 1, data }` for a prefix limit, RFC 4486);
   * `reason` is then only logged and reported in the `down` event.
   */
  stop(reason?: string, cease?: { subcode: number; data?: Uint8Array }): Promise<void> {
    const ev: FsmEvent = { type: 'ManualStop' };
    if (reason !== undefined) ev.reason = reason;
    if (cease) ev.notification = { code: ErrCode.CEASE, subcode: cease.subcode, data: cease.data ?? new Uint8Array(0) };
    this.dispatch(ev);
    return this.settled();
  }

  /** Hard clear: Cease/4 (Administrative Reset), then reconnect at once. */
  reset(reason?: string): void {
    this.dispatch(reason !== undefined ? { type: 'ManualReset', reason } : { type: 'ManualReset' });
  }

  /**
   * Soft clear inbound: ask the peer to re-send its routes (ROUTE-REFRESH per negotiated family).
   * Returns false when the peer did not advertise route refresh or the session is not Established.
   */
  refresh(family?: Family): boolean {
    const n = this._negotiated;
    if (this.fsm.state !== 'Established' || !n?.routeRefresh) return false;
    for (const f of family ? [family] : n.families) {
      this.write({ type: MsgType.ROUTE_REFRESH, afi: f.afi, safi: f.safi, subtype: 0 });
    }
    return true;
  }

  /**
   * Writes pre-encoded UPDATEs (from the RIB's Adj-RIB-Out) in one corked burst. Returns false when
   * the session is not Established (nothing written) or when the send buffer is now full (all was
   * written; wait for `drained()` before the next burst).
   */
  send(buffers: Buffer[]): boolean {
    const c = this.conn;
    if (!c || c.closed || this.fsm.state !== 'Established') return false;
    // one joined write: a burst of thousands of small UPDATEs as separate chunks cost more in
    // writev bookkeeping (~10% of bgpd's CPU on a 1M-route table with 5,000 attribute sets) than the copy
    if (buffers.length === 1) c.socket.write(buffers[0]);
    else if (buffers.length > 1) c.socket.write(Buffer.concat(buffers));
    this.counters.messagesOut.update += buffers.length;
    if (!c.socket.writableNeedDrain) return true;
    this.armSendHold(c);
    return false;
  }

  /** Resolves when the send buffer has room again (or the connection is gone). */
  drained(): Promise<void> {
    const s = this.conn?.socket;
    if (!s || !s.writableNeedDrain) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        s.off('drain', done);
        s.off('close', done);
        resolve();
      };
      s.on('drain', done);
      s.on('close', done);
    });
  }

  /**
   * RFC 7313 enhanced route refresh markers around a re-advertisement (1 = BoRR, 2 = EoRR). Returns
   * false when the peer did not negotiate enhanced route refresh.
   */
  sendRefreshMarker(family: Family, subtype: 1 | 2): boolean {
    if (this.fsm.state !== 'Established' || !this._negotiated?.enhancedRouteRefresh) return false;
    this.write({ type: MsgType.ROUTE_REFRESH, afi: family.afi, safi: family.safi, subtype });
    return true;
  }

  /** RFC 4724 End-of-RIB marker for one family. */
  sendEndOfRib(family: Family): boolean {
    if (this.fsm.state !== 'Established') return false;
    const eor: UpdateMessage =
      family.afi === Afi.IPv4 && family.safi === Safi.Unicast
        ? { type: MsgType.UPDATE, withdrawn: [], attrs: {}, nlri: [] }
        : { type: MsgType.UPDATE, withdrawn: [], attrs: {}, nlri: [], mpUnreach: { afi: family.afi, safi: family.safi, withdrawn: [] } };
    this.write(eor);
    return true;
  }

  /** Resolves when every socket this session closed has finished closing. */
  async settled(): Promise<void> {
    while (this.closing.size > 0) await Promise.all([...this.closing]);
  }

  /** A point-in-time view for `show neighbor` / bgpctl. */
  snapshot(): SessionSnapshot {
    return {
      name: this.config.name,
      peerAddress: this.config.peerAddress,
      peerAs: this.config.peerAs,
      localAs: this.config.localAs,
      state: this.fsm.state,
      adminDown: this.fsm.adminDown,
      since: this.counters.since,
      uptimeMs: this.uptimeMs,
      ...(this.conn ? { direction: this.conn.direction } : {}),
      local: this.localEndpoint,
      remote: this.remoteEndpoint,
      ...(this._negotiated ? { negotiated: this._negotiated } : {}),
      ...(this._peerOpenRaw ? { peerOpenHex: this._peerOpenRaw.toString('hex') } : {}),
      counters: this.counters,
      timers: {
        hold: this.timers.status('hold'),
        keepalive: this.timers.status('keepalive'),
        connectRetry: this.timers.status('connectRetry'),
        idleHold: this.timers.status('idleHold'),
      },
      connectRetryCounter: this.fsm.connectRetryCounter,
    };
  }

  // ---- incoming connections ----------------------------------------------------------------

  acceptIncoming(socket: BgpSocket): boolean {
    const st = this.fsm.state;
    const remote = socket.remoteAddress;
    if (st === 'Idle') {
      this.logger.info({ peer: this.config.name, remote, state: st }, 'refusing connection: session is idle');
      return false;
    }
    if (st === 'Connect' || st === 'Active') {
      this.abandonPendingOut();
      this.conn = this.attach(socket, 'in');
      this.dispatch({ type: 'TcpConnectionConfirmed' });
      return true;
    }
    if (st === 'Established' && this._negotiated?.gracefulRestart.peer) {
      // RFC 4724 §4.1: the peer restarted and is coming back; the old connection is dead.
      this.logger.info({ peer: this.config.name, remote }, 'new connection from graceful-restart peer while Established: peer restarted');
      this.dispatch({ type: 'PeerRestarted' });
      return this.acceptIncoming(socket);
    }
    if (st === 'Established') {
      // RFC 4271 §6.8: a collision with an Established session closes the new connection.
      this.logger.info({ peer: this.config.name, remote }, 'closing second connection: session already Established');
      const c = this.attach(socket, 'in');
      this.writeTo(c, notificationMsg(cease(CeaseSub.CONNECTION_COLLISION)));
      this.closeConn(c);
      return true;
    }
    // OpenSent / OpenConfirm: run a second OPEN exchange and decide once its OPEN arrives.
    if (this.candidate) this.closeConn(this.candidate);
    const c = this.attach(socket, 'in');
    this.candidate = c;
    this.writeTo(c, buildOpen(this.config));
    c.openTimer = setTimeout(() => {
      if (this.candidate === c) {
        this.candidate = undefined;
        this.closeConn(c);
      }
    }, this.fsm.config.openHoldTime * 1000);
    c.openTimer.unref();
    this.logger.info({ peer: this.config.name, remote, state: st }, 'second connection from peer: collision detection');
    return true;
  }

  // ---- FSM plumbing --------------------------------------------------------------------------

  private dispatch(ev: FsmEvent): void {
    const before = this.fsm.state;
    const actions = this.fsm.handle(ev);
    this.afterTransition(before, actions, ev.type);
  }

  private afterTransition(before: FsmState, actions: FsmAction[], cause: string): void {
    const after = this.fsm.state;
    if (after !== before) {
      recordTransition(this.counters, { from: before, to: after, at: Date.now(), reason: cause });
      this.logger.info({ peer: this.config.name, from: before, to: after, event: cause }, 'BGP state change');
    }
    this.run(actions);
    // Cleared only now, so 'down' handlers can still read what the dead session had negotiated.
    if (after !== before && (after === 'Idle' || after === 'Active' || after === 'Connect')) this._negotiated = undefined;
    if (after !== before) this.emit('stateChange', before, after);
  }

  private run(actions: FsmAction[]): void {
    for (const a of actions) {
      switch (a.type) {
        case 'connect':
          this.connectOut();
          break;
        case 'sendOpen':
          if (this.conn) this.writeTo(this.conn, buildOpen(this.config));
          break;
        case 'sendKeepalive':
          if (this.conn) this.writeTo(this.conn, { type: MsgType.KEEPALIVE });
          break;
        case 'sendNotification':
          if (this.conn && !this.conn.closed) this.sendNotification(this.conn, a.notification);
          break;
        case 'drop':
          this.abandonPendingOut();
          if (this.conn) this.closeConn(this.conn);
          this.conn = undefined;
          if (this.candidate) this.closeConn(this.candidate);
          this.candidate = undefined;
          break;
        case 'startTimer':
          this.timers.start(a.timer, a.ms);
          break;
        case 'stopTimer':
          this.timers.stop(a.timer);
          break;
        case 'established':
          this.logger.info({ peer: this.config.name, negotiated: summary(this._negotiated) }, 'BGP session established');
          if (this._negotiated) this.emit('established', this._negotiated);
          break;
        case 'down':
          this.logger.warn({ peer: this.config.name, reason: a.reason }, 'BGP session down');
          this.emit('down', a.reason);
          break;
      }
    }
  }

  private onTimer(t: TimerName): void {
    switch (t) {
      case 'connectRetry':
        this.dispatch({ type: 'ConnectRetryTimer_Expires' });
        return;
      case 'hold': {
        const c = this.conn;
        if (c?.awaitingConsumer) {
          this.logger.debug({ peer: this.config.name }, 'hold timer expired while we were not reading: re-armed');
          this.rearmHold();
          return;
        }
        // After our own process was stalled (long GC, a blocking consumer, SIGSTOP) overdue timers run
        // before pending socket input is read. Judge the peer only after one I/O poll: if bytes
        // arrived, it was alive and the messages will restart the timer.
        const seq = c?.dataSeq ?? 0;
        setImmediate(() => {
          // Gone, or a message processed meanwhile already restarted the timer.
          if (c !== this.conn || this.timers.status('hold')) return;
          if (c && (c.dataSeq !== seq || c.unprocessedBytes > 0 || c.pumpScheduled)) {
            this.logger.debug({ peer: this.config.name }, 'hold timer expired with input pending: re-armed');
            this.rearmHold();
            return;
          }
          this.dispatch({ type: 'HoldTimer_Expires' });
        });
        return;
      }
      case 'keepalive':
        this.dispatch({ type: 'KeepaliveTimer_Expires' });
        return;
      case 'idleHold':
        this.dispatch({ type: 'IdleHoldTimer_Expires' });
        return;
    }
  }

  private rearmHold(): void {
    const n = this._negotiated;
    const st = this.fsm.state;
    const secs = n && (st === 'OpenConfirm' || st === 'Established') ? n.holdTime : this.fsm.config.openHoldTime;
    if (secs > 0) this.timers.start('hold', secs * 1000);
  }

  // ---- sockets ---------------------------------------------------------------------------------

  private connectOut(): void {
    this.abandonPendingOut();
    const sock = this.connector({
      host: this.config.peerAddress,
      port: this.config.peerPort ?? 179,
      ...(this.config.localAddress ? { localAddress: this.config.localAddress } : {}),
    });
    this.pendingOut = sock;
    const onError = (err: Error) => {
      if (this.pendingOut !== sock) return;
      this.pendingOut = undefined;
      sock.destroy();
      this.localError(`connect: ${(err as NodeJS.ErrnoException).code ?? err.message}`);
      this.dispatch({ type: 'TcpConnectionFails', error: err.message });
    };
    sock.once('error', onError);
    sock.once('close', () => onError(new Error('connection closed')));
    sock.once('connect', () => {
      if (this.pendingOut !== sock) return;
      this.pendingOut = undefined;
      sock.off('error', onError);
      this.conn = this.attach(sock, 'out');
      this.dispatch({ type: 'Tcp_CR_Acked' });
    });
  }

  private abandonPendingOut(): void {
    const s = this.pendingOut;
    if (!s) return;
    this.pendingOut = undefined;
    s.destroy();
  }

  private attach(socket: BgpSocket, direction: 'in' | 'out'): Conn {
    const c: Conn = {
      socket,
      direction,
      reader: undefined as unknown as MessageReader,
      closed: false,
      pumpScheduled: false,
      awaitingConsumer: false,
      unprocessedBytes: 0,
      dataSeq: 0,
      batch: [],
    };
    c.reader = new MessageReader(() => codecContextFor(c.negotiated));
    socket.on('data', (chunk: Buffer) => {
      if (c.closed) return;
      c.reader.push(chunk);
      c.dataSeq++;
      // Decode on the next turn, not inside this callback: data that arrives together is handled
      // (and handed to the consumer) as one batch, and timers get to run in between.
      c.unprocessedBytes += chunk.length;
      if (c.unprocessedBytes > MAX_UNPROCESSED_BYTES) socket.pause();
      this.schedulePump(c);
    });
    socket.on('error', (err: Error) => {
      if (!c.closed) this.localError(`socket: ${(err as NodeJS.ErrnoException).code ?? err.message}`);
    });
    socket.on('close', () => this.onConnClosed(c));
    // BGP has no use for half-open connections: when the peer finishes sending, we finish too
    // (net.Socket does this itself; other Duplex implementations may not).
    socket.on('end', () => socket.end());
    socket.resume();
    return c;
  }

  private onConnClosed(c: Conn): void {
    if (c.openTimer) clearTimeout(c.openTimer);
    if (c.closed) return;
    // Input is decoded on the next turn, so the close can overtake the last messages — typically the
    // peer's NOTIFICATION explaining the close. Handle what is buffered first.
    for (let i = 0; i < 64 && !c.closed && !c.awaitingConsumer && c.reader.buffered >= 19; i++) this.pump(c);
    if (c.closed) return;
    c.closed = true;
    if (c === this.candidate) {
      this.candidate = undefined;
      return;
    }
    if (c === this.conn) {
      if (this.promoteCandidate(c)) return;
      this.conn = undefined;
      if (this.counters.lastError?.direction !== 'local' || Date.now() - this.counters.lastError.at > 1000) {
        this.localError('connection closed by peer');
      }
      this.dispatch({ type: 'TcpConnectionFails' });
    }
  }

  /** Graceful close: flush what was written (e.g. a NOTIFICATION), then destroy after a grace period. */
  private closeConn(c: Conn): void {
    if (c.openTimer) clearTimeout(c.openTimer);
    if (c.sendHold) this.scheduler.clearTimeout(c.sendHold);
    c.sendHold = undefined;
    if (c.closed) return;
    c.closed = true;
    c.batch = [];
    const s = c.socket;
    const p = new Promise<void>((resolve) => {
      if (s.destroyed) return resolve();
      const t = setTimeout(() => s.destroy(), CLOSE_GRACE_MS);
      t.unref();
      s.once('close', () => {
        clearTimeout(t);
        resolve();
      });
      s.end();
      // Reading until the peer closes its side lets the FIN exchange finish; the data is ignored.
      s.resume();
    });
    this.closing.add(p);
    void p.then(() => this.closing.delete(p));
  }

  private writeTo(c: Conn, msg: BgpMessage): void {
    if (c.closed || c.socket.destroyed) return;
    const kind = messageKind(msg.type);
    if (kind) this.counters.messagesOut[kind]++;
    c.socket.write(encodeMessage(msg, codecContextFor(c.negotiated)));
    if (c.socket.writableNeedDrain) this.armSendHold(c);
  }

  /**
   * RFC 9687: a peer that stops reading would make us queue KEEPALIVEs (and the RIB's UPDATEs)
   * forever while its own keepalives keep our hold timer happy. Close it after the send hold time.
   */
  private armSendHold(c: Conn): void {
    if (c.sendHold || c.closed) return;
    const cfg = this.config.sendHoldTime;
    const hold = this._negotiated?.holdTime ?? this.fsm.config.openHoldTime;
    const secs = cfg ?? Math.max(480, 2 * hold);
    if (secs <= 0) return;
    const onDrain = () => {
      if (c.sendHold) this.scheduler.clearTimeout(c.sendHold);
      c.sendHold = undefined;
    };
    c.socket.once('drain', onDrain);
    c.sendHold = this.scheduler.setTimeout(() => {
      c.sendHold = undefined;
      c.socket.off('drain', onDrain);
      if (c !== this.conn || c.closed) return;
      this.logger.warn({ peer: this.config.name, seconds: secs }, 'peer has not read our messages: send hold timer expired');
      this.dispatch({ type: 'AutomaticStop', notification: { code: SEND_HOLD_TIMER_EXPIRED, subcode: 0, data: new Uint8Array(0) } });
    }, secs * 1000);
  }

  private write(msg: BgpMessage): void {
    if (this.conn) this.writeTo(this.conn, msg);
  }

  private sendNotification(c: Conn, n: NotificationSpec): void {
    this.writeTo(c, notificationMsg(n));
    const text = describeNotification(n.code, n.subcode, n.data);
    recordError(this.counters, { direction: 'sent', code: n.code, subcode: n.subcode, text: `sent ${text}`, at: Date.now() });
    this.logger.warn({ peer: this.config.name, code: n.code, subcode: n.subcode }, `sent NOTIFICATION: ${text}`);
    this.emit('notification', { direction: 'sent', ...n, text });
  }

  private localError(text: string): void {
    recordError(this.counters, { direction: 'local', text: `local ${text}`, at: Date.now() });
    this.logger.info({ peer: this.config.name }, text);
  }

  // ---- input -------------------------------------------------------------------------------

  private schedulePump(c: Conn): void {
    if (c.pumpScheduled || c.awaitingConsumer || c.closed) return;
    c.pumpScheduled = true;
    setImmediate(() => {
      c.pumpScheduled = false;
      this.pump(c);
    });
  }

  /** Decodes and handles up to MAX_MESSAGES_PER_TICK messages, then yields to the event loop. */
  private pump(c: Conn): void {
    if (c.closed || c.awaitingConsumer) return;
    c.unprocessedBytes = 0;
    let handled = 0;
    while (handled < MAX_MESSAGES_PER_TICK && !c.closed && !c.awaitingConsumer) {
      let r: DecodeResult | null;
      try {
        r = c.reader.next();
      } catch (err) {
        this.logger.error({ peer: this.config.name, err: String(err) }, 'decoder failed');
        this.failConnection(c, { code: ErrCode.CEASE, subcode: 0, data: new Uint8Array(0) });
        return;
      }
      if (!r) break;
      handled++;
      if (c === this.conn) this.handleMessage(c, r);
      else if (c === this.candidate) this.handleCandidateMessage(c, r);
      if (c.batch.length >= this.batchSize) this.deliver(c);
    }
    if (c.closed) return;
    if (c.batch.length > 0 && !c.awaitingConsumer) this.deliver(c);
    if (c.awaitingConsumer) return;
    if (handled === MAX_MESSAGES_PER_TICK) {
      // More may be buffered: stop the socket from piling up more and continue on the next turn.
      c.socket.pause();
      this.schedulePump(c);
    } else {
      c.socket.resume();
    }
  }

  private deliver(c: Conn): void {
    const batch = c.batch;
    c.batch = [];
    let result: void | Promise<void>;
    try {
      result = this.consumer(batch);
    } catch (err) {
      this.logger.error({ peer: this.config.name, err: String(err) }, 'update consumer threw');
      return;
    }
    if (result && typeof (result as Promise<void>).then === 'function') {
      c.awaitingConsumer = true;
      c.socket.pause();
      (result as Promise<void>).then(
        () => this.resumeAfterConsumer(c),
        (err: unknown) => {
          this.logger.error({ peer: this.config.name, err: String(err) }, 'update consumer failed');
          this.resumeAfterConsumer(c);
        },
      );
    }
  }

  private resumeAfterConsumer(c: Conn): void {
    c.awaitingConsumer = false;
    if (c.closed) return;
    this.schedulePump(c);
  }

  private failConnection(c: Conn, n: NotificationSpec): void {
    if (c === this.conn) this.dispatch({ type: 'BGPHeaderErr', notification: n });
    else {
      this.sendNotification(c, n);
      if (c === this.candidate) this.candidate = undefined;
      this.closeConn(c);
    }
  }

  private handleMessage(c: Conn, r: DecodeResult): void {
    const kind = messageKind(r.msg?.type ?? r.raw[18] ?? 0);
    if (kind) this.counters.messagesIn[kind]++;
    if (!r.ok) {
      this.logger.warn(
        { peer: this.config.name, action: r.action, problems: r.problems, code: r.notification.code, subcode: r.notification.subcode },
        'malformed message from peer',
      );
      const n = r.notification;
      const type = n.code === ErrCode.MESSAGE_HEADER ? 'BGPHeaderErr' : n.code === ErrCode.OPEN_MESSAGE ? 'BGPOpenMsgErr' : 'UpdateMsgErr';
      this.dispatch({ type, notification: n });
      return;
    }
    const msg = r.msg;
    switch (msg.type) {
      case MsgType.OPEN:
        this.onOpen(c, msg, r.raw);
        return;
      case MsgType.KEEPALIVE:
        this.dispatch({ type: 'KeepAliveMsg' });
        return;
      case MsgType.UPDATE:
        this.dispatch({ type: 'UpdateMsg' });
        if (this.fsm.state !== 'Established' || c !== this.conn) return;
        if (r.action !== ErrorAction.NONE) {
          if (r.action === ErrorAction.TREAT_AS_WITHDRAW) this.counters.treatAsWithdraw++;
          else this.counters.attributeDiscard++;
          this.logger.warn(
            { peer: this.config.name, action: r.action === ErrorAction.TREAT_AS_WITHDRAW ? 'treat-as-withdraw' : 'attribute-discard', problems: r.problems },
            'malformed UPDATE handled per RFC 7606',
          );
        }
        c.batch.push({ msg, action: r.action, problems: r.problems });
        return;
      case MsgType.NOTIFICATION: {
        const text = describeNotification(msg.code, msg.subcode, msg.data);
        recordError(this.counters, { direction: 'received', code: msg.code, subcode: msg.subcode, text: `received ${text}`, at: Date.now() });
        this.logger.warn({ peer: this.config.name, code: msg.code, subcode: msg.subcode }, `received NOTIFICATION: ${text}`);
        this.emit('notification', { direction: 'received', code: msg.code, subcode: msg.subcode, data: msg.data, text });
        const st = this.fsm.state;
        if (msg.code === ErrCode.CEASE && msg.subcode === CeaseSub.CONNECTION_COLLISION && (st === 'OpenSent' || st === 'OpenConfirm')) {
          // The peer resolved a collision before we did and dropped this connection: carry on with
          // its connection (already here, or about to arrive) instead of failing the session.
          if (!this.promoteCandidate(c)) this.dispatch({ type: 'CollisionLost' });
          return;
        }
        const verErr = msg.code === ErrCode.OPEN_MESSAGE && msg.subcode === OpenSub.UNSUPPORTED_VERSION;
        this.dispatch({ type: verErr ? 'NotifMsgVerErr' : 'NotifMsg' });
        return;
      }
      case MsgType.ROUTE_REFRESH:
        this.dispatch({ type: 'RouteRefreshMsg' });
        if (this.fsm.state === 'Established') {
          // Deliver earlier UPDATEs first so the consumer sees events in wire order.
          if (c.batch.length > 0) this.deliver(c);
          this.emit('routeRefresh', { afi: msg.afi, safi: msg.safi, subtype: msg.subtype });
        }
        return;
    }
  }

  private onOpen(c: Conn, open: OpenMessage, raw: Buffer): void {
    if (this.fsm.state !== 'OpenSent') {
      this.dispatch({ type: 'BGPOpen', holdTime: open.holdTime, keepaliveTime: 0 });
      return;
    }
    const check = checkPeerOpen(this.config, open);
    if (!check.ok) {
      this.logger.warn({ peer: this.config.name, reason: check.reason }, 'rejecting OPEN');
      this.dispatch({ type: 'BGPOpenMsgErr', notification: check.notification });
      return;
    }
    c.open = open;
    c.negotiated = check.negotiated;
    this._negotiated = check.negotiated;
    this._peerOpenRaw = Buffer.from(raw);
    this.dispatch({ type: 'BGPOpen', holdTime: check.negotiated.holdTime, keepaliveTime: check.negotiated.keepaliveTime });
  }

  /**
   * The main connection went away while a second connection from the peer is still in its OPEN
   * exchange: continue on that one (in OpenSent; its OPEN is handled as the main OPEN).
   */
  private promoteCandidate(main: Conn): boolean {
    const c = this.candidate;
    const st = this.fsm.state;
    if (!c || c.closed || (st !== 'OpenSent' && st !== 'OpenConfirm')) return false;
    this.logger.info({ peer: this.config.name, dropped: main.direction }, 'connection collision: peer dropped our connection, continuing on its');
    if (c.openTimer) clearTimeout(c.openTimer);
    this.candidate = undefined;
    this.closeConn(main);
    this.conn = c;
    this._negotiated = undefined;
    this.afterTransition(st, this.fsm.adoptCollisionWinner(), 'collision');
    return true;
  }

  /** Messages on the second connection of a collision: only its OPEN matters. */
  private handleCandidateMessage(c: Conn, r: DecodeResult): void {
    if (!r.ok) {
      this.failConnection(c, r.notification);
      return;
    }
    if (r.msg.type !== MsgType.OPEN) {
      this.candidate = undefined;
      this.closeConn(c);
      return;
    }
    this.counters.messagesIn.open++;
    const check = checkPeerOpen(this.config, r.msg);
    if (!check.ok) {
      this.failConnection(c, check.notification);
      return;
    }
    const main = this.conn;
    const keepOut = keepLocallyInitiated(this.config.routerId, this.config.localAs, r.msg.routerId, check.negotiated.peerAs);
    // The candidate is always incoming. If the main connection is incoming too, the peer gave up on
    // it and started over: prefer the newer one.
    const candidateWins =
      this.fsm.state !== 'Established' && main !== undefined && (main.direction === 'in' || !keepOut);
    if (c.openTimer) clearTimeout(c.openTimer);
    this.candidate = undefined;
    if (!candidateWins || !main) {
      this.logger.info({ peer: this.config.name, kept: main?.direction }, 'connection collision: closing the incoming connection');
      this.sendNotification(c, cease(CeaseSub.CONNECTION_COLLISION));
      this.closeConn(c);
      return;
    }
    this.logger.info({ peer: this.config.name, dropped: main.direction }, 'connection collision: switching to the incoming connection');
    this.sendNotification(main, cease(CeaseSub.CONNECTION_COLLISION));
    this.closeConn(main);
    this.conn = c;
    c.open = r.msg;
    c.negotiated = check.negotiated;
    this._negotiated = check.negotiated;
    this._peerOpenRaw = Buffer.from(r.raw);
    const before = this.fsm.state;
    this.afterTransition(before, this.fsm.adoptCollisionWinner(), 'collision');
    this.dispatch({ type: 'BGPOpen', holdTime: check.negotiated.holdTime, keepaliveTime: check.negotiated.keepaliveTime });
  }
}

export interface SessionSnapshot {
  name: string;
  peerAddress: string;
  peerAs: number;
  localAs: number;
  state: FsmState;
  adminDown: boolean;
  since: number;
  uptimeMs: number;
  /** Who opened the current connection: 'out' = we connected, 'in' = the peer did. */
  direction?: 'in' | 'out';
  local: { address?: string; port?: number };
  remote: { address?: string; port?: number };
  negotiated?: Negotiated;
  /** The peer's last accepted OPEN in hex (capabilities as sent, including ones we do not know). */
  peerOpenHex?: string;
  counters: SessionCounters;
  timers: Record<'hold' | 'keepalive' | 'connectRetry' | 'idleHold', { remainingMs: number; ms: number } | undefined>;
  connectRetryCounter: number;
}

/** Mistakes that would otherwise only surface as an exception inside a socket callback. */
function validateConfig(c: PeerConfig): void {
  const hold = c.holdTime ?? 90;
  const bad = (what: string) => new Error(`peer ${c.name}: invalid ${what}`);
  if (!Number.isInteger(hold) || hold === 1 || hold === 2 || hold < 0 || hold > 65535) throw bad(`hold time ${hold}`);
  for (const [what, asn] of [['local AS', c.localAs], ['peer AS', c.peerAs]] as const) {
    if (!Number.isInteger(asn) || asn < 1 || asn > 0xffffffff) throw bad(`${what} ${asn}`);
  }
  const octets = c.routerId.split('.');
  if (octets.length !== 4 || octets.some((o) => !/^\d{1,3}$/.test(o) || Number(o) > 255) || c.routerId === '0.0.0.0') {
    throw bad(`router id ${JSON.stringify(c.routerId)}`);
  }
}

function cease(subcode: number): NotificationSpec {
  return { code: ErrCode.CEASE, subcode, data: new Uint8Array(0) };
}

function notificationMsg(n: NotificationSpec): BgpMessage {
  return { type: MsgType.NOTIFICATION, code: n.code, subcode: n.subcode, data: n.data };
}

function summary(n: Negotiated | undefined): Record<string, unknown> | undefined {
  if (!n) return undefined;
  return {
    hold: n.holdTime,
    keepalive: n.keepaliveTime,
    as4: n.as4,
    families: n.families.map((f) => `${f.afi}/${f.safi}`),
    routeRefresh: n.routeRefresh,
    extendedMessage: n.extendedMessage,
  };
}
