// Per-peer bookkeeping inside the RIB: configuration, role, negotiated facts and counters.
import type { Afi } from '../wire/types';
import type { CompiledPolicy, PolicyChain } from './policy';
import { compilePolicy } from './policy';
import { addressSortKey, ipv4ToNumber } from './prefix-key';
import type { SessionRole } from './roles';
import type { PeerId, PeerUpInfo, RibPeerConfig } from './types';
import type { UpdateGroup } from './update-group';

export class PeerState {
  readonly role: SessionRole;
  readonly addrKey: string;
  up = false;
  removed = false;
  /** Bumped on every up/down so queued work for an old session can tell it is obsolete. */
  epoch = 0;
  info: PeerUpInfo | undefined;
  routerId = '0.0.0.0';
  routerIdNum = 0;
  received = 0;
  accepted = 0;
  maxPrefixExceeded = false;
  /** Families with routes kept STALE by a graceful restart. */
  readonly staleFamilies = new Set<Afi>();
  readonly groups = new Map<Afi, UpdateGroup>();
  private readonly importPolicies = new Map<Afi, CompiledPolicy | undefined>();

  constructor(readonly id: PeerId, public config: RibPeerConfig, defaultLocalAs: number) {
    const localAs = config.localAs ?? defaultLocalAs;
    this.role = {
      ebgp: config.remoteAs !== localAs,
      rrClient: config.rrClient ?? false,
      localAs,
      allowOwnAs: config.allowOwnAs ?? 0,
      nextHop: config.nextHop ?? 'auto',
      allowTransit: config.allowTransit ?? false,
      sendMed: config.sendMed ?? false,
    };
    this.addrKey = addressSortKey(config.address);
  }

  importPolicy(afi: Afi): CompiledPolicy | undefined {
    if (!this.importPolicies.has(afi)) {
      this.importPolicies.set(afi, this.config.importPolicy ? compilePolicy(this.config.importPolicy, afi) : undefined);
    }
    return this.importPolicies.get(afi);
  }

  /** Swaps policies; import changes apply to routes received from now on (ask for a route refresh). */
  setPolicies(importPolicy: PolicyChain | undefined, exportPolicy: PolicyChain | undefined): void {
    this.config = { ...this.config, importPolicy, exportPolicy };
    this.importPolicies.clear();
  }

  setRouterId(id: string): void {
    this.routerId = id;
    this.routerIdNum = ipv4ToNumber(id);
  }
}
