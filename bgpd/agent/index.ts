// The node agent's public surface.
export { Agent } from './agent';
export type { AgentOptions } from './agent';
export { desiredPeers } from './peer-set';
export { localState, poolUsage } from './local-state';
export { PoolIndex } from './encap';
export type { AgentProgrammer, AgentSpeaker, AgentStats, DesiredPeer } from './types';
