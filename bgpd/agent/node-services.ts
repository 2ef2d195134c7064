// What a node runs next to the BGP speaker: the datastore, the agent, the route programmer and the
// health endpoint, started from the config in one call so the daemon runtime needs only one call site.
import { peersForThisNode } from '../../config/peers';
import type { LogLevel, TortieConfig } from '../../config/types';
import type { Datastore } from '../../ipam/datastore';
import { Ipam } from '../../ipam/ipam';
import { openDatastore } from '../../ipam/store/open';
import { Netlink } from '../../dataplane/index';
import { RouteProgrammer } from '../../dataplane/programmer/index';
import type { NodeFacts } from '../../dataplane/programmer/types';
import { HealthServer } from '../health/server';
import { speakerPeers } from '../health/speaker-source';
import type { Logger } from '../session/peer-config';
import type { Speaker } from '../speaker/speaker';
import { Agent } from './agent';
import { logLevelFor } from './k8s-bgpconfig';
import { tunnelAddress, vtepMac } from './tunnel';

export interface NodeServices {
  agent: Agent;
  programmer: RouteProgrammer | undefined;
  health: HealthServer | undefined;
  stop(): Promise<void>;
}

export function datastoreSpecOf(config: TortieConfig): string {
  const d = config.datastore;
  if (d.type === 'file') return `file:${d.path}`;
  if (d.type === 'etcd') return `etcd:${d.endpoints.join(',')}`;
  return `kubernetes:${d.kubeconfig ?? ''}`;
}

async function open(config: TortieConfig): Promise<Datastore> {
  const spec = datastoreSpecOf(config);
  if (config.datastore.type === 'kubernetes') {
    const { openKubernetesStore } = await import('../../ipam/store/kubernetes-open');
    return openKubernetesStore(spec);
  }
  return openDatastore(spec);
}

/** The device and prefix length holding the node address in this netns, if any. */
function underlayOf(address: string): { dev: string; cidr: string } | undefined {
  const nl = Netlink.open();
  try {
    const a = nl.addresses.list().find((x) => x.address.split('/')[0] === address);
    return a?.dev ? { dev: a.dev, cidr: a.address } : undefined;
  } finally {
    nl.close();
  }
}

/** The daemon's BGP listener, so a BGPConfiguration listenPort can move it (session/transport.ts BgpListener). */
export interface MovableListener {
  readonly port: number;
  rebind(port: number): Promise<void>;
}

/**
 * The config file's own `asNumber` and `listen.port` when the runtime replaced them in `config` with the
 * cluster's at start (k8s-startup.ts): BGPConfiguration fields a cluster object omits fall back to these.
 */
export interface FileSettings {
  asNumber: number;
  listenPort: number;
}

