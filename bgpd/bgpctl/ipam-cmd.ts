// `bgpctl ipam …`: a thin argv layer over ipam/cli (all logic and rendering lives there).
// Hook: in bgpctl's main, `if (args[0] === 'ipam') process.exit(await runIpamCommand(args.slice(1), stdio))`.
import { hostname } from 'node:os';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { checkIpam, renderCheck } from '../../ipam/cli/check';
import { gcIpam, parseGraceMs, renderGc } from '../../ipam/cli/gc';
import { readReport, releaseFromReport, releaseIp, renderRepair } from '../../ipam/cli/release';
import { renderIp, renderShow, showIp, showIpam } from '../../ipam/cli/show';
import type { Datastore } from '../../ipam/datastore';
import { IpamError } from '../../ipam/errors';
import type { Encapsulation } from '../../ipam/model';
import { checkStoredPools, createPool, deletePool, listPools } from '../../ipam/pools';
import { Resources } from '../../ipam/resources';
import { KUBERNETES_SPEC_PREFIX, isKubernetesSpec } from '../../ipam/store/kubernetes-open';
import { DEFAULT_DATASTORE, openDatastore } from '../../ipam/store/open';

export interface IpamCmdIo {
  out(text: string): void;
  err(text: string): void;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export const stdio: IpamCmdIo = {
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
  env: process.env,
};

export const IPAM_USAGE = `usage: bgpctl ipam [--datastore SPEC] [--json] COMMAND
  show [--show-blocks] [--ip ADDR]      pools with size/used/free; blocks with owner; who holds ADDR
  check [-o report.json] [--node NAME]  find inconsistencies (exit 1 if any); with --node also
                                        allocations of NAME whose network namespace is gone
  release --ip ADDR | --from-report FILE
  gc [--node NAME] [--grace DURATION]   repair leftovers of crashed operations and release leaked
                                        addresses: file/etcd — NAME's allocations whose netns is gone;
                                        kubernetes — allocations whose pod is gone (cluster-wide).
                                        Acts only on what two looks DURATION apart (default 5s) agree on
  pool list | pool add CIDR [--name N] [--block-size N] [--encap ipip|vxlan|none] [--cross-subnet]
                             [--no-nat] [--disabled] [--node-selector SEL]
            | pool rm NAME            (list also names pools IPAM skips: "NOT USED: <why>")
  configure [--strict-affinity true|false] [--max-blocks-per-host N] [--auto-allocate-blocks true|false]
SPEC: file:/var/lib/tortie/ipam (default, or $TORTIE_DATASTORE) | etcd:http://127.0.0.1:2379
      | kubernetes:[KUBECONFIG]
`;

export async function runIpamCommand(argv: readonly string[], io: IpamCmdIo = stdio): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        datastore: { type: 'string' },
        json: { type: 'boolean' },
        'show-blocks': { type: 'boolean' },
        ip: { type: 'string' },
        o: { type: 'string', short: 'o' },
        node: { type: 'string' },
        'from-report': { type: 'string' },
        grace: { type: 'string' },
        'grace-ms': { type: 'string' },
        name: { type: 'string' },
        'block-size': { type: 'string' },
        encap: { type: 'string' },
        'cross-subnet': { type: 'boolean' },
        'no-nat': { type: 'boolean' },
        disabled: { type: 'boolean' },
        'node-selector': { type: 'string' },
        'strict-affinity': { type: 'string' },
        'max-blocks-per-host': { type: 'string' },
        'auto-allocate-blocks': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    io.err(`bgpctl ipam: ${(err as Error).message}\n${IPAM_USAGE}`);
    return 2;
  }
  const { values: v, positionals: pos } = parsed;
  if (v.help || pos.length === 0) {
    (v.help ? io.out : io.err)(IPAM_USAGE);
    return v.help ? 0 : 2;
  }
  const spec = v.datastore ?? io.env?.TORTIE_DATASTORE ?? DEFAULT_DATASTORE;
  const node = v.node ?? io.env?.NODENAME ?? hostname();
  const json = (x: unknown): void => io.out(JSON.stringify(x, null, 2) + '\n');
  let ds: Datastore | undefined;
  try {
    ds = await openDatastore(spec);
    switch (pos[0]) {
      case 'show': {
        if (v.ip) {
          const info = await showIp(ds, v.ip);
          v.json ? json(info) : io.out(renderIp(info));
          return 0;
        }
        const r = await showIpam(ds);
        v.json ? json(r) : io.out(renderShow(r, { showBlocks: v['show-blocks'] }));
        return 0;
      }
      case 'check': {
        const r = await checkIpam(ds, v.node ? { node: v.node } : {});
        if (v.o) writeFileSync(v.o, JSON.stringify(r, null, 2) + '\n');
        v.json ? json(r) : io.out(renderCheck(r) + (v.o ? `Report written to ${v.o}\n` : ''));
        return r.problems.length ? 1 : 0;
      }
      case 'release': {
        if (v.ip) {
          const r = await releaseIp(ds, v.ip);
          (r.released ? io.out : io.err)(r.message + '\n');
          return r.released ? 0 : 1;
        }
        if (v['from-report']) {
          const s = await releaseFromReport(ds, readReport(v['from-report']));
          v.json ? json(s) : io.out(renderRepair(s));
          return s.errors.length ? 1 : 0;
        }
        io.err('bgpctl ipam release: give --ip ADDR or --from-report FILE\n');
        return 2;
      }
      case 'gc': {
        const graceMs = v.grace !== undefined ? parseGraceMs(v.grace) : v['grace-ms'] === undefined ? undefined : Number(v['grace-ms']);
        // Kubernetes mode judges allocations by their pods (client-node only loaded here).
        const pods = isKubernetesSpec(spec)
          ? await (await import('../../ipam/k8s-pods-client')).kubernetesPodLister({ kubeconfig: spec.slice(KUBERNETES_SPEC_PREFIX.length) || undefined })
          : undefined;
        const r = await gcIpam(ds, { node, graceMs, pods });
        v.json ? json(r) : io.out(renderGc(r));
        return r.errors.length || r.after.problems.length ? 1 : 0;
      }
      case 'pool':
        return await poolCommand(ds, pos.slice(1), v, io);
      case 'configure': {
        const bool = (s: string | undefined, what: string): boolean | undefined => {
          if (s === undefined) return undefined;
          if (s !== 'true' && s !== 'false') throw new IpamError(`--${what} takes true or false, not '${s}'`);
          return s === 'true';
        };
        const patch = Object.fromEntries(
          Object.entries({
            strictAffinity: bool(v['strict-affinity'], 'strict-affinity'),
            autoAllocateBlocks: bool(v['auto-allocate-blocks'], 'auto-allocate-blocks'),
            maxBlocksPerHost: v['max-blocks-per-host'] === undefined ? undefined : Number(v['max-blocks-per-host']),
          }).filter(([, x]) => x !== undefined),
        );
        const cfg = await new Resources(ds).setConfig(patch);
        v.json ? json(cfg) : io.out(Object.entries(cfg).map(([k, x]) => `${k}: ${String(x)}`).join('\n') + '\n');
        return 0;
      }
      default:
        io.err(`bgpctl ipam: unknown command '${pos[0]}'\n${IPAM_USAGE}`);
        return 2;
    }
  } catch (err) {
    io.err(`bgpctl ipam: ${err instanceof IpamError ? err.message : String((err as Error).stack ?? err)}\n`);
    return 1;
  } finally {
    await ds?.close();
  }
}

