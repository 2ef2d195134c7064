// Public surface of the BGP wire codec. Session and RIB code import from here only.
export * from './types';
export * from './codes';
export { encodeMessage, decodeMessage } from './message';
export { MessageReader } from './reader';
export { encodeAttributes } from './attributes';
export { packUpdates, packWithdrawals, encodeEndOfRib, endOfRibFamily } from './pack';
export {
  parsePrefix,
  formatPrefix,
  prefixLength,
  prefixFamilyOf,
  prefixAddress,
  prefixKeyFromAddress,
  prefixCovers,
  maxPrefixLength,
} from './prefix';
export { parseIPv4, parseIPv6, formatIPv4, formatIPv6, canonicalAddress } from './addr';
export {
  checkOpenAgainstLocal,
  codecContextFor,
  myAsField,
  negotiatedHoldTime,
  peerAsOf,
  unsupportedCapabilityNotification,
} from './open';
export { emptyCapabilities } from './capabilities';
export {
  encodeShutdownCommunication,
  decodeShutdownCommunication,
  shutdownNotification,
  SHUTDOWN_MAX,
  hardResetNotification,
  unwrapHardReset,
} from './notification';
export type { ShutdownCommunication } from './notification';
export { describeNotification } from './notification-text';
export { hexOf } from './problems';
export { OpaqueAttr } from './attr-table';
