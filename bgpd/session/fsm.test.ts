import { describe, it, expect } from 'vitest';
import { BgpFsm, DEFAULT_FSM_CONFIG, jitter } from './fsm';
import type { FsmAction, FsmConfig, FsmEvent } from './fsm';
import { decodeShutdownCommunication } from '../wire/notification';
import { MsgType } from '../wire/types';

function make(over: Partial<FsmConfig> = {}, random = () => 0.999999) {
  const clock = { t: 0 };
  const fsm = new BgpFsm({ ...DEFAULT_FSM_CONFIG, ...over }, { now: () => clock.t, random });
  return { fsm, clock };
}

const types = (a: FsmAction[]) => a.map((x) => x.type);
const notifications = (a: FsmAction[]) =>
  a.flatMap((x) => (x.type === 'sendNotification' ? [[x.notification.code, x.notification.subcode]] : []));
const timerStart = (a: FsmAction[], name: string) =>
  a.find((x) => x.type === 'startTimer' && x.timer === name) as Extract<FsmAction, { type: 'startTimer' }> | undefined;

/** Drives an active FSM to Established. */
function establish(fsm: BgpFsm, hold = 90) {
  fsm.handle({ type: 'ManualStart' });
  fsm.handle({ type: 'Tcp_CR_Acked' });
  fsm.handle({ type: 'BGPOpen', holdTime: hold, keepaliveTime: hold / 3 });
  return fsm.handle({ type: 'KeepAliveMsg' });
}

describe('BgpFsm: bring-up', () => {
  it('active peer: Idle → Connect → OpenSent → OpenConfirm → Established', () => {
    const { fsm } = make();
    const a1 = fsm.handle({ type: 'ManualStart' });
    expect(fsm.state).toBe('Connect');
    expect(types(a1)).toContain('connect');
    expect(timerStart(a1, 'connectRetry')?.ms).toBeLessThanOrEqual(5000);

    const a2 = fsm.handle({ type: 'Tcp_CR_Acked' });
    expect(fsm.state).toBe('OpenSent');
    expect(types(a2)).toEqual(['stopTimer', 'sendOpen', 'startTimer']);
    expect(timerStart(a2, 'hold')?.ms).toBe(240_000);

    const a3 = fsm.handle({ type: 'BGPOpen', holdTime: 9, keepaliveTime: 3 });
    expect(fsm.state).toBe('OpenConfirm');
    expect(types(a3)).toContain('sendKeepalive');
    expect(timerStart(a3, 'hold')?.ms).toBe(9000);
    const ka = timerStart(a3, 'keepalive')!.ms;
    expect(ka).toBeGreaterThanOrEqual(2250);
    expect(ka).toBeLessThanOrEqual(3000);

    const a4 = fsm.handle({ type: 'KeepAliveMsg' });
    expect(fsm.state).toBe('Established');
    expect(types(a4)).toEqual(['startTimer', 'established']);
  });

  it('passive peer waits in Active and never connects, even when ConnectRetry fires', () => {
    const { fsm } = make({ passive: true });
    const a1 = fsm.handle({ type: 'ManualStart' });
    expect(fsm.state).toBe('Active');
    expect(types(a1)).not.toContain('connect');
    const a2 = fsm.handle({ type: 'ConnectRetryTimer_Expires' });
    expect(fsm.state).toBe('Active');
    expect(types(a2)).not.toContain('connect');
    fsm.handle({ type: 'TcpConnectionConfirmed' });
    expect(fsm.state).toBe('OpenSent');
  });

  it('hold time 0 negotiated: no hold or keepalive timers', () => {
    const { fsm } = make();
    fsm.handle({ type: 'ManualStart' });
    fsm.handle({ type: 'Tcp_CR_Acked' });
    const a = fsm.handle({ type: 'BGPOpen', holdTime: 0, keepaliveTime: 0 });
    expect(timerStart(a, 'hold')).toBeUndefined();
    expect(timerStart(a, 'keepalive')).toBeUndefined();
    expect(a).toContainEqual({ type: 'stopTimer', timer: 'hold' });
    const b = fsm.handle({ type: 'KeepAliveMsg' });
    expect(timerStart(b, 'hold')).toBeUndefined();
  });

  it('events before ManualStart are ignored in Idle', () => {
    const { fsm } = make();
    for (const ev of [{ type: 'Tcp_CR_Acked' }, { type: 'KeepAliveMsg' }, { type: 'IdleHoldTimer_Expires' }] as FsmEvent[]) {
      expect(fsm.handle(ev)).toEqual([]);
      expect(fsm.state).toBe('Idle');
    }
  });
});

