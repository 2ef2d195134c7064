// Public API of config/: load and validate bgpd.yaml, the normalized config type, error formatting.
export { loadConfig, parseConfigText, validateConfig } from './load';
export type { ConfigResult, ValidateOptions } from './load';
export { formatConfigError } from './errors';
export type { ConfigError } from './errors';
export { hostFacts } from './host-facts';
export type { HostFacts } from './host-facts';
export { summarizeConfig } from './summary';
export { DEFAULT_DATASTORE_PATH, DEFAULT_ETCD_PREFIX, defaultPeerName, hashRouterId } from './normalize';
export type * from './types';
export { diffConfig } from './diff';
export { peersForThisNode } from './peers';
export type { ConfigDiff } from './diff';
