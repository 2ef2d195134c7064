// The allocator: assign/release addresses and claim/release blocks. The algorithm is explained in
// README.md; every datastore write is a CAS retried with backoff (retry.ts).
import { Block } from './block';
import { BlockRanges } from './block-ranges';
import { Cidr, formatIp, parseIp, type IpFamily, type ParsedIp } from './cidr';
import type { Datastore } from './datastore';
import {
  AddressInUseError,
  AddressNotInPoolError,
  AffinityMismatchError,
  BlockLimitError,
  FamilyMismatchError,
  InvalidAddressError,
  IpamError,
  NoQualifiedPoolError,
  PoolExhaustedError,
} from './errors';
import { fnv1a32 } from './hash';
import type { AllocationOwner, AllowedUse, Assignment, IPAMConfig, IPPool } from './model';
import { blockPrefix } from './keys';
import { getNode } from './nodes';
import { listPools } from './pools';
import type { Stored } from './records';
import { Resources, validateHandleId, type AffinityRecord, type StoredBlock } from './resources';
import { Conflict, withRetries } from './retry';
import { parseSelector } from './selector';

const DEFAULT_BLOCK_CAP = 20;

export interface AutoAssignRequest {
  readonly handleId: string;
  readonly node: string;
  readonly family: IpFamily;
  /** How many addresses (default 1). */
  readonly count?: number;
  readonly owner?: AllocationOwner;
  /** Default `workload`. */
  readonly use?: AllowedUse;
  /** Restrict to these pools (names or CIDRs); selectors are then not evaluated, like Calico. */
  readonly pools?: readonly string[];
}

export interface AssignIpRequest {
  readonly ip: string;
  readonly handleId: string;
  readonly node: string;
  readonly owner?: AllocationOwner;
  readonly use?: AllowedUse;
}

export interface ReleaseRequest {
  readonly ip: string;
  /** From the Assignment: refuse to free an address that was re-allocated since. */
  readonly sequence?: number;
  /** Only free it if it still belongs to this handle. */
  readonly handleId?: string;
}

export type ReleaseOutcome = 'released' | 'not-assigned' | 'stale' | 'other-handle';

interface PoolInfo {
  readonly pool: IPPool;
  readonly cidr: Cidr;
}

/** Something that runs a function exclusively (store/host-lock.ts HostLock). */
export interface Serializer {
  with<T>(fn: () => T | Promise<T>): Promise<T>;
}

export interface IpamOptions {
  /**
   * Serialize this host's IPAM operations (Calico's CNI `ipam.lock`). Optional: correctness comes
   * from CAS alone; the lock only stops parallel CNI calls on one node from fighting over the same
   * block, which costs each loser a handle increment + decrement and a re-read.
   */
  readonly hostLock?: Serializer;
}

export class Ipam {
  readonly res: Resources;
  private readonly serial: Serializer;

  constructor(
    readonly ds: Datastore,
    opts: IpamOptions = {},
  ) {
    this.res = new Resources(ds);
    this.serial = opts.hostLock ?? { with: async (fn) => fn() };
  }

  // ------------------------------------------------------------------ assign

  autoAssign(req: AutoAssignRequest): Promise<Assignment[]> {
    return this.serial.with(() => this.autoAssignUnlocked(req));
  }

