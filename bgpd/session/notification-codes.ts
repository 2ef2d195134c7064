// NOTIFICATION subcodes we send or recognise, and their human-readable names for logs and
// `show neighbor` ("sent Hold timer expired", "received Cease/Administrative shutdown: maintenance").

import { ErrCode } from '../wire/types';
import { decodeShutdownCommunication } from './shutdown-communication';

export const enum HeaderErrorSubcode {
  CONNECTION_NOT_SYNCHRONIZED = 1,
  BAD_MESSAGE_LENGTH = 2,
  BAD_MESSAGE_TYPE = 3,
}

export const enum OpenErrorSubcode {
  UNSUPPORTED_VERSION = 1,
  BAD_PEER_AS = 2,
  BAD_BGP_IDENTIFIER = 3,
  UNSUPPORTED_OPTIONAL_PARAMETER = 4,
  UNACCEPTABLE_HOLD_TIME = 6,
  UNSUPPORTED_CAPABILITY = 7,
}

/** RFC 6608. */
export const enum FsmErrorSubcode {
  UNSPECIFIED = 0,
  UNEXPECTED_IN_OPENSENT = 1,
  UNEXPECTED_IN_OPENCONFIRM = 2,
  UNEXPECTED_IN_ESTABLISHED = 3,
}

/** RFC 4486. */
export const enum CeaseSubcode {
  MAX_PREFIXES = 1,
  ADMINISTRATIVE_SHUTDOWN = 2,
  PEER_DECONFIGURED = 3,
  ADMINISTRATIVE_RESET = 4,
  CONNECTION_REJECTED = 5,
  OTHER_CONFIGURATION_CHANGE = 6,
  CONNECTION_COLLISION_RESOLUTION = 7,
  OUT_OF_RESOURCES = 8,
  HARD_RESET = 9,
}

/** RFC 9687 error code (not in the wire types' ErrCode). */
export const SEND_HOLD_TIMER_EXPIRED = 8;

const CODE_NAMES: Record<number, string> = {
  [ErrCode.MESSAGE_HEADER]: 'Message header error',
  [ErrCode.OPEN_MESSAGE]: 'OPEN message error',
  [ErrCode.UPDATE_MESSAGE]: 'UPDATE message error',
  [ErrCode.HOLD_TIMER_EXPIRED]: 'Hold timer expired',
  [ErrCode.FSM]: 'Finite state machine error',
  [ErrCode.CEASE]: 'Cease',
  [ErrCode.ROUTE_REFRESH]: 'ROUTE-REFRESH message error',
  [SEND_HOLD_TIMER_EXPIRED]: 'Send hold timer expired',
};

const SUBCODE_NAMES: Record<number, Record<number, string>> = {
  [ErrCode.MESSAGE_HEADER]: { 1: 'Connection not synchronized', 2: 'Bad message length', 3: 'Bad message type' },
  [ErrCode.OPEN_MESSAGE]: {
    1: 'Unsupported version number',
    2: 'Bad peer AS',
    3: 'Bad BGP identifier',
    4: 'Unsupported optional parameter',
    6: 'Unacceptable hold time',
    7: 'Unsupported capability',
    11: 'Role mismatch',
  },
  [ErrCode.UPDATE_MESSAGE]: {
    1: 'Malformed attribute list',
    2: 'Unrecognized well-known attribute',
    3: 'Missing mandatory attribute',
    4: 'Attribute flags error',
    5: 'Attribute length error',
    6: 'Invalid ORIGIN attribute',
    8: 'Invalid NEXT_HOP attribute',
    9: 'Optional attribute error',
    10: 'Invalid network field',
    11: 'Malformed AS_PATH',
  },
  [ErrCode.FSM]: {
    1: 'Unexpected message in OpenSent',
    2: 'Unexpected message in OpenConfirm',
    3: 'Unexpected message in Established',
  },
  [ErrCode.CEASE]: {
    1: 'Maximum number of prefixes reached',
    2: 'Administrative shutdown',
    3: 'Peer de-configured',
    4: 'Administrative reset',
    5: 'Connection rejected',
    6: 'Other configuration change',
    7: 'Connection collision resolution',
    8: 'Out of resources',
    9: 'Hard reset',
  },
  [ErrCode.ROUTE_REFRESH]: { 1: 'Invalid message length' },
};

/**
 * "Hold timer expired", "OPEN message error/Bad peer AS", "Cease/Administrative shutdown: maintenance".
 * Shutdown communications (RFC 9003) are appended when present and valid UTF-8.
 */
export function describeNotification(code: number, subcode: number, data?: Uint8Array): string {
  const name = CODE_NAMES[code] ?? `error ${code}`;
  let text = name;
  if (subcode !== 0 || !(code in CODE_NAMES)) text += `/${SUBCODE_NAMES[code]?.[subcode] ?? `subcode ${subcode}`}`;
  if (code === ErrCode.CEASE && (subcode === CeaseSubcode.ADMINISTRATIVE_SHUTDOWN || subcode === CeaseSubcode.ADMINISTRATIVE_RESET) && data && data.length > 0) {
    const msg = decodeShutdownCommunication(data);
    if (msg !== undefined) text += `: ${msg}`;
  }
  return text;
}
