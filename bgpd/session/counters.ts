// Per-session statistics for `show neighbor`: message counts by type, errors in both directions,
// state history.

import { MsgType } from '../wire/types';
import type { FsmState } from './fsm';

export type MessageKind = 'open' | 'update' | 'notification' | 'keepalive' | 'routeRefresh';

export function messageKind(type: number): MessageKind | undefined {
  switch (type) {
    case MsgType.OPEN:
      return 'open';
    case MsgType.UPDATE:
      return 'update';
    case MsgType.NOTIFICATION:
      return 'notification';
    case MsgType.KEEPALIVE:
      return 'keepalive';
    case MsgType.ROUTE_REFRESH:
      return 'routeRefresh';
    default:
      return undefined;
  }
}

export type MessageCounts = Record<MessageKind, number>;

export interface SessionError {
  /** 'sent'/'received' NOTIFICATION, or 'local' for socket and transport problems. */
  direction: 'sent' | 'received' | 'local';
  code?: number;
  subcode?: number;
  /** "sent Hold timer expired", "received Cease/Administrative shutdown: maintenance", "local connect ECONNREFUSED". */
  text: string;
  /** Date.now() when it happened. */
  at: number;
}

export interface StateTransition {
  from: FsmState;
  to: FsmState;
  at: number;
  reason?: string;
}

export interface SessionCounters {
  messagesIn: MessageCounts;
  messagesOut: MessageCounts;
  /** UPDATEs received with RFC 7606 treat-as-withdraw / attribute-discard applied. */
  treatAsWithdraw: number;
  attributeDiscard: number;
  /** Times the session reached Established, and left it. */
  establishedTransitions: number;
  droppedTransitions: number;
  lastError?: SessionError;
  lastSentError?: SessionError;
  lastReceivedError?: SessionError;
  /** Date.now() of the last state change (BIRD's "Since"). */
  since: number;
  /** Date.now() when the current Established period began. */
  establishedAt?: number;
  /** The last 32 transitions, oldest first. */
  transitions: StateTransition[];
}

const zero = (): MessageCounts => ({ open: 0, update: 0, notification: 0, keepalive: 0, routeRefresh: 0 });

export function newCounters(now: number): SessionCounters {
  return {
    messagesIn: zero(),
    messagesOut: zero(),
    treatAsWithdraw: 0,
    attributeDiscard: 0,
    establishedTransitions: 0,
    droppedTransitions: 0,
    since: now,
    transitions: [],
  };
}

export function recordTransition(c: SessionCounters, t: StateTransition): void {
  c.transitions.push(t);
  if (c.transitions.length > 32) c.transitions.shift();
  c.since = t.at;
  if (t.to === 'Established') {
    c.establishedTransitions++;
    c.establishedAt = t.at;
  } else if (t.from === 'Established') {
    c.droppedTransitions++;
    delete c.establishedAt;
  }
}

export function recordError(c: SessionCounters, e: SessionError): void {
  c.lastError = e;
  if (e.direction === 'sent') c.lastSentError = e;
  if (e.direction === 'received') c.lastReceivedError = e;
}