  private async autoAssignUnlocked(req: AutoAssignRequest): Promise<Assignment[]> {
    validateHandleId(req.handleId);
    const count = req.count ?? 1;
    const use = req.use ?? 'workload';
    const owner: AllocationOwner = { node: req.node, type: use, ...req.owner };
    const host = `host:${req.node}`;
    // Independent reads in parallel: on etcd each is a round trip.
    const [cfg, pools, allAffs] = await Promise.all([
      this.res.getConfig(),
      this.usablePools(req.family, req.node, use, req.pools),
      this.res.listAffinities(req.node, req.family),
    ]);
    if (pools.length === 0) throw new NoQualifiedPoolError(req.node, req.family, use);
    const out: Assignment[] = [];
    const want = (): number => count - out.length;

    // 1. Blocks this node already owns (pending ones too: finishing a half-done claim is how they heal).
    // Newest claim first: older blocks are usually full, and reading each full block costs a read.
    const affs = allAffs.filter((a) => poolOf(pools, a.value.cidr)).sort((a, b) => b.value.since - a.value.since);
    const stray = allAffs.filter((a) => !poolOf(pools, a.value.cidr));
    if (stray.length && !req.pools?.length) await this.dropUnselectedEmptyBlocks(req.node, stray);
    for (const aff of affs) {
      if (want() === 0) break;
      const sb = await this.blockForAffinity(aff, req.node);
      if (!sb || sb.block.free === 0) continue;
      out.push(...(await this.assignFromBlock(sb.block.cidr.toString(), want(), req.handleId, owner, pools, host)));
    }

    // 2. Claim new blocks, up to the per-host cap.
    const cap = cfg.maxBlocksPerHost || DEFAULT_BLOCK_CAP;
    let owned = affs.length;
    let capped = false;
    // Each lost claim race means another node now owns that CIDR, so the search moves on; the bound
    // only guards against a datastore that keeps refusing us without an error.
    for (let tries = 0; want() > 0 && cfg.autoAllocateBlocks && tries < 100; tries++) {
      if (owned >= cap) {
        capped = true;
        break;
      }
      const cidr = await this.findUsableBlock(pools, req.node, cfg);
      if (!cidr) break;
      if (!(await this.claimBlock(cidr, req.node))) continue; // lost the race for it; search again
      owned++;
      out.push(...(await this.assignFromBlock(cidr.toString(), want(), req.handleId, owner, pools, host)));
    }

    // 3. Borrow from any block with room. Unlike Calico (#4861), hitting the block cap also borrows.
    if (want() > 0 && !cfg.strictAffinity) {
      for (const p of pools) {
        if (want() === 0) break;
        const blocks = (await this.res.listBlocks(req.family)).filter((b) => p.cidr.containsCidr(b.block.cidr) && b.block.free > 0);
        const seed = fnv1a32(req.node);
        for (let i = 0; i < blocks.length && want() > 0; i++) {
          const b = blocks[(seed + i) % blocks.length];
          out.push(...(await this.assignFromBlock(b.block.cidr.toString(), want(), req.handleId, owner, pools)));
        }
      }
    }

    if (want() > 0) {
      // All-or-nothing: give back what we got so a failed ADD leaks nothing.
      await this.releaseIpsUnlocked(out.map((a) => ({ ip: a.ip, sequence: a.sequence, handleId: req.handleId })));
      if (capped && cfg.strictAffinity) throw new BlockLimitError(req.node, cap);
      throw await this.exhausted(pools, count);
    }
    return out;
  }

  /** Assigns one given address (tunnel addresses, static pod IPs). */
  assignIp(req: AssignIpRequest): Promise<Assignment> {
    return this.serial.with(() => this.assignIpUnlocked(req));
  }

  private async assignIpUnlocked(req: AssignIpRequest): Promise<Assignment> {
    validateHandleId(req.handleId);
    const ip = parseIp(req.ip);
    if (!ip) throw new InvalidAddressError(req.ip);
    const use = req.use ?? 'workload';
    const pools = (await this.enabledPools(ip.family)).filter((p) => p.cidr.contains(ip));
    const p = pools[0];
    if (!p) throw new AddressNotInPoolError(req.ip);
    if (!p.pool.allowedUses.includes(use)) throw new AddressNotInPoolError(`${req.ip} (pool ${p.pool.cidr} does not allow ${use})`);
    const owner: AllocationOwner = { node: req.node, type: use, ...req.owner };
    const cfg = await this.res.getConfig();
    const host = `host:${req.node}`;
    return withRetries(`assign ${req.ip}`, async () => {
      let bcidr = Cidr.fromIp(ip, p.pool.blockSize);
      let sb = await this.res.getBlock(bcidr.toString());
      if (!sb) {
        // A block of another size (a pool since replaced by an overlapping one) may hold the address.
        const blocks = await this.res.listBlocks(ip.family);
        sb = blocks.find((b) => b.block.cidr.contains(ip));
        if (sb) bcidr = sb.block.cidr;
        else {
          const other = new BlockRanges(blocks.map((b) => b.block.cidr)).overlapping(bcidr);
          if (other) throw new IpamError(`cannot assign ${req.ip}: its block ${bcidr} would overlap existing block ${other}`);
          await this.claimBlock(bcidr, req.node);
          throw new Conflict(`block ${bcidr}`); // re-read whatever is there now
        }
      }
      if (cfg.strictAffinity && sb.block.affinity !== host) throw new AffinityMismatchError(req.ip, bcidr.toString(), sb.block.affinity);
      const ord = bcidr.ordinalOf(ip)!;
      const got = sb.block.assignOrdinal(ord, req.handleId, owner);
      if (!got) throw new AddressInUseError(formatIp(ip), sb.block.attributeOf(ord)?.handleId ?? '?');
      await this.res.adjustHandle(req.handleId, bcidr.toString(), 1);
      try {
        await this.res.updateBlock(sb);
      } catch (err) {
        await this.res.adjustHandle(req.handleId, bcidr.toString(), -1);
        throw err;
      }
      return { ip: formatIp(ip), family: ip.family, block: bcidr.toString(), pool: p.pool.name, sequence: got.sequence };
    });
  }

