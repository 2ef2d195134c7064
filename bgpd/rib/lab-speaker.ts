// Lab-test helper (not product code): a minimal speaker — BgpSession per peer + Rib + RibDriver —
// to run inside a lab network namespace against real daemons. The real daemon wiring lives in
// bgpd/main.ts; this only exists so RIB behaviour can be checked against BIRD/FRR on the wire.
//   node --import tsx bgpd/rib/lab-speaker.ts '<json LabSpeakerSpec>'
// Prints one JSON line per event: {"ev":"best",...}, {"ev":"state",...}; reads commands
// ({"originate":"10.0.0.0/24"} / {"withdraw":"..."}) one per line on stdin.
import { createInterface } from 'node:readline';
import { BgpSession } from '../session/session';
import { codecContextFor } from '../session/open-negotiation';
import { endOfRibFamily } from '../wire';
import { Afi, ErrorAction, Safi } from '../wire/types';
import type { GracefulRestartCap } from '../wire/types';
import { RibDriver } from './driver';
import { prefixKey, prefixText } from './prefix-key';
import { Rib } from './rib';
import type { RibPeerConfig } from './types';
import { wireEncoder } from './wire-encoder';

export interface LabSpeakerSpec {
  routerId: string;
  localAs: number;
  clusterId?: string;
  /** `graceful`: offer graceful restart and keep the peer's routes STALE when its session drops without a NOTIFICATION. */
  peers: (RibPeerConfig & { localAddress: string; graceful?: boolean })[];
  originate?: string[];
}

const spec = JSON.parse(process.argv[2] ?? '{}') as LabSpeakerSpec;
const out = (o: Record<string, unknown>): void => { process.stdout.write(`${JSON.stringify(o)}\n`); };
const rib = new Rib({ localAs: spec.localAs, routerId: spec.routerId, clusterId: spec.clusterId, encoder: wireEncoder });
const sessions = new Map<number, BgpSession>();
const driver = new RibDriver(rib, (peer, msgs) => { sessions.get(peer)?.send(msgs); });
const famOf = (p: string): Afi => (p.includes(':') ? Afi.IPv6 : Afi.IPv4);

rib.onBestChange((changes) => {
  for (const c of changes) out({ ev: 'best', prefix: prefixText(c.afi, c.prefix), best: c.best });
});

for (const p of spec.peers) {
  const id = rib.addPeer(p);
  let peerGr: GracefulRestartCap | undefined;
  let staleTimer: NodeJS.Timeout | undefined;
  const s = new BgpSession({
    name: p.address,
    localAs: spec.localAs,
    peerAs: p.remoteAs,
    routerId: spec.routerId,
    peerAddress: p.address,
    localAddress: p.localAddress,
    holdTime: 30,
    families: [{ afi: famOf(p.address), safi: Safi.Unicast }],
    routeRefresh: true,
    fsm: { connectRetryTime: 1 },
    ...(p.graceful ? { gracefulRestart: { restartTime: 120 } } : {}),
  }, {
    onUpdates: (batch) => {
      for (const u of batch) {
        const eor = endOfRibFamily(u.msg);
        if (eor !== null) {
          rib.endOfRib(id, eor);
          clearTimeout(staleTimer);
        } else rib.update(id, u.msg, { treatAsWithdraw: u.action === ErrorAction.TREAT_AS_WITHDRAW });
      }
      return driver.whenIdle();
    },
  });
  s.on('established', (n) => {
    peerGr = p.graceful ? n.gracefulRestart.peer : undefined;
    const local = p.localAddress;
    rib.peerUp(id, {
      routerId: n.peerRouterId,
      ctx: codecContextFor(n),
      families: n.families.map((f) => f.afi),
      localAddress: local.includes(':') ? { ipv6: local } : { ipv4: local },
    });
    driver.kick();
    out({ ev: 'state', peer: p.address, state: 'Established' });
  });
  s.on('down', (reason) => {
    // RFC 4724: a session lost without a NOTIFICATION from a GR-capable peer keeps its routes
    const graceful = peerGr !== undefined && !/notification/i.test(reason);
    rib.peerDown(id, { graceful });
    clearTimeout(staleTimer);
    if (graceful && peerGr) staleTimer = setTimeout(() => { rib.staleTimeout(id); driver.kick(); }, peerGr.restartTime * 1000);
    driver.kick();
    out({ ev: 'state', peer: p.address, state: 'down', reason, graceful });
  });
  s.on('routeRefresh', (r) => { rib.routeRefresh(id, r.afi); driver.kick(); });
  sessions.set(id, s);
  s.start();
}

for (const p of spec.originate ?? []) rib.originate(famOf(p), prefixKey(famOf(p), p));
driver.kick();

createInterface({ input: process.stdin }).on('line', (line) => {
  const cmd = JSON.parse(line) as { originate?: string; withdraw?: string };
  if (cmd.originate) rib.originate(famOf(cmd.originate), prefixKey(famOf(cmd.originate), cmd.originate));
  if (cmd.withdraw) rib.withdrawLocal(famOf(cmd.withdraw), prefixKey(famOf(cmd.withdraw), cmd.withdraw));
  driver.kick();
});
out({ ev: 'ready' });
