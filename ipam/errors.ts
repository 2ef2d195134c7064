// Typed IPAM errors. Each names the thing at fault so an operator can act on the message alone.

export class IpamError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class InvalidPoolError extends IpamError {
  constructor(
    readonly pool: string,
    readonly reason: string,
  ) {
    super(`invalid IP pool ${pool}: ${reason}`);
  }
}

export class PoolOverlapError extends IpamError {
  constructor(
    readonly pool: string,
    readonly existing: string,
  ) {
    super(`IP pool ${pool} overlaps existing pool ${existing}`);
  }
}

export class FamilyMismatchError extends IpamError {
  constructor(
    readonly subject: string,
    readonly expected: 4 | 6,
  ) {
    super(`${subject} is not an IPv${expected} address/CIDR`);
  }
}

export class InvalidAddressError extends IpamError {
  constructor(readonly input: string) {
    super(`'${input}' is not a valid IP address`);
  }
}

export class AddressNotInPoolError extends IpamError {
  constructor(readonly ip: string) {
    super(`${ip} is not in any configured, enabled IP pool`);
  }
}

export class AddressInUseError extends IpamError {
  constructor(
    readonly ip: string,
    readonly handleId: string,
  ) {
    super(`${ip} is already assigned (handle ${handleId})`);
  }
}

export class NoQualifiedPoolError extends IpamError {
  constructor(
    readonly node: string,
    readonly family: 4 | 6,
    readonly use: string,
  ) {
    super(`no enabled IPv${family} pool allows ${use} addresses on node ${node}`);
  }
}

export class PoolExhaustedError extends IpamError {
  constructor(
    readonly pools: readonly { cidr: string; size: number; used: number; blocks: number }[],
    readonly detail = '',
  ) {
    super(
      pools
        .map((p) => `pool ${p.cidr} is exhausted: ${p.used} of ${p.size} addresses in use in ${p.blocks} blocks`)
        .join('; ') + detail,
    );
  }
}

export class BlockLimitError extends IpamError {
  constructor(
    readonly node: string,
    readonly limit: number,
  ) {
    super(`node ${node} holds ${limit} blocks (maxBlocksPerHost) and strictAffinity forbids borrowing`);
  }
}

export class AffinityMismatchError extends IpamError {
  constructor(
    readonly ip: string,
    readonly block: string,
    readonly owner: string | null,
  ) {
    super(`${ip}: block ${block} is affine to ${owner ?? 'nobody'} and strictAffinity is on`);
  }
}

/** A record that does not parse or fails validation. Never overwritten: an operator must look at it. */
export class CorruptRecordError extends IpamError {
  constructor(
    readonly key: string,
    readonly reason: string,
  ) {
    super(`corrupt datastore record ${key}: ${reason}`);
  }
}

/** A block whose allocations and free list disagree (`check` reports it as block-count-mismatch). */
export class BlockCountError extends CorruptRecordError {}

export class TooManyRetriesError extends IpamError {
  constructor(
    readonly operation: string,
    readonly attempts: number,
  ) {
    super(`${operation}: gave up after ${attempts} conflicting concurrent updates`);
  }
}

/** The datastore itself failed (I/O, lock, connection) — distinct from a lost compare-and-swap. */
export class DatastoreError extends IpamError {
  constructor(
    readonly key: string,
    readonly reason: string,
  ) {
    super(`datastore error on ${key}: ${reason}`);
  }
}
