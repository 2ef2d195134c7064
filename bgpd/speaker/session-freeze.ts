// What lets a PeerRuntime silence its session for good when bgpd stops for a restart: the session's
// timers run on a scheduler this owns, and its sockets (out through the connector, in through the
// runtime's acceptor) are tracked here. A frozen session can neither fire a timer (KEEPALIVE, Hold
// Timer NOTIFICATION, reconnect) nor put a byte on a socket, whatever path inside the session tries:
// a graceful-restart peer must see nothing from us until the kernel closes the connection at exit.
import type { Scheduler, TimerHandle } from '../session/timers';
import type { BgpSocket, Connector } from '../session/transport';

type Write = BgpSocket['write'];

export class SessionFreeze {
  private frozenAt: number | undefined;
  /** Timers armed through `scheduler` that have neither fired nor been cleared. */
  private readonly live = new Map<TimerHandle, TimerHandle>();
  private readonly sockets = new Set<BgpSocket>();
  /** The session's timers run on this. */
  readonly scheduler: Scheduler;
  /** Bytes the session tried to write after the freeze (dropped). */
  droppedBytes = 0;

  constructor(private readonly inner: Scheduler) {
    this.scheduler = {
      now: () => inner.now(),
      setTimeout: (fn, ms) => {
        // armed after the freeze: a handle that never fires
        if (this.frozen) return { refresh: () => {} };
        const outer: TimerHandle = {
          refresh: () => {
            if (this.frozen) return;
            // a real Timeout's refresh re-arms it even after it fired: it is live again
            this.live.set(outer, handle);
            handle.refresh();
          },
        };
        const handle = inner.setTimeout(() => {
          this.live.delete(outer);
          if (!this.frozen) fn();
        }, ms);
        this.live.set(outer, handle);
        return outer;
      },
      clearTimeout: (h) => {
        const handle = this.live.get(h);
        if (!handle) return;
        this.live.delete(h);
        inner.clearTimeout(handle);
      },
    };
  }

  get frozen(): boolean {
    return this.frozenAt !== undefined;
  }

  /** Wraps a connector so the sockets it makes are tracked. */
  connector(inner: Connector): Connector {
    return (o) => this.track(inner(o));
  }

  /** Tracks a socket the session is about to own (until it closes). */
  track(socket: BgpSocket): BgpSocket {
    if (this.frozen) this.gate(socket);
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    return socket;
  }

  /**
   * From now on no timer fires and every write is dropped. With `stopReading`, input is no longer
   * handed to the session either (it is left unread; the kernel discards it at exit).
   */
  freeze(opts: { stopReading: boolean }): void {
    if (!this.frozen) {
      this.frozenAt = Date.now();
      for (const [outer, handle] of [...this.live]) {
        this.live.delete(outer);
        this.inner.clearTimeout(handle);
      }
    }
    for (const s of this.sockets) {
      this.gate(s);
      if (opts.stopReading) {
        s.removeAllListeners('data');
        s.pause();
      }
    }
  }

  private gate(s: BgpSocket): void {
    const dropped: Write = ((chunk: unknown, ...rest: unknown[]) => {
      if (typeof chunk === 'string' || chunk instanceof Uint8Array) this.droppedBytes += chunk.length;
      const cb = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      if (cb) process.nextTick(cb);
      return true;
    }) as Write;
    s.write = dropped;
  }
}