  // ------------------------------------------------------------------ release

  /** Releases addresses; returns what happened to each (never throws for an unassigned address). */
  releaseIps(reqs: readonly ReleaseRequest[]): Promise<Map<string, ReleaseOutcome>> {
    return this.serial.with(() => this.releaseIpsUnlocked(reqs));
  }

  private async releaseIpsUnlocked(reqs: readonly ReleaseRequest[]): Promise<Map<string, ReleaseOutcome>> {
    const out = new Map<string, ReleaseOutcome>();
    const byBlock = new Map<string, { ord: number; req: ReleaseRequest; ip: string }[]>();
    for (const r of reqs) {
      const ip = parseIp(r.ip);
      if (!ip) throw new InvalidAddressError(r.ip);
      const text = formatIp(ip);
      const bcidr = await this.blockCidrFor(ip);
      if (!bcidr) {
        out.set(text, 'not-assigned');
        continue;
      }
      const list = byBlock.get(bcidr.toString()) ?? [];
      list.push({ ord: bcidr.ordinalOf(ip)!, req: r, ip: text });
      byBlock.set(bcidr.toString(), list);
    }
    for (const [cidr, items] of byBlock) {
      const freed = await withRetries(`release in ${cidr}`, async () => {
        const sb = await this.res.getBlock(cidr);
        const perHandle = new Map<string, number>();
        let changed = false;
        for (const it of items) {
          if (!sb) {
            out.set(it.ip, 'not-assigned');
            continue;
          }
          const handle = sb.block.attributeOf(it.ord)?.handleId;
          const r = sb.block.release(it.ord, { sequence: it.req.sequence, handleId: it.req.handleId });
          out.set(it.ip, r === 'free' ? 'not-assigned' : r);
          if (r === 'released' && handle !== undefined) {
            changed = true;
            perHandle.set(handle, (perHandle.get(handle) ?? 0) + 1);
          }
        }
        if (sb && changed) await this.writeOrDrop(sb);
        return perHandle;
      });
      // Block first, handle second: a crash in between leaves a handle count too high (harmless,
      // found by `check`), never an address held by nobody's handle.
      for (const [h, n] of freed) await this.res.adjustHandle(h, cidr, -n);
    }
    return out;
  }

  /** Releases every address of a handle and deletes the handle; returns how many were freed. */
  async releaseByHandle(handleId: string): Promise<number> {
    validateHandleId(handleId);
    return this.serial.with(() => this.releaseByHandleUnlocked(handleId));
  }

  private async releaseByHandleUnlocked(handleId: string): Promise<number> {
    return withRetries(`release handle ${handleId}`, async () => {
      const h = await this.res.getHandle(handleId);
      if (!h) return 0;
      let freed = 0;
      for (const cidr of Object.keys(h.value.block)) {
        freed += await withRetries(`release ${handleId} in ${cidr}`, async () => {
          const sb = await this.res.getBlock(cidr);
          if (!sb) return 0;
          const ords = sb.block.ordinalsOf(handleId);
          for (const o of ords) sb.block.release(o);
          if (ords.length) await this.writeOrDrop(sb);
          return ords.length;
        });
      }
      // CAS on the revision read above: if a concurrent assign bumped the handle, go round again.
      if (!(await this.res.deleteHandle(h))) throw new Conflict(h.key);
      return freed;
    });
  }

