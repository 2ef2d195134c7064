// The lab harness's public surface; tests and benchmarks import from 'test/lab' (this file).
export { Lab } from './lab';
export type { LabOptions, HostOptions, LinkOptions, LabLink, BridgeOptions, LabBridge } from './lab';
export { LabHost } from './lab-host';
export { LabProcess } from './lab-process';
export type { ProcessExit, SpawnOptions } from './lab-process';
export { waitFor, sleep, WaitTimeoutError } from './wait-for';
export type { WaitForOptions } from './wait-for';
export { run, CommandError } from './run-command';
export type { CommandResult, RunOptions } from './run-command';
export { nthAddress, parseCidr, familyOf, hostPart, consecutivePrefixes } from './addr';
export { useLab } from './use-lab';
export { BirdDaemon } from './daemons/bird';
export { FrrDaemon } from './daemons/frr';
export { GobgpDaemon } from './daemons/gobgp';
export { OpenbgpdDaemon } from './daemons/openbgpd';
export { ExabgpDaemon } from './daemons/exabgp';
export type { BgpDaemon, SpeakerSpec, NeighborSpec, OriginatedRoute, ReceivedRoute, AddressFamily } from './daemons/types';