async function poolCommand(ds: Datastore, args: readonly string[], v: Record<string, string | boolean | undefined>, io: IpamCmdIo): Promise<number> {
  switch (args[0]) {
    case 'list': {
      const pools = (await listPools(ds)).map((p) => p.value);
      if (v.json) io.out(JSON.stringify(pools, null, 2) + '\n');
      else {
        for (const p of pools) io.out(`${p.name}\t${p.cidr}\tblock /${p.blockSize}\t${p.encapsulation}${p.crossSubnet ? ' (cross-subnet)' : ''}\tnat=${p.natOutgoing}${p.disabled ? '\tdisabled' : ''}\n`);
        // pools IPAM skips (written past createPool, e.g. kubectl apply): say so instead of hiding them
        for (const c of await checkStoredPools(ds)) if (!c.pool) io.out(`${c.name}\tNOT USED: ${c.problems.map((x) => `${x.field}: ${x.message}`).join('; ')}\n`);
      }
      return 0;
    }
    case 'add': {
      if (!args[1]) throw new IpamError('pool add needs a CIDR');
      const p = await createPool(ds, {
        cidr: args[1],
        name: v.name as string | undefined,
        blockSize: v['block-size'] === undefined ? undefined : Number(v['block-size']),
        encapsulation: v.encap as Encapsulation | undefined,
        crossSubnet: v['cross-subnet'] as boolean | undefined,
        natOutgoing: v['no-nat'] ? false : undefined,
        disabled: v.disabled as boolean | undefined,
        nodeSelector: v['node-selector'] as string | undefined,
      });
      io.out(`Created pool ${p.name} ${p.cidr} (blocks /${p.blockSize})\n`);
      return 0;
    }
    case 'rm': {
      if (!args[1]) throw new IpamError('pool rm needs a pool name');
      if (!(await deletePool(ds, args[1]))) throw new IpamError(`no pool named ${args[1]}`);
      io.out(`Deleted pool ${args[1]}\n`);
      return 0;
    }
    default:
      io.err(`bgpctl ipam pool: expected list, add or rm\n`);
      return 2;
  }
}