  /**
   * Gives up a node's claim on a block: pendingDeletion → delete (empty) or un-affine (not empty,
   * its addresses become borrowed) → remove the affinity. With `requireEmpty`, a block in use is kept.
   */
  async releaseAffinity(node: string, cidr: string, opts: { requireEmpty?: boolean } = {}): Promise<'released' | 'not-empty' | 'absent'> {
    return withRetries(`release affinity ${node} ${cidr}`, async () => {
      const aff = await this.res.getAffinity(node, cidr);
      if (!aff) return 'absent';
      const sb = await this.res.getBlock(cidr);
      if (sb && sb.block.affinity === `host:${node}`) {
        if (opts.requireEmpty && !sb.block.empty) {
          // An earlier attempt of ours may have got as far as pendingDeletion before the block
          // filled up (its CAS then failed): the node keeps the block, so undo that.
          if (aff.value.state === 'pendingDeletion') await this.res.setAffinity(node, cidr, 'confirmed', aff.revision);
          return 'not-empty';
        }
        const pend = await this.res.setAffinity(node, cidr, 'pendingDeletion', aff.revision);
        if (sb.block.empty) await this.res.deleteBlock(sb);
        else {
          sb.block.affinity = null;
          sb.block.affinityClaimTime = null;
          await this.res.updateBlock(sb);
        }
        if (!(await this.res.deleteAffinity(pend))) throw new Conflict(pend.key);
        return 'released';
      }
      // No block, or it belongs to someone else: our affinity is stale.
      if (!(await this.res.deleteAffinity(aff))) throw new Conflict(aff.key);
      return 'released';
    });
  }

  /** Releases the affinity of every empty block of a node (e.g. on node removal); returns the CIDRs freed. */
  async releaseEmptyAffinities(node: string): Promise<string[]> {
    const freed: string[] = [];
    for (const a of await this.res.listAffinities(node)) {
      if ((await this.releaseAffinity(node, a.value.cidr, { requireEmpty: true })) === 'released') freed.push(a.value.cidr);
    }
    return freed;
  }

  // ------------------------------------------------------------------ internals

  /** The pools a node may allocate from, in name order. */
  async usablePools(family: IpFamily, node: string, use: AllowedUse, requested?: readonly string[]): Promise<PoolInfo[]> {
    const [pools, nodeInfo] = await Promise.all([this.enabledPools(family), requested?.length ? undefined : getNode(this.ds, node)]);
    if (requested?.length) {
      return requested.map((r) => {
        const asCidr = Cidr.parse(r, false);
        if (asCidr && asCidr.family !== family) throw new FamilyMismatchError(`requested pool ${r}`, family);
        const p = pools.find((x) => x.pool.name === r || x.pool.cidr === r);
        if (!p) throw new AddressNotInPoolError(`requested pool ${r} (not an enabled IPv${family} pool)`);
        return p;
      });
    }
    const labels = nodeInfo?.labels ?? {};
    return pools.filter((p) => p.pool.allowedUses.includes(use) && (parseSelector(p.pool.nodeSelector)?.(labels) ?? false));
  }

  /**
   * Blocks of pools that were deleted, disabled or no longer select this node are given up once
   * empty, so the node stops advertising them and the space returns to the pool (Calico does the same).
   */
  private async dropUnselectedEmptyBlocks(node: string, affs: readonly Stored<AffinityRecord>[]): Promise<void> {
    if (affs.length === 0) return;
    const family = Cidr.parse(affs[0].value.cidr)?.family ?? 4;
    const labels = (await getNode(this.ds, node))?.labels ?? {};
    const selecting = (await this.enabledPools(family)).filter((p) => parseSelector(p.pool.nodeSelector)?.(labels) ?? false);
    for (const a of affs) {
      if (poolOf(selecting, a.value.cidr) || a.value.state !== 'confirmed') continue;
      await this.releaseAffinity(node, a.value.cidr, { requireEmpty: true }).catch(ignoreConflict);
    }
  }

  private async enabledPools(family: IpFamily): Promise<PoolInfo[]> {
    return (await listPools(this.ds))
      .map((s) => ({ pool: s.value, cidr: Cidr.parse(s.value.cidr)! }))
      .filter((p) => p.cidr.family === family && !p.pool.disabled);
  }

  /**
   * Block CIDR holding an address: from its pool's block size when that block exists, else by scanning
   * existing blocks (a block of another size: the pool's blockSize was edited, or it was borrowed from a
   * pool since replaced by an overlapping one — the rollback of a failed autoAssign releases such).
   */
  private async blockCidrFor(ip: ParsedIp): Promise<Cidr | undefined> {
    for (const s of await listPools(this.ds)) {
      const c = Cidr.parse(s.value.cidr)!;
      if (!c.contains(ip)) continue;
      const bc = Cidr.fromIp(ip, s.value.blockSize);
      if (await this.res.getBlock(bc.toString())) return bc;
      break;
    }
    return (await this.res.listBlocks(ip.family)).find((b) => b.block.cidr.contains(ip))?.block.cidr;
  }