describe('BgpFsm: connect retry and backoff', () => {
  it('failed connects go to Active and retry with growing, capped intervals', () => {
    const { fsm } = make({ connectRetryTime: 5, connectRetryMaxTime: 30 });
    fsm.handle({ type: 'ManualStart' });
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) {
      const a = fsm.handle({ type: 'TcpConnectionFails' });
      expect(fsm.state).toBe('Active');
      waits.push(timerStart(a, 'connectRetry')!.ms);
      const r = fsm.handle({ type: 'ConnectRetryTimer_Expires' });
      expect(types(r)).toContain('connect');
      expect(fsm.state).toBe('Connect');
    }
    // random≈1 → no jitter reduction: 10, 20, 30(cap), ... seconds
    expect(waits.map((w) => Math.round(w / 1000))).toEqual([10, 20, 30, 30, 30]);
  });

  it('ConnectRetry expiring in Connect abandons the attempt and tries again', () => {
    const { fsm } = make();
    fsm.handle({ type: 'ManualStart' });
    const a = fsm.handle({ type: 'ConnectRetryTimer_Expires' });
    expect(types(a)).toEqual(['drop', 'startTimer', 'connect']);
    expect(fsm.state).toBe('Connect');
  });

  it('jitter stays within [0.75, 1.0] of the value (RFC 4271 §10)', () => {
    expect(jitter(1000, () => 0)).toBe(750);
    expect(jitter(1000, () => 0.5)).toBe(875);
    expect(jitter(1000, () => 0.9999999)).toBe(1000);
  });
});

