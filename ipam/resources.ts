// Typed access to blocks, affinities, handles and the IPAM config on top of a Datastore. Every write is
// a CAS; a lost CAS throws retry.Conflict so callers can re-read inside withRetries().
import { Block } from './block';
import type { IpFamily } from './cidr';
import type { Datastore } from './datastore';
import { CorruptRecordError, IpamError } from './errors';
import { affinityKey, affinityPrefix, ALL_AFFINITIES_PREFIX, blockKey, blockPrefix, CONFIG_KEY, handleKey, HANDLE_PREFIX } from './keys';
import { DEFAULT_IPAM_CONFIG, type AffinityState, type BlockAffinity, type BlockRecord, type HandleRecord, type IPAMConfig } from './model';
import { decode, getRecord, listRecords, type Stored } from './records';
import { Conflict, withRetries } from './retry';

export interface StoredBlock {
  readonly key: string;
  readonly block: Block;
  readonly revision: number;
}

/** Affinity as stored: the model plus when it was written (gc only removes old pending claims). */
export interface AffinityRecord extends BlockAffinity {
  readonly since: number;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isBlockRecord = (v: unknown): v is BlockRecord => isObj(v) && typeof v.cidr === 'string';
const isAffinity = (v: unknown): v is AffinityRecord =>
  isObj(v) && typeof v.node === 'string' && typeof v.cidr === 'string' && ['pending', 'confirmed', 'pendingDeletion'].includes(v.state as string);
const isHandle = (v: unknown): v is HandleRecord =>
  isObj(v) && typeof v.handleId === 'string' && isObj(v.block) && Object.values(v.block).every((n) => Number.isInteger(n));
const isConfig = (v: unknown): v is Partial<IPAMConfig> => isObj(v);

export function familyOfCidr(cidr: string): IpFamily {
  return cidr.includes(':') ? 6 : 4;
}

export function decodeBlock(kv: { key: string; value: string; revision: number }): StoredBlock {
  const rec = decode(kv, isBlockRecord, 'IPAMBlock');
  return { key: kv.key, block: Block.fromRecord(rec.value, kv.key), revision: kv.revision };
}

export class Resources {
  constructor(readonly ds: Datastore) {}

  // ---- blocks
  async getBlock(cidr: string): Promise<StoredBlock | undefined> {
    const kv = await this.ds.get(blockKey(cidr, familyOfCidr(cidr)));
    return kv ? decodeBlock(kv) : undefined;
  }

  async listBlocks(family?: IpFamily): Promise<StoredBlock[]> {
    const fams: IpFamily[] = family ? [family] : [4, 6];
    const out: StoredBlock[] = [];
    for (const f of fams) for (const kv of await this.ds.list(blockPrefix(f))) out.push(decodeBlock(kv));
    return out;
  }

  /** Creates a block; undefined when one already exists there. */
  async createBlock(block: Block): Promise<StoredBlock | undefined> {
    const key = blockKey(block.cidr.toString(), block.cidr.family);
    const res = await this.ds.create(key, JSON.stringify(block.toRecord()));
    return res.ok ? { key, block, revision: res.kv.revision } : undefined;
  }

  async updateBlock(sb: StoredBlock): Promise<number> {
    const res = await this.ds.update(sb.key, JSON.stringify(sb.block.toRecord()), sb.revision);
    if (!res.ok) throw new Conflict(sb.key);
    return res.kv.revision;
  }

  async deleteBlock(sb: StoredBlock): Promise<void> {
    if (!(await this.ds.delete(sb.key, sb.revision)).ok) throw new Conflict(sb.key);
  }

  // ---- affinities
  async listAffinities(node?: string, family?: IpFamily): Promise<Stored<AffinityRecord>[]> {
    const prefix = node ? affinityPrefix(node, family) : ALL_AFFINITIES_PREFIX;
    const all = await listRecords(this.ds, prefix, isAffinity, 'BlockAffinity');
    return node || !family ? all : all.filter((a) => familyOfCidr(a.value.cidr) === family);
  }

  async getAffinity(node: string, cidr: string): Promise<Stored<AffinityRecord> | undefined> {
    return getRecord(this.ds, affinityKey(node, cidr, familyOfCidr(cidr)), isAffinity, 'BlockAffinity');
  }

  /** Creates the affinity in `state` or moves an existing one to it (CAS). */
  async setAffinity(node: string, cidr: string, state: AffinityState, expectRevision?: number): Promise<Stored<AffinityRecord>> {
    const key = affinityKey(node, cidr, familyOfCidr(cidr));
    const value: AffinityRecord = { node, cidr, state, since: Date.now() };
    const res =
      expectRevision === undefined
        ? await this.ds.create(key, JSON.stringify(value))
        : await this.ds.update(key, JSON.stringify(value), expectRevision);
    if (!res.ok) throw new Conflict(key);
    return { key, value, revision: res.kv.revision };
  }