  /** Loads the block behind one of our affinities, repairing half-done claims on the way. */
  private async blockForAffinity(aff: Stored<AffinityRecord>, node: string): Promise<StoredBlock | undefined> {
    const cidr = Cidr.parse(aff.value.cidr);
    if (!cidr) return undefined;
    let sb = await this.res.getBlock(aff.value.cidr);
    if (aff.value.state === 'pendingDeletion') return undefined;
    if (!sb) {
      // Claim crashed between affinity and block: finish it.
      if (!(await this.claimBlock(cidr, node))) return undefined;
      sb = await this.res.getBlock(aff.value.cidr);
    } else if (sb.block.affinity !== `host:${node}`) {
      await this.res.deleteAffinity(aff);
      return undefined;
    } else if (aff.value.state === 'pending') {
      await this.res.setAffinity(node, aff.value.cidr, 'confirmed', aff.revision).catch(ignoreConflict);
    }
    return sb;
  }

  /**
   * Claims a block for a node: pending affinity → create block → confirm. True when the block is
   * (now) ours; false when another node won it (our pending affinity is removed again).
   */
  private async claimBlock(cidr: Cidr, node: string, reclaimFrom?: StoredBlock): Promise<boolean> {
    const c = cidr.toString();
    let aff = await this.res.getAffinity(node, c);
    if (!aff) {
      try {
        aff = await this.res.setAffinity(node, c, 'pending');
      } catch (err) {
        ignoreConflict(err);
        aff = await this.res.getAffinity(node, c);
        if (!aff) return false;
      }
    }
    if (reclaimFrom) {
      // Take over an old empty block: only if it is still exactly what we saw (same revision).
      const other = reclaimFrom.block.affinity?.slice(5);
      if (other) {
        const r = await this.releaseAffinity(other, c, { requireEmpty: true }).catch(() => 'not-empty' as const);
        if (r === 'not-empty') {
          await this.res.deleteAffinity(aff);
          return false;
        }
      } else {
        await this.res.deleteBlock(reclaimFrom).catch(ignoreConflict);
      }
    }
    const created = await this.res.createBlock(Block.create(cidr, `host:${node}`));
    if (created && (await this.overlapsOtherBlock(cidr))) {
      // Lost a race with a claim of an overlapping block of another size: back off (both may; never both
      // keep theirs). Nothing is assigned from a block before claimBlock returns, so it is still empty;
      // should a CAS fail anyway, the block is left for gc's report rather than emptied under someone.
      await this.res.deleteBlock(created).catch(ignoreConflict);
      await this.res.deleteAffinity(aff);
      return false;
    }
    let ours = created !== undefined;
    if (!ours) {
      const sb = await this.res.getBlock(c);
      ours = sb?.block.affinity === `host:${node}`;
    }
    if (!ours) {
      await this.res.deleteAffinity(aff);
      return false;
    }
    await withRetries(`confirm affinity ${node} ${c}`, async () => {
      const cur = await this.res.getAffinity(node, c);
      if (cur?.value.state === 'confirmed') return;
      await this.res.setAffinity(node, c, 'confirmed', cur?.revision);
    });
    return true;
  }

  /**
   * Whether a block other than `cidr` itself shares an address with it, read after creating `cidr`. Of
   * two racing claims of overlapping blocks (different block sizes: different keys, so no CAS decides),
   * the later create always sees the earlier block here, so at most one of them keeps its block.
   */
  private async overlapsOtherBlock(cidr: Cidr): Promise<boolean> {
    // CIDRs from the keys alone: decoding every block (typed arrays per block) would double a claim's CPU
    const prefix = blockPrefix(cidr.family);
    const self = cidr.toString();
    const others: Cidr[] = [];
    for (const kv of await this.ds.list(prefix)) {
      const c = Cidr.parse(kv.key.slice(prefix.length).replace(/-(\d+)$/, '/$1'));
      if (c && c.toString() !== self) others.push(c);
    }
    return new BlockRanges(others).overlapping(cidr) !== undefined;
  }