describe('BgpFsm: errors and notifications', () => {
  it('hold timer expiry in Established sends 4/0, goes Idle, reports down and arms idle hold', () => {
    const { fsm } = make();
    establish(fsm);
    const a = fsm.handle({ type: 'HoldTimer_Expires' });
    expect(notifications(a)).toEqual([[4, 0]]);
    expect(types(a)).toContain('drop');
    expect(a).toContainEqual({ type: 'down', reason: 'hold timer expired' });
    expect(timerStart(a, 'idleHold')?.ms).toBe(5000);
    expect(fsm.state).toBe('Idle');
    fsm.handle({ type: 'IdleHoldTimer_Expires' });
    expect(fsm.state).toBe('Connect');
  });

  it('idle hold doubles per consecutive error up to the cap and is forgotten after a long quiet period', () => {
    const { fsm, clock } = make({ idleHoldTime: 5, idleHoldMaxTime: 30, errorForgetTime: 300 });
    fsm.handle({ type: 'ManualStart' });
    const holds: number[] = [];
    for (let i = 0; i < 5; i++) {
      fsm.handle({ type: 'Tcp_CR_Acked' });
      const a = fsm.handle({ type: 'BGPOpenMsgErr', notification: { code: 2, subcode: 2, data: new Uint8Array() } });
      expect(notifications(a)).toEqual([[2, 2]]);
      holds.push(timerStart(a, 'idleHold')!.ms / 1000);
      clock.t += 1000;
      fsm.handle({ type: 'IdleHoldTimer_Expires' });
    }
    expect(holds).toEqual([5, 10, 20, 30, 30]);
    clock.t += 301_000;
    fsm.handle({ type: 'Tcp_CR_Acked' });
    const a = fsm.handle({ type: 'HoldTimer_Expires' });
    expect(timerStart(a, 'idleHold')!.ms).toBe(5000);
  });

  it('a session that stayed up longer than errorForgetTime restarts the backoff', () => {
    const { fsm, clock } = make({ idleHoldTime: 5, errorForgetTime: 300 });
    establish(fsm);
    fsm.handle({ type: 'HoldTimer_Expires' }); // 5
    fsm.handle({ type: 'IdleHoldTimer_Expires' });
    fsm.handle({ type: 'Tcp_CR_Acked' });
    fsm.handle({ type: 'BGPOpen', holdTime: 90, keepaliveTime: 30 });
    fsm.handle({ type: 'KeepAliveMsg' });
    clock.t += 10_000;
    const short = fsm.handle({ type: 'NotifMsg' });
    expect(timerStart(short, 'idleHold')!.ms).toBe(10_000);
    fsm.handle({ type: 'IdleHoldTimer_Expires' });
    fsm.handle({ type: 'Tcp_CR_Acked' });
    fsm.handle({ type: 'BGPOpen', holdTime: 90, keepaliveTime: 30 });
    fsm.handle({ type: 'KeepAliveMsg' });
    clock.t += 400_000;
    const long = fsm.handle({ type: 'NotifMsg' });
    expect(timerStart(long, 'idleHold')!.ms).toBe(5000);
  });

  it('received NOTIFICATION closes without answering', () => {
    const { fsm } = make();
    establish(fsm);
    const a = fsm.handle({ type: 'NotifMsg' });
    expect(notifications(a)).toEqual([]);
    expect(fsm.state).toBe('Idle');
  });

  it('unexpected messages raise RFC 6608 FSM errors per state', () => {
    const s1 = make().fsm;
    s1.handle({ type: 'ManualStart' });
    s1.handle({ type: 'Tcp_CR_Acked' });
    expect(notifications(s1.handle({ type: 'UpdateMsg' }))).toEqual([[5, 1]]);

    const s2 = make().fsm;
    s2.handle({ type: 'ManualStart' });
    s2.handle({ type: 'Tcp_CR_Acked' });
    s2.handle({ type: 'BGPOpen', holdTime: 90, keepaliveTime: 30 });
    expect(notifications(s2.handle({ type: 'UpdateMsg' }))).toEqual([[5, 2]]);

    const s3 = make().fsm;
    establish(s3);
    expect(notifications(s3.handle({ type: 'BGPOpen', holdTime: 90, keepaliveTime: 30 }))).toEqual([[5, 3]]);
  });

  it('UPDATE errors in Established send the codec notification', () => {
    const { fsm } = make();
    establish(fsm);
    const a = fsm.handle({ type: 'UpdateMsgErr', notification: { code: 3, subcode: 1, data: new Uint8Array() } });
    expect(notifications(a)).toEqual([[3, 1]]);
    expect(fsm.state).toBe('Idle');
  });

  it('collision dump sends Cease/7', () => {
    const { fsm } = make();
    fsm.handle({ type: 'ManualStart' });
    fsm.handle({ type: 'Tcp_CR_Acked' });
    expect(notifications(fsm.handle({ type: 'OpenCollisionDump' }))).toEqual([[6, 7]]);
  });

  it('in Established, keepalive expiry sends KEEPALIVE and re-arms; received messages restart hold', () => {
    const { fsm } = make();
    establish(fsm, 3);
    const k = fsm.handle({ type: 'KeepaliveTimer_Expires' });
    expect(types(k)).toEqual(['sendKeepalive', 'startTimer']);
    for (const type of ['KeepAliveMsg', 'UpdateMsg', 'RouteRefreshMsg'] as const) {
      expect(fsm.handle({ type })).toEqual([{ type: 'startTimer', timer: 'hold', ms: 3000 }]);
    }
    expect(fsm.state).toBe('Established');
  });
});

