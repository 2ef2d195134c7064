// NOTIFICATION subcodes (RFC 4271 §4.5, RFC 5492, RFC 4486, RFC 7313, RFC 8203/9003) and a
// name lookup for logs and `bgpctl`. Kept apart from types.ts because only the codec and the
// session's log lines need the subcode names; the shared contract only needs the major codes.

export const BGP_VERSION = 4;
export const AS_TRANS = 23456;
export const HEADER_LEN = 19;
export const MAX_MESSAGE = 4096;
export const MAX_EXTENDED_MESSAGE = 65535;

export const enum HeaderSub {
  CONNECTION_NOT_SYNCHRONIZED = 1,
  BAD_MESSAGE_LENGTH = 2,
  BAD_MESSAGE_TYPE = 3,
}

export const enum OpenSub {
  UNSPECIFIC = 0,
  UNSUPPORTED_VERSION = 1,
  BAD_PEER_AS = 2,
  BAD_BGP_IDENTIFIER = 3,
  UNSUPPORTED_OPTIONAL_PARAMETER = 4,
  UNACCEPTABLE_HOLD_TIME = 6,
  UNSUPPORTED_CAPABILITY = 7,
  ROLE_MISMATCH = 11,
}

export const enum UpdateSub {
  MALFORMED_ATTRIBUTE_LIST = 1,
  UNRECOGNIZED_WELL_KNOWN = 2,
  MISSING_WELL_KNOWN = 3,
  ATTRIBUTE_FLAGS = 4,
  ATTRIBUTE_LENGTH = 5,
  INVALID_ORIGIN = 6,
  INVALID_NEXT_HOP = 8,
  OPTIONAL_ATTRIBUTE = 9,
  INVALID_NETWORK_FIELD = 10,
  MALFORMED_AS_PATH = 11,
}

export const enum CeaseSub {
  MAX_PREFIXES = 1,
  ADMIN_SHUTDOWN = 2,
  PEER_DECONFIGURED = 3,
  ADMIN_RESET = 4,
  CONNECTION_REJECTED = 5,
  OTHER_CONFIG_CHANGE = 6,
  CONNECTION_COLLISION = 7,
  OUT_OF_RESOURCES = 8,
  HARD_RESET = 9,
  BFD_DOWN = 10,
}

/** RFC 6608. */
export const enum FsmSub {
  UNSPECIFIED = 0,
  UNEXPECTED_IN_OPENSENT = 1,
  UNEXPECTED_IN_OPENCONFIRM = 2,
  UNEXPECTED_IN_ESTABLISHED = 3,
}

/** RFC 9687 error code; kept out of the shared ErrCode because only the session sends it. */
export const SEND_HOLD_TIMER_EXPIRED = 8;

export const enum RouteRefreshSub {
  INVALID_MESSAGE_LENGTH = 1,
}

const CODE_NAMES: Record<number, string> = {
  1: 'Message Header Error',
  2: 'OPEN Message Error',
  3: 'UPDATE Message Error',
  4: 'Hold Timer Expired',
  5: 'Finite State Machine Error',
  6: 'Cease',
  7: 'ROUTE-REFRESH Message Error',
  [SEND_HOLD_TIMER_EXPIRED]: 'Send Hold Timer Expired',
};

const SUB_NAMES: Record<number, Record<number, string>> = {
  1: { 1: 'Connection Not Synchronized', 2: 'Bad Message Length', 3: 'Bad Message Type' },
  2: {
    1: 'Unsupported Version Number',
    2: 'Bad Peer AS',
    3: 'Bad BGP Identifier',
    4: 'Unsupported Optional Parameter',
    6: 'Unacceptable Hold Time',
    7: 'Unsupported Capability',
    11: 'Role Mismatch',
  },
  3: {
    1: 'Malformed Attribute List',
    2: 'Unrecognized Well-known Attribute',
    3: 'Missing Well-known Attribute',
    4: 'Attribute Flags Error',
    5: 'Attribute Length Error',
    6: 'Invalid ORIGIN Attribute',
    8: 'Invalid NEXT_HOP Attribute',
    9: 'Optional Attribute Error',
    10: 'Invalid Network Field',
    11: 'Malformed AS_PATH',
  },
  5: {
    1: 'Unexpected Message in OpenSent State',
    2: 'Unexpected Message in OpenConfirm State',
    3: 'Unexpected Message in Established State',
  },
  6: {
    1: 'Maximum Number of Prefixes Reached',
    2: 'Administrative Shutdown',
    3: 'Peer De-configured',
    4: 'Administrative Reset',
    5: 'Connection Rejected',
    6: 'Other Configuration Change',
    7: 'Connection Collision Resolution',
    8: 'Out of Resources',
    9: 'Hard Reset',
    10: 'BFD Down',
  },
  7: { 1: 'Invalid Message Length' },
};

/** The RFC name of an error code, or undefined for a number we do not know. */
export function errorCodeName(code: number): string | undefined {
  return CODE_NAMES[code];
}

/** The RFC name of a subcode, or undefined for a number we do not know. */
export function errorSubcodeName(code: number, subcode: number): string | undefined {
  return SUB_NAMES[code]?.[subcode];
}

/** "UPDATE Message Error / Malformed AS_PATH" — for logs; unknown numbers are shown as numbers. */
export function notificationName(code: number, subcode: number): string {
  const c = CODE_NAMES[code] ?? `code ${code}`;
  if (subcode === 0) return `${c} / Unspecific`;
  const s = SUB_NAMES[code]?.[subcode] ?? `subcode ${subcode}`;
  return `${c} / ${s}`;
}
