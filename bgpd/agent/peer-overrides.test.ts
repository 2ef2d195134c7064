import { describe, expect, it } from 'vitest';
import { addUpPeer, makeRib, P, run, seq, upd } from '../rib/test-kit';
import { meshPeer, ribPeerConfig } from '../speaker/peer-map';
import type { Policy } from '../rib/policy';
import { Afi } from '../wire/types';
import { parseBgpFilter, peerPolicies } from './k8s-filters';
import { applyOverrides, overridesSignature } from './peer-overrides';
import { identity } from './test-fakes';

const base = meshPeer(identity(), { address: '198.18.9.1', name: 'Global_198_18_9_1' });

describe('applyOverrides', () => {
  it('replaces only what the BGPPeer set, keeping the mesh defaults for the rest', () => {
    const p = applyOverrides(base, { holdTime: 30, keepaliveTime: 10, restartTime: 300, allowAsIn: 1, password: 'k' });
    expect(p).toMatchObject({ holdTime: 30, keepaliveTime: 10, allowAsIn: 1, password: 'k', gracefulRestart: { enabled: true, restartTime: 300 }, connectRetryTime: base.connectRetryTime });
    expect(applyOverrides(base, undefined)).toBe(base);
    expect(applyOverrides(base, {})).toEqual(base);
  });

  it('signature changes with every setting, and holds a hash of the password, not the password', () => {
    const sigs = [undefined, { holdTime: 30 }, { holdTime: 31 }, { password: 'a' }, { password: 'b' }, { importPolicy: ['x'] }].map((o) => JSON.stringify(overridesSignature(o)));
    expect(new Set(sigs).size).toBe(sigs.length);
    expect(JSON.stringify(overridesSignature({ password: 'hunter2' }))).not.toContain('hunter2');
  });

  it('splits session settings from the import and export chains (with their definitions)', () => {
    const reject: Policy = { rules: [{ match: {}, action: 'reject' }], defaultAction: 'builtin' };
    const accept: Policy = { rules: [{ match: {}, action: 'accept' }], defaultAction: 'builtin' };
    const a = overridesSignature({ holdTime: 30, importPolicy: ['i'], exportPolicy: ['e'], policies: { i: reject, e: reject } });
    const b = overridesSignature({ holdTime: 30, importPolicy: ['i'], exportPolicy: ['e'], policies: { i: reject, e: accept } });
    expect([a.session === b.session, a.import === b.import, a.export === b.export]).toEqual([true, true, false]);
    const c = overridesSignature({ holdTime: 30, importPolicy: ['i'], exportPolicy: ['e'], policies: { i: accept, e: reject } });
    expect([a.session === c.session, a.import === c.import, a.export === c.export]).toEqual([true, false, true]);
  });
});

describe('BGPFilter policies carried on the SpeakerPeer', () => {
  it('the RIB applies them in order: a rejected prefix is not accepted from the peer', () => {
    const f = parseBgpFilter({ metadata: { name: 'tor-in' }, spec: { importV4: [{ cidr: '10.96.0.0/12', matchOperator: 'In', action: 'Reject' }] } });
    const pp = peerPolicies(['tor-in'], new Map([['tor-in', f]]), 4).policies!;
    const peer = applyOverrides({ ...base, asNumber: 65001 }, { importPolicy: pp.importPolicy, policies: pp.policies });
    // the speaker's config policies know nothing about it: the definition travels with the peer
    const configPolicies = new Map<string, Policy>([['unrelated', { rules: [], defaultAction: 'reject' }]]);
    const rc = ribPeerConfig(peer, configPolicies);
    expect(rc.importPolicy).toEqual([pp.policies['BGPFilter/tor-in/importV4']]);
    const rib = makeRib();
    const id = addUpPeer(rib, rc, '198.18.9.1');
    rib.update(id, upd(['10.96.5.0/24', '10.244.1.0/26'], { asPath: seq(65001) }));
    run(rib);
    const seen = (r: typeof rib, prefix: string) => r.lookup(Afi.IPv4, P(prefix))?.paths.map((x) => ({ best: x.best, filtered: x.filtered }));
    expect(seen(rib, '10.244.1.0/26')).toEqual([{ best: true, filtered: false }]);
    // kept for `show … filtered`, never best
    expect(seen(rib, '10.96.5.0/24')).toEqual([{ best: false, filtered: true }]);
    // without the filter the same UPDATE is accepted (the test can tell the difference)
    const rib2 = makeRib();
    const id2 = addUpPeer(rib2, ribPeerConfig({ ...base, asNumber: 65001 }, configPolicies), '198.18.9.1');
    rib2.update(id2, upd(['10.96.5.0/24'], { asPath: seq(65001) }));
    run(rib2);
    expect(seen(rib2, '10.96.5.0/24')).toEqual([{ best: true, filtered: false }]);
  });
});
