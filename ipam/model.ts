// The IPAM resources as they are stored (JSON) and exchanged. Shapes follow Calico's v3 model
// (see shared/reference/calico.md §3.1) with camelCase names; the compact in-memory block is block.ts.
import type { IpFamily } from './cidr';

export type Encapsulation = 'ipip' | 'vxlan' | 'none';
export type AllowedUse = 'workload' | 'tunnel';

export interface IPPool {
  readonly name: string;
  readonly cidr: string;
  /** Prefix length of the blocks carved from the pool: default 26 (v4) / 122 (v6). */
  readonly blockSize: number;
  readonly encapsulation: Encapsulation;
  /** Encapsulate only towards nodes in another subnet. */
  readonly crossSubnet: boolean;
  readonly natOutgoing: boolean;
  readonly disabled: boolean;
  /** Which nodes may take blocks: `all()`, or `key == "v"` / `key != "v"` / `has(key)` joined by `&&`. */
  readonly nodeSelector: string;
  readonly allowedUses: readonly AllowedUse[];
}

export type AffinityState = 'pending' | 'confirmed' | 'pendingDeletion';

export interface BlockAffinity {
  readonly node: string;
  readonly cidr: string;
  /** Only `confirmed` affinities may be routed/advertised: a pending one may still lose its block. */
  readonly state: AffinityState;
}

/** Who holds an allocation; `netns` lets `gc` find allocations whose container is gone. */
export interface AllocationOwner {
  readonly node?: string;
  readonly namespace?: string;
  readonly pod?: string;
  /** The pod's UID (CNI_ARGS K8S_POD_UID): gc tells a recreated pod of the same name apart by it. */
  readonly podUid?: string;
  readonly containerId?: string;
  readonly netns?: string;
  /** `workload` for pods; a tunnel kind (`ipip`, `vxlan`, …) for tunnel addresses. */
  readonly type?: string;
}

export interface AllocationAttribute {
  readonly handleId: string;
  readonly owner: AllocationOwner;
}

/** IPAMBlock as stored. `allocations[ord]` is an index into `attributes` or null when free. */
export interface BlockRecord {
  readonly cidr: string;
  /** `host:<node>` or null once the affinity has been released (its addresses are then borrowed). */
  readonly affinity: string | null;
  /** ms since epoch; empty blocks of other nodes are only reclaimed after a minimum age. */
  readonly affinityClaimTime: number | null;
  readonly allocations: readonly (number | null)[];
  /** Free ordinals in reuse order; freed ordinals are appended, so recently freed addresses come last. */
  readonly unallocated: readonly number[];
  readonly attributes: readonly AllocationAttribute[];
  /** Bumped on every write; initialised from the clock so a recreated block never repeats old numbers. */
  readonly sequenceNumber: number;
  /** ordinal → block sequenceNumber when it was allocated (defends a stale release against reuse). */
  readonly sequenceNumberForAllocation: Readonly<Record<string, number>>;
}

export interface HandleRecord {
  readonly handleId: string;
  /** Block CIDR → number of addresses this handle holds there. */
  readonly block: Readonly<Record<string, number>>;
}

export interface IPAMConfig {
  /** Never hand out addresses from blocks affine to other nodes. */
  readonly strictAffinity: boolean;
  readonly autoAllocateBlocks: boolean;
  /** Blocks one node may claim; at the cap the node borrows (unless strictAffinity), unlike Calico #4861. */
  readonly maxBlocksPerHost: number;
  /** Minimum age before another node may take over an empty block (Calico: 1 minute). */
  readonly emptyBlockReclaimAgeMs: number;
}

export const DEFAULT_IPAM_CONFIG: IPAMConfig = {
  strictAffinity: false,
  autoAllocateBlocks: true,
  maxBlocksPerHost: 20,
  emptyBlockReclaimAgeMs: 60_000,
};

/** One address handed out. `cidr` carries the block mask, like Calico's result. */
export interface Assignment {
  readonly ip: string;
  readonly family: IpFamily;
  readonly block: string;
  readonly pool: string;
  /** The block's sequenceNumberForAllocation entry; pass it back to release safely. */
  readonly sequence: number;
}
