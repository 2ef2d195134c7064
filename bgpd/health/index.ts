// Health/readiness/metrics HTTP endpoint.
export { HealthServer } from './server';
export type { HealthServerOptions } from './server';
export { ReadinessGate } from './readiness';
export type { Readiness } from './readiness';
export { speakerPeers } from './speaker-source';
export type { HealthSources, PeerHealth, KernelRouteCounters, IpamUsage } from './types';