  async deleteAffinity(a: Stored<AffinityRecord>): Promise<boolean> {
    return (await this.ds.delete(a.key, a.revision)).ok;
  }

  // ---- handles
  async getHandle(handleId: string): Promise<Stored<HandleRecord> | undefined> {
    return getRecord(this.ds, handleKey(handleId), isHandle, 'IPAMHandle');
  }

  async listHandles(): Promise<Stored<HandleRecord>[]> {
    return listRecords(this.ds, HANDLE_PREFIX, isHandle, 'IPAMHandle');
  }

  /** Adds `delta` (may be negative) to the handle's count for `cidr`; deletes the handle at zero. */
  async adjustHandle(handleId: string, cidr: string, delta: number): Promise<void> {
    validateHandleId(handleId);
    await withRetries(`handle ${handleId}`, async (attempt) => {
      // A new handle (every CNI ADD) is the common case: try a plain create first, saving a read.
      if (attempt === 0 && delta > 0) {
        const key = handleKey(handleId);
        const first = await this.ds.create(key, JSON.stringify({ handleId, block: { [cidr]: delta } } satisfies HandleRecord));
        if (first.ok) return;
      }
      const cur = await this.getHandle(handleId);
      const counts: Record<string, number> = { ...(cur?.value.block ?? {}) };
      counts[cidr] = (counts[cidr] ?? 0) + delta;
      if (counts[cidr] <= 0) delete counts[cidr];
      const key = handleKey(handleId);
      const value = JSON.stringify({ handleId, block: counts } satisfies HandleRecord);
      let res;
      if (!cur) {
        if (delta <= 0) return;
        res = await this.ds.create(key, value);
      } else if (Object.keys(counts).length === 0) {
        res = await this.ds.delete(key, cur.revision);
      } else {
        res = await this.ds.update(key, value, cur.revision);
      }
      if (!res.ok) throw new Conflict(key);
    });
  }

  async deleteHandle(h: Stored<HandleRecord>): Promise<boolean> {
    return (await this.ds.delete(h.key, h.revision)).ok;
  }

  // ---- config
  async getConfig(): Promise<IPAMConfig> {
    const kv = await this.ds.get(CONFIG_KEY);
    if (!kv) return DEFAULT_IPAM_CONFIG;
    const rec = decode(kv, isConfig, 'IPAMConfig');
    const cfg = { ...DEFAULT_IPAM_CONFIG, ...rec.value };
    try {
      validateConfig(cfg);
    } catch (err) {
      throw new CorruptRecordError(kv.key, (err as Error).message);
    }
    return cfg;
  }

  async setConfig(patch: Partial<IPAMConfig>): Promise<IPAMConfig> {
    return withRetries('ipam config', async () => {
      const kv = await this.ds.get(CONFIG_KEY);
      const base = kv ? await this.getConfig() : DEFAULT_IPAM_CONFIG;
      const cfg = { ...base, ...patch };
      validateConfig(cfg);
      const res = kv ? await this.ds.update(CONFIG_KEY, JSON.stringify(cfg), kv.revision) : await this.ds.create(CONFIG_KEY, JSON.stringify(cfg));
      if (!res.ok) throw new Conflict(CONFIG_KEY);
      return cfg;
    });
  }
}

export class InvalidConfigError extends IpamError {}

export function validateConfig(cfg: IPAMConfig): void {
  if (!Number.isInteger(cfg.maxBlocksPerHost) || cfg.maxBlocksPerHost < 0)
    throw new InvalidConfigError(`maxBlocksPerHost must be a non-negative integer, not ${cfg.maxBlocksPerHost}`);
  if (!cfg.strictAffinity && !cfg.autoAllocateBlocks)
    throw new InvalidConfigError('autoAllocateBlocks=false needs strictAffinity=true (otherwise no node could ever get addresses)');
  if (typeof cfg.emptyBlockReclaimAgeMs !== 'number' || cfg.emptyBlockReclaimAgeMs < 0)
    throw new InvalidConfigError(`emptyBlockReclaimAgeMs must be ≥ 0`);
}

export class InvalidHandleError extends IpamError {}

/** Handle ids become key segments; control characters are what broke Calico (#3940 `\r\neth0`). */
export function validateHandleId(id: string): void {
  if (id.length === 0 || id.length > 250 || /[\x00-\x1f\x7f/]/.test(id))
    throw new InvalidHandleError(`invalid handle id ${JSON.stringify(id)}: 1–250 printable characters, no '/'`);
}