  /**
   * Next block to claim: walk each pool's block CIDRs from a start seeded by the node name and wrap;
   * the first CIDR without a block wins, unless it overlaps a block of another size (left by a pool
   * that overlapped this one): two blocks covering one address would hand it out twice. Failing that,
   * an empty block of another node that has been claimed for longer than the reclaim age.
   */
  private async findUsableBlock(pools: readonly PoolInfo[], node: string, cfg: IPAMConfig): Promise<Cidr | undefined> {
    const family = pools[0].cidr.family;
    const existing = new Map<string, StoredBlock>();
    for (const b of await this.res.listBlocks(family)) existing.set(b.block.cidr.toString(), b);
    const ranges = new BlockRanges([...existing.values()].map((b) => b.block.cidr));
    const seed = fnv1a32(node);
    const reclaimable: StoredBlock[] = [];
    for (const p of pools) {
      const n = p.cidr.subnetCount(p.pool.blockSize);
      const start = seed % n;
      const limit = Math.min(n, 1 << 20);
      for (let i = 0; i < limit; i++) {
        const c = p.cidr.subnet(p.pool.blockSize, (start + i) % n);
        const b = existing.get(c.toString());
        if (!b) {
          if (ranges.overlapping(c)) continue;
          return c;
        }
        if (b.block.affinity === `host:${node}` && b.block.free > 0) {
          // Ours but we have no affinity record for it (lost by a crash): claimBlock re-records it.
          return c;
        }
        if (b.block.empty && b.block.affinity !== `host:${node}` && Date.now() - (b.block.affinityClaimTime ?? 0) >= cfg.emptyBlockReclaimAgeMs)
          reclaimable.push(b);
      }
    }
    for (const b of reclaimable) if (await this.claimBlock(b.block.cidr, node, b)) return b.block.cidr;
    return undefined;
  }

  /** Takes up to `n` addresses from one block (re-read on every CAS conflict). */
  private async assignFromBlock(cidr: string, n: number, handleId: string, owner: AllocationOwner, pools: readonly PoolInfo[], requireAffinity?: string): Promise<Assignment[]> {
    // How much this call has added to the handle for this block so far. A lost block CAS keeps the
    // reservation for the retry instead of decrementing and re-incrementing (2 writes per conflict).
    let held = 0;
    const settle = async (keep: number): Promise<void> => {
      if (held > keep) await this.res.adjustHandle(handleId, cidr, keep - held);
      held = keep;
    };
    try {
      const out = await withRetries(`assign from ${cidr}`, async () => {
        const sb = await this.res.getBlock(cidr);
        if (!sb || (requireAffinity !== undefined && sb.block.affinity !== requireAffinity)) return [];
        const got = sb.block.assign(n, handleId, owner);
        if (got.length === 0) return [];
        // Handle first, block second (Calico's order): a crash in between over-counts the handle,
        // which `check` reports and gc repairs, but never leaves an address without a handle.
        if (got.length > held) {
          await this.res.adjustHandle(handleId, cidr, got.length - held);
          held = got.length;
        }
        await this.res.updateBlock(sb);
        const pool = poolOf(pools, cidr)?.pool.name ?? '';
        return got.map((g) => ({ ip: sb.block.cidr.addressAt(g.ordinal), family: sb.block.cidr.family, block: cidr, pool, sequence: g.sequence }));
      });
      await settle(out.length);
      return out;
    } catch (err) {
      await settle(0);
      throw err;
    }
  }

  /** Writes a block after a release, deleting it when it is empty and nobody's. */
  private async writeOrDrop(sb: StoredBlock): Promise<void> {
    if (sb.block.empty && sb.block.affinity === null) await this.res.deleteBlock(sb);
    else await this.res.updateBlock(sb);
  }

  private async exhausted(pools: readonly PoolInfo[], wanted: number): Promise<PoolExhaustedError> {
    const blocks = await this.res.listBlocks(pools[0].cidr.family);
    const stats = pools.map((p) => {
      const inPool = blocks.filter((b) => p.cidr.containsCidr(b.block.cidr));
      return { cidr: p.pool.cidr, size: p.cidr.size, used: inPool.reduce((s, b) => s + b.block.used, 0), blocks: inPool.length };
    });
    return new PoolExhaustedError(stats, wanted > 1 ? ` (wanted ${wanted} addresses)` : '');
  }
}

function poolOf(pools: readonly PoolInfo[], cidr: string): PoolInfo | undefined {
  const c = Cidr.parse(cidr);
  return c ? pools.find((p) => p.cidr.containsCidr(c)) : undefined;
}

function ignoreConflict(err: unknown): void {
  if (!(err instanceof Conflict)) throw err;
}