export async function startNodeServices(config: TortieConfig, speaker: Speaker, logger: Logger, listener?: MovableListener, fromFile?: FileSettings): Promise<NodeServices> {
  const ds = await open(config);
  const ipam = new Ipam(ds);
  const node = config.nodeName;
  const encaps = new Set(config.pools.map((p) => p.encapsulation));
  const pools = config.pools.map((p) => ({ cidr: p.cidr, blockSize: p.blockSize, encapsulation: p.encapsulation, crossSubnet: p.crossSubnet, natOutgoing: p.natOutgoing, disabled: p.disabled }));

  // the kernel side only where the node address lives here (not, e.g., on a test box), and not on a
  // route server / benchmark target (kernelRoutes.enabled false, or TORTIE_KERNEL_ROUTES=off)
  const kernel = config.kernelRoutes.enabled && process.env.TORTIE_KERNEL_ROUTES !== 'off';
  const underlay = config.nodeAddress && kernel ? underlayOf(config.nodeAddress) : undefined;
  const facts: NodeFacts | undefined = underlay ? { underlayDev: underlay.dev, address: underlay.cidr } : undefined;
  let vtep: { ip: string; mac: string } | undefined;
  if (facts && (encaps.has('vxlan') || encaps.has('ipip'))) {
    // pools must exist before a tunnel address can be taken from one
    const { createPool, listPools } = await import('../../ipam/pools');
    const have = (await listPools(ds)).map((p) => p.value.cidr);
    for (const p of pools) if (!have.includes(p.cidr)) await createPool(ds, p).catch(() => undefined);
    if (encaps.has('vxlan')) {
      vtep = { ip: await tunnelAddress(ipam, node, 'vxlan'), mac: vtepMac(node) };
      facts.vxlan = { tunnelAddress: vtep.ip, mac: vtep.mac };
    }
    if (encaps.has('ipip')) facts.ipip = { tunnelAddress: vtep?.ip ?? (await tunnelAddress(ipam, node, 'ipip')) };
  }
  const programmer = facts
    ? new RouteProgrammer({ node: facts, onError: (err) => logger.warn({ err: err.message }, 'kernel route operation failed') })
    : undefined;
  if (!programmer && !kernel) logger.info({}, 'kernel routes off (kernelRoutes.enabled false or TORTIE_KERNEL_ROUTES=off)');
  else if (!programmer) logger.info({ nodeAddress: config.nodeAddress ?? null }, 'node address not on a local interface: kernel routes off');

  // invalid Nodes, BGPPeers, BGPConfigurations and IPPools → Events, Valid conditions, log lines (k8s-report.ts)
  const reporting = config.datastore.type === 'kubernetes'
    ? (await import('./k8s-reporting')).startKubernetesReporting({ ...(config.datastore.kubeconfig ? { kubeconfig: config.datastore.kubeconfig } : {}), host: node, logger })
    : undefined;
  // with the Kubernetes datastore, sessions follow Node objects and the BGPPeer/BGPConfiguration CRDs;
  // an IPv6 mesh joins the IPv4 one when this node has an IPv6 address
  const families: (4 | 6)[] = config.nodeAddressV6 ? (config.nodeAddress ? [4, 6] : [6]) : [4];
  // listenPort changes are applied one after the other, each to the latest wanted port
  let wantedPort = config.listen.port;
  let moving: Promise<void> = Promise.resolve();
  const follow = (port: number): void => {
    wantedPort = port;
    if (!listener) {
      if (port !== config.listen.port) logger.error({ listenPort: port, listening: config.listen.port }, `BGPConfiguration listenPort ${port} differs from listen.port ${config.listen.port} bgpd listens on: other nodes dial ${port}`);
      return;
    }
    moving = moving.then(async () => {
      const from = listener.port;
      if (wantedPort === from) return;
      const to = wantedPort;
      try {
        await listener.rebind(to);
        logger.info({ from, to }, 'BGP listener moved to the BGPConfiguration listenPort (established sessions stay)');
      } catch (err) {
        logger.error({ from, to, err: (err as Error).message }, `cannot listen on BGPConfiguration listenPort ${to}: still listening on ${from}, peers dialling ${to} will fail`);
      }
    });
  };
  const peerSource = config.datastore.type === 'kubernetes'
    ? new (await import('./k8s-source')).KubernetesClusterSource({
      ...(config.datastore.kubeconfig ? { kubeConfig: config.datastore.kubeconfig } : {}),
      nodeName: node, logger, families,
      // a BGPPeer's keepaliveTime without holdTime must stay below the mesh hold time it keeps
      meshHoldTime: config.timers.holdTime,
      defaults: { asNumber: fromFile?.asNumber ?? config.asNumber, nodeToNodeMesh: config.nodeToNodeMesh, listenPort: fromFile?.listenPort ?? config.listen.port },
      // our own AS is in every OPEN and the RIB, fixed at start: the source reports a later change
      localAs: config.asNumber,
      ...(reporting ? { reporter: reporting.reporter } : {}),
      configFileWins: config.kubernetes.configFileWins,
      configPeers: peersForThisNode(config),
      onConfig: (cfg) => {
        // logSeverityScreen, else the file's log.level again (a removed field must not stick)
        const level = logLevelFor(cfg, config.log.level);
        if ('level' in logger && logger.level !== level) {
          (logger as { level: LogLevel }).level = level;
          logger.info({ level }, 'log level from the BGPConfiguration');
        }
        // the listener was bound from the port read at start: a later change moves it (live)
        follow(cfg.listenPort);
      },
    })
    : undefined;
  const agent = new Agent({
    ds, speaker, programmer, identity: config, pools, logger, ...(peerSource ? { peerSource } : {}),
    noExport: config.pools.filter((p) => p.disableBGPExport).map((p) => p.cidr),
    node: {
      name: node,
      ...(config.nodeAddress ? { ipv4: config.nodeAddress } : {}),
      ...(config.nodeAddressV6 ? { ipv6: config.nodeAddressV6 } : {}),
      asNumber: config.asNumber,
      ...(config.routeReflector ? { rrClusterId: config.routeReflector.clusterId } : {}),
      ...(vtep ? { vxlanVtep: vtep.ip, vxlanMac: vtep.mac } : {}),
    },
  });

  // routes a previous run left in the kernel keep forwarding until the mesh has re-learned them
  programmer?.markAllStale();
  await agent.start();
  await programmer?.start();
  let sweepTimer: NodeJS.Timeout | undefined;
  if (programmer) {
    const started = Date.now();
    let allUpSince = 0;
    sweepTimer = setInterval(() => {
      const peers = speaker.peers();
      const up = peers.every((p) => p.session.state === 'Established');
      allUpSince = up ? allUpSince || Date.now() : 0;
      if ((up && Date.now() - allUpSince >= 3000) || Date.now() - started > config.gracefulRestart.restartTime * 1000) {
        clearInterval(sweepTimer);
        // a netlink error here costs the cleanup, never the daemon (and with it every session)
        programmer.sweepStale().then(
          (n) => { if (n) logger.info({ removed: n }, 'removed stale kernel routes'); },
          (err: unknown) => logger.error({ err: err instanceof Error ? err.stack ?? err.message : String(err) }, 'removing stale kernel routes failed'),
        );
      }
    }, 500);
    sweepTimer.unref();
  }

  let health: HealthServer | undefined;
  if (config.health.enabled) {
    health = new HealthServer({
      address: config.health.address, port: config.health.port,
      // /readyz waits this long after start for every session (Calico's -threshold-time), then one is enough
      graceMs: 30_000,
      sources: {
        peers: () => speakerPeers(speaker),
        datastoreReachable: async () => (await ds.revision()) >= 0,
        // the Kubernetes source's peers are complete only once its lists have succeeded
        peersSynced: () => agent.peersSynced(),
        ...(programmer ? { kernelRoutes: () => programmer.counters } : {}),
        ipamUsage: () => agent.stats().ipam,
      },
    });
    try {
      const port = await health.listen();
      logger.info({ address: config.health.address, port }, 'health endpoint listening');
    } catch (err) {
      logger.error({ err: (err as Error).message, port: config.health.port }, 'cannot open the health endpoint');
      health = undefined;
    }
  }

  return {
    agent, programmer, health,
    async stop() {
      clearInterval(sweepTimer);
      await agent.stop();
      await reporting?.stop();
      await health?.close();
      // kernel routes stay: forwarding survives a bgpd restart (graceful restart)
      await programmer?.close();
      await ds.close();
    },
  };
}