describe('BgpFsm: operator actions', () => {
  it('ManualStop sends Cease/2 with the RFC 9003 text and stays down', () => {
    const { fsm } = make();
    establish(fsm);
    const a = fsm.handle({ type: 'ManualStop', reason: 'maintenance' });
    const n = a.find((x) => x.type === 'sendNotification');
    expect(n).toBeDefined();
    if (n?.type !== 'sendNotification') throw new Error('unreachable');
    expect([n.notification.code, n.notification.subcode]).toEqual([6, 2]);
    expect(decodeShutdownCommunication({ type: MsgType.NOTIFICATION, ...n.notification })).toMatchObject({ ok: true, text: 'maintenance' });
    expect(timerStart(a, 'idleHold')).toBeUndefined();
    expect(fsm.state).toBe('Idle');
    expect(fsm.adminDown).toBe(true);
    expect(fsm.handle({ type: 'IdleHoldTimer_Expires' })).toEqual([]);
    expect(fsm.handle({ type: 'AutomaticStart' })).toEqual([]);
    fsm.handle({ type: 'ManualStart' });
    expect(fsm.state).toBe('Connect');
  });

  it('ManualStop with an empty reason sends Cease/2 without any data', () => {
    const { fsm } = make();
    establish(fsm);
    const n = fsm.handle({ type: 'ManualStop', reason: '' }).find((x) => x.type === 'sendNotification');
    if (n?.type !== 'sendNotification') throw new Error('no NOTIFICATION sent');
    expect([n.notification.code, n.notification.subcode]).toEqual([6, 2]);
    expect(n.notification.data).toHaveLength(0);
  });

  it('ManualStop in Connect drops the attempt without a NOTIFICATION', () => {
    const { fsm } = make();
    fsm.handle({ type: 'ManualStart' });
    const a = fsm.handle({ type: 'ManualStop' });
    expect(notifications(a)).toEqual([]);
    expect(types(a)).toContain('drop');
    expect(fsm.state).toBe('Idle');
  });

  it('ManualReset sends Cease/4 and reconnects immediately without backoff', () => {
    const { fsm } = make();
    establish(fsm);
    const a = fsm.handle({ type: 'ManualReset' });
    expect(notifications(a)).toEqual([[6, 4]]);
    expect(types(a)).toContain('down');
    expect(types(a)).toContain('connect');
    expect(timerStart(a, 'idleHold')).toBeUndefined();
    expect(fsm.state).toBe('Connect');
  });

  it('AutomaticStop carries its own notification (e.g. prefix limit Cease/1)', () => {
    const { fsm } = make();
    establish(fsm);
    const a = fsm.handle({ type: 'AutomaticStop', notification: { code: 6, subcode: 1, data: new Uint8Array() } });
    expect(notifications(a)).toEqual([[6, 1]]);
    expect(fsm.state).toBe('Idle');
  });

  it('autoRestart=false stays Idle after an error', () => {
    const { fsm } = make({ autoRestart: false });
    establish(fsm);
    const a = fsm.handle({ type: 'HoldTimer_Expires' });
    expect(timerStart(a, 'idleHold')).toBeUndefined();
  });
});

describe('BgpFsm: collisions', () => {
  it('CollisionLost waits in Active (accepting the peer connection) without an error backoff', () => {
    const { fsm } = make();
    fsm.handle({ type: 'ManualStart' });
    fsm.handle({ type: 'Tcp_CR_Acked' });
    fsm.handle({ type: 'BGPOpen', holdTime: 90, keepaliveTime: 30 });
    const a = fsm.handle({ type: 'CollisionLost' });
    expect(fsm.state).toBe('Active');
    expect(types(a)).toContain('drop');
    expect(timerStart(a, 'idleHold')).toBeUndefined();
    expect(notifications(a)).toEqual([]);
    fsm.handle({ type: 'TcpConnectionConfirmed' });
    expect(fsm.state).toBe('OpenSent');
  });

  it('adoptCollisionWinner returns to OpenSent with the open hold time', () => {
    const { fsm } = make();
    fsm.handle({ type: 'ManualStart' });
    fsm.handle({ type: 'Tcp_CR_Acked' });
    fsm.handle({ type: 'BGPOpen', holdTime: 90, keepaliveTime: 30 });
    const a = fsm.adoptCollisionWinner();
    expect(fsm.state).toBe('OpenSent');
    expect(timerStart(a, 'hold')?.ms).toBe(240_000);
    fsm.handle({ type: 'BGPOpen', holdTime: 9, keepaliveTime: 3 });
    expect(fsm.state).toBe('OpenConfirm');
  });
});

describe('BgpFsm: graceful restart', () => {
  it('PeerRestarted in Established reports down and waits in Active without backoff', () => {
    const { fsm } = make();
    establish(fsm);
    const a = fsm.handle({ type: 'PeerRestarted' });
    expect(fsm.state).toBe('Active');
    expect(a).toContainEqual({ type: 'down', reason: 'peer restarted (graceful restart)' });
    expect(notifications(a)).toEqual([]);
    expect(timerStart(a, 'idleHold')).toBeUndefined();
    fsm.handle({ type: 'TcpConnectionConfirmed' });
    expect(fsm.state).toBe('OpenSent');
  });
});
