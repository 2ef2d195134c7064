// Prometheus metrics on a private prom-client registry. Values are read from the sources at scrape
// time (collect callbacks), so nothing in the hot path has to update a metric.
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { HealthSources, IpamUsage, PeerHealth } from './types';

const STATES = ['Idle', 'Connect', 'Active', 'OpenSent', 'OpenConfirm', 'Established'];

/** Sets a counter to an absolute value read from elsewhere (prom-client counters only go up by inc). */
function setCounter(c: Counter<string>, labels: Record<string, string>, value: number): void {
  c.inc(labels, value);
}

export function buildRegistry(src: HealthSources, opts: { processMetrics?: boolean } = {}): Registry {
  const registry = new Registry();
  if (opts.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'tortie_' });

  new Gauge({
    name: 'tortie_bgp_sessions', help: 'BGP sessions by FSM state', labelNames: ['state'], registers: [registry],
    collect() {
      this.reset();
      const counts = new Map(STATES.map((s) => [s, 0]));
      for (const p of src.peers()) counts.set(p.state, (counts.get(p.state) ?? 0) + 1);
      for (const [state, n] of counts) this.set({ state }, n);
    },
  });
  const perPeer = (name: string, help: string, pick: (p: PeerHealth) => number): void => {
    new Gauge({
      name, help, labelNames: ['peer', 'address'], registers: [registry],
      collect() {
        this.reset();
        for (const p of src.peers()) this.set({ peer: p.name, address: p.address }, pick(p));
      },
    });
  };
  perPeer('tortie_bgp_prefixes_received', 'Prefixes received from the peer (Adj-RIB-In, filtered included)', (p) => p.prefixesReceived);
  perPeer('tortie_bgp_prefixes_accepted', 'Prefixes from the peer that passed import policy', (p) => p.prefixesAccepted);
  perPeer('tortie_bgp_prefixes_sent', 'Prefixes in the Adj-RIB-Out toward the peer', (p) => p.prefixesSent);
  perPeer('tortie_bgp_peer_established', '1 when the session is Established', (p) => (p.state === 'Established' ? 1 : 0));
  const updates: [string, string, (p: PeerHealth) => number][] = [
    ['tortie_bgp_updates_received_total', 'UPDATE messages received', (p) => p.updatesIn],
    ['tortie_bgp_updates_sent_total', 'UPDATE messages sent', (p) => p.updatesOut],
  ];
  for (const [name, help, pick] of updates) {
    new Counter({
      name, help, labelNames: ['peer', 'address'], registers: [registry],
      collect() {
        this.reset();
        for (const p of src.peers()) setCounter(this, { peer: p.name, address: p.address }, pick(p));
      },
    });
  }
  if (src.kernelRoutes) {
    const read = src.kernelRoutes;
    new Counter({
      name: 'tortie_kernel_route_operations_total', help: 'Kernel route operations sent by the route programmer', labelNames: ['op'], registers: [registry],
      collect() {
        this.reset();
        const c = read();
        setCounter(this, { op: 'add' }, c.routeAdds);
        setCounter(this, { op: 'replace' }, c.routeReplaces);
        setCounter(this, { op: 'delete' }, c.routeDels);
      },
    });
    new Counter({
      name: 'tortie_kernel_route_errors_total', help: 'Failed kernel operations by errno', labelNames: ['errno'], registers: [registry],
      collect() {
        this.reset();
        for (const [errno, n] of Object.entries(read().errors)) setCounter(this, { errno }, n);
      },
    });
  }
  if (src.ipamUsage) {
    const read = src.ipamUsage;
    const usage: [string, string, (u: IpamUsage) => number][] = [
      ['tortie_ipam_addresses_allocated', 'Addresses allocated in the pool', (u) => u.allocated],
      ['tortie_ipam_addresses_capacity', 'Addresses in the pool\'s claimed blocks', (u) => u.capacity],
      ['tortie_ipam_blocks', 'Blocks claimed from the pool', (u) => u.blocks],
    ];
    for (const [name, help, pick] of usage) {
      new Gauge({
        name, help, labelNames: ['pool'], registers: [registry],
        collect() {
          this.reset();
          for (const u of read()) this.set({ pool: u.pool }, pick(u));
        },
      });
    }
  }
  return registry;
}
