// `ipam show`: pool usage, optional per-block rows, and who holds one address.
import { Cidr, formatIp, parseIp } from '../cidr';
import type { Datastore } from '../datastore';
import { InvalidAddressError } from '../errors';
import type { AllocationOwner } from '../model';
import { listPools } from '../pools';
import { Resources } from '../resources';
import { table, withPct } from './table';

export interface PoolUsage {
  readonly name: string;
  readonly cidr: string;
  readonly disabled: boolean;
  readonly size: number;
  readonly used: number;
  readonly free: number;
  readonly blocks: number;
}

export interface BlockUsage {
  readonly cidr: string;
  readonly pool: string | null;
  /** Node the block is affine to (null: unaffine, its addresses are borrowed). */
  readonly node: string | null;
  readonly affinityState: string | null;
  readonly size: number;
  readonly used: number;
  readonly free: number;
  /** Allocations whose owner node is not the block's node. */
  readonly borrowed: number;
}

export interface ShowResult {
  readonly pools: readonly PoolUsage[];
  readonly blocks: readonly BlockUsage[];
}

export async function showIpam(ds: Datastore): Promise<ShowResult> {
  const res = new Resources(ds);
  const pools = (await listPools(ds)).map((p) => ({ pool: p.value, cidr: Cidr.parse(p.value.cidr)! }));
  const blocks = await res.listBlocks();
  const affs = await res.listAffinities();
  const state = new Map(affs.map((a) => [`${a.value.node} ${a.value.cidr}`, a.value.state]));
  const blockRows: BlockUsage[] = blocks.map(({ block }) => {
    const node = block.affinity?.startsWith('host:') ? block.affinity.slice(5) : null;
    let borrowed = 0;
    for (const a of block.allocations()) if (a.attr.owner.node !== node) borrowed++;
    return {
      cidr: block.cidr.toString(),
      pool: pools.find((p) => p.cidr.containsCidr(block.cidr))?.pool.name ?? null,
      node,
      affinityState: node ? (state.get(`${node} ${block.cidr}`) ?? null) : null,
      size: block.size,
      used: block.used,
      free: block.free,
      borrowed,
    };
  });
  const poolRows = pools.map(({ pool, cidr }) => {
    const mine = blockRows.filter((b) => b.pool === pool.name);
    const used = mine.reduce((s, b) => s + b.used, 0);
    return { name: pool.name, cidr: pool.cidr, disabled: pool.disabled, size: cidr.size, used, free: cidr.size - used, blocks: mine.length };
  });
  return { pools: poolRows, blocks: blockRows };
}

export function renderShow(r: ShowResult, opts: { showBlocks?: boolean } = {}): string {
  const rows: string[][] = [];
  for (const p of r.pools) {
    rows.push(['IP Pool', p.cidr, String(p.size), withPct(p.used, p.size), withPct(p.free, p.size), p.disabled ? 'disabled' : '']);
    if (opts.showBlocks)
      for (const b of r.blocks.filter((x) => x.pool === p.name))
        rows.push([
          'Block',
          b.cidr,
          String(b.size),
          withPct(b.used, b.size),
          withPct(b.free, b.size),
          `${b.node ? `host:${b.node}${b.affinityState && b.affinityState !== 'confirmed' ? ` (${b.affinityState})` : ''}` : 'unaffine'}${b.borrowed ? `, ${b.borrowed} borrowed` : ''}`,
        ]);
  }
  const orphans = r.blocks.filter((b) => b.pool === null);
  if (opts.showBlocks) for (const b of orphans) rows.push(['Block', b.cidr, String(b.size), withPct(b.used, b.size), withPct(b.free, b.size), 'in no pool']);
  return table(['GROUPING', 'CIDR', 'IPS TOTAL', 'IPS IN USE', 'IPS FREE', 'OWNER'], rows, new Set([2, 3, 4]));
}

export interface IpInfo {
  readonly ip: string;
  readonly assigned: boolean;
  readonly block?: string;
  readonly handleId?: string;
  readonly sequence?: number;
  readonly owner?: AllocationOwner;
  /** Node the block is affine to; differs from owner.node for a borrowed address. */
  readonly blockNode?: string | null;
}

export async function showIp(ds: Datastore, text: string): Promise<IpInfo> {
  const ip = parseIp(text);
  if (!ip) throw new InvalidAddressError(text);
  const canon = formatIp(ip);
  const res = new Resources(ds);
  const sb = (await res.listBlocks(ip.family)).find((b) => b.block.cidr.contains(ip));
  if (!sb) return { ip: canon, assigned: false };
  const ord = sb.block.cidr.ordinalOf(ip)!;
  const attr = sb.block.attributeOf(ord);
  const blockNode = sb.block.affinity?.startsWith('host:') ? sb.block.affinity.slice(5) : null;
  if (!attr) return { ip: canon, assigned: false, block: sb.block.cidr.toString(), blockNode };
  return { ip: canon, assigned: true, block: sb.block.cidr.toString(), handleId: attr.handleId, sequence: sb.block.sequenceOf(ord), owner: attr.owner, blockNode };
}

export function renderIp(i: IpInfo): string {
  if (!i.assigned) return `${i.ip} is not assigned\n`;
  const lines = [`IP ${i.ip} is in use`, `Handle ID: ${i.handleId ?? '<none>'}`, `Block: ${i.block} (${i.blockNode ? `host:${i.blockNode}` : 'unaffine'})`];
  const attrs = Object.entries(i.owner ?? {}).filter(([, v]) => v !== undefined).sort(([a], [b]) => a.localeCompare(b));
  if (attrs.length === 0) lines.push('No Active Owner attributes defined');
  else lines.push('Active Owner Attributes:', ...attrs.map(([k, v]) => `  ${k}: ${String(v)}`));
  return lines.join('\n') + '\n';
}
