// The reporter's bookkeeping with a recording API (the fake-apiserver tests are in test/k8s/problem-report.test.ts).
import { describe, expect, it } from 'vitest';
import type { ObjectProblems, StatusCondition } from './k8s-problems';
import { KubernetesProblemReporter, type EventBody, type ReportApi } from './k8s-report';

class RecordingApi implements ReportApi {
  readonly calls: string[] = [];
  readonly events: EventBody[] = [];
  fail: ((op: string) => number | undefined) | undefined;
  hold: Promise<void> | undefined;

  private async call(op: string): Promise<void> {
    this.calls.push(op);
    if (this.hold) await this.hold;
    const code = this.fail?.(op);
    if (code !== undefined) throw Object.assign(new Error(`HTTP ${code}`), { code });
  }
  patchStatus(plural: string, name: string, body: Record<string, unknown>): Promise<unknown> {
    const cond = (body.status as { conditions: Array<{ message: string }> }).conditions[0];
    return this.call(`status ${plural}/${name} ${cond.message}`);
  }
  createEvent(_ns: string, body: EventBody): Promise<unknown> {
    this.events.push(body);
    return this.call(`event ${body.involvedObject.name} count=${body.count}`);
  }
  patchEvent(_ns: string, _name: string, body: Record<string, unknown>): Promise<unknown> {
    return this.call(`bump count=${String(body.count)}`);
  }
}

const peer = (name: string, problems: string[], uid = `uid-${name}`): ObjectProblems => ({
  ref: { kind: 'BGPPeer', apiVersion: 'tortie.dev/v1', name, uid, resourceVersion: '7', generation: 1 },
  problems,
});

function logger() {
  const lines: string[] = [];
  return { lines, debug: () => {}, info: (_o: unknown, m: string) => lines.push(`info ${m}`), warn: (_o: unknown, m: string) => lines.push(`warn ${m}`), error: () => {} };
}

describe('KubernetesProblemReporter', () => {
  it('bumps the Event count after repostMs, and posts it again when the Event has expired (404)', async () => {
    const api = new RecordingApi();
    let now = 1_000_000;
    const r = new KubernetesProblemReporter({ api, host: 'n1', repostMs: 60_000, now: () => now });
    r.report(['BGPPeer'], [peer('p', ['spec.x: bad'])]);
    await r.idle();
    now += 30_000;
    r.report(['BGPPeer'], [peer('p', ['spec.x: bad'])]);
    await r.idle();
    expect(api.calls.filter((c) => !c.startsWith('status'))).toEqual(['event p count=1']);
    now += 31_000;
    r.report(['BGPPeer'], [peer('p', ['spec.x: bad'])]);
    await r.idle();
    expect(api.calls.at(-1)).toBe('bump count=2');
    api.fail = (op) => (op.startsWith('bump') ? 404 : undefined);
    now += 61_000;
    r.report(['BGPPeer'], [peer('p', ['spec.x: bad'])]);
    await r.idle();
    expect(api.calls.slice(-2)).toEqual(['bump count=3', 'event p count=3']);
  });

  it('names the Event after object and problems, so another node\'s create wins (409) and only the creator bumps it', async () => {
    const [a, b] = [new RecordingApi(), new RecordingApi()];
    b.fail = (op) => (op.startsWith('event') ? 409 : undefined);
    let now = 0;
    const ra = new KubernetesProblemReporter({ api: a, host: 'a', repostMs: 10, now: () => now });
    const rb = new KubernetesProblemReporter({ api: b, host: 'b', repostMs: 10, now: () => now });
    for (const r of [ra, rb]) r.report(['BGPPeer'], [peer('p', ['spec.a: bad'])]);
    await Promise.all([ra.idle(), rb.idle()]);
    expect(a.events[0].metadata.name).toBe(b.events[0].metadata.name);
    expect(a.events[0].metadata.name).toMatch(/^p\.[0-9a-f]{16}$/);
    now = 100;
    for (const r of [ra, rb]) r.report(['BGPPeer'], [peer('p', ['spec.a: bad'])]);
    await Promise.all([ra.idle(), rb.idle()]);
    expect(a.calls.filter((c) => !c.startsWith('status'))).toEqual(['event p count=1', 'bump count=2']);
    expect(b.calls.filter((c) => !c.startsWith('status'))).toEqual(['event p count=1']);
    // other problems, or another object with the same name (new uid): another Event name
    const other = new RecordingApi();
    const ro = new KubernetesProblemReporter({ api: other, host: 'a' });
    ro.report(['BGPPeer'], [peer('p', ['spec.b: bad']), peer('q', ['spec.a: bad'])]);
    ro.report(['BGPPeer'], [peer('p', ['spec.a: bad'], 'uid-other')]);
    await ro.idle();
    expect(new Set([a.events[0].metadata.name, ...other.events.map((e) => e.metadata.name)]).size).toBe(4);
  });

  it('a second problem on the same object posts a new Event; a deleted and re-created object is new again', async () => {
    const api = new RecordingApi();
    const log = logger();
    const r = new KubernetesProblemReporter({ api, host: 'n1', logger: log });
    r.report(['BGPPeer'], [peer('p', ['spec.a: bad'])]);
    r.report(['BGPPeer'], [peer('p', ['spec.a: bad', 'spec.b: bad'])]);
    r.report(['BGPPeer'], []); // deleted
    r.report(['BGPPeer'], [peer('p', ['spec.a: bad'], 'uid-2')]);
    await r.idle();
    expect(api.events.map((e) => e.message)).toEqual(['BGPPeer p: spec.a: bad', 'BGPPeer p: spec.a: bad; spec.b: bad', 'BGPPeer p: spec.a: bad']);
    expect(log.lines).toEqual(['warn BGPPeer p: spec.a: bad', 'warn BGPPeer p: spec.b: bad', 'warn BGPPeer p: spec.a: bad']);
  });

  it('keeps at most maxQueue writes waiting, warns once when it drops, and never blocks report()', async () => {
    const api = new RecordingApi();
    let release!: () => void;
    api.hold = new Promise((res) => (release = res));
    const log = logger();
    const r = new KubernetesProblemReporter({ api, host: 'n1', logger: log, maxQueue: 4 });
    const items = Array.from({ length: 50 }, (_, i) => peer(`p${i}`, ['spec.x: bad']));
    const t0 = process.hrtime.bigint();
    r.report(['BGPPeer'], items);
    r.report(['BGPPeer'], items);
    expect(Number(process.hrtime.bigint() - t0) / 1e6).toBeLessThan(200);
    release();
    await r.idle();
    // the first write was taken off the queue before the rest were queued, so 1 + 4
    expect(api.calls.length).toBe(5);
    expect(log.lines.filter((l) => l.includes('dropping'))).toHaveLength(1);
    expect(log.lines.filter((l) => l.startsWith('warn BGPPeer'))).toHaveLength(50);
  });

  it('a status write that 404s (object gone, or no status subresource) is not retried until the object changes', async () => {
    const api = new RecordingApi();
    api.fail = (op) => (op.startsWith('status') ? 404 : undefined);
    const r = new KubernetesProblemReporter({ api, host: 'n1' });
    for (let i = 0; i < 3; i++) {
      r.report(['BGPPeer'], [peer('p', ['spec.a: bad'])]);
      await r.idle();
    }
    expect(api.calls.filter((c) => c.startsWith('status'))).toHaveLength(1);
    const changed = peer('p', ['spec.a: bad']);
    changed.ref = { ...changed.ref, resourceVersion: '8' };
    r.report(['BGPPeer'], [changed]);
    await r.idle();
    expect(api.calls.filter((c) => c.startsWith('status'))).toHaveLength(2);
  });

  it('two nodes that disagree about an object settle instead of rewriting each other forever', async () => {
    // one object, its Valid condition as both reporters' informers would show it after each write
    let cond: StatusCondition | undefined;
    const apiFor = (): RecordingApi => {
      const api = new RecordingApi();
      api.patchStatus = async (_p, _n, body) => {
        cond = (body.status as { conditions: StatusCondition[] }).conditions[0];
        api.calls.push(`status ${cond.status} ${cond.message}`);
      };
      return api;
    };
    const [apiA, apiB] = [apiFor(), apiFor()];
    const a = new KubernetesProblemReporter({ api: apiA, host: 'a' });
    const b = new KubernetesProblemReporter({ api: apiB, host: 'b' });
    const seen = (problems: string[]): ObjectProblems => {
      const item = peer('p', problems);
      item.ref = { ...item.ref, ...(cond ? { conditions: [cond] } : {}) };
      return item;
    };
    const round = async (r: KubernetesProblemReporter, problems: string[]): Promise<void> => {
      r.report(['BGPPeer'], [seen(problems)]);
      await r.idle();
    };
    // a sees a problem only it has (say, something about its own node); b finds the object valid
    await round(a, ['spec.x: only a sees this']);
    for (let i = 0; i < 3; i++) {
      await round(b, []);
      await round(a, ['spec.x: only a sees this']);
    }
    const st = (api: RecordingApi): string[] => api.calls.filter((c) => c.startsWith('status'));
    expect(st(apiA)).toEqual(['status False spec.x: only a sees this']);
    expect(st(apiB)).toEqual([]);
    // a's problem goes away: a withdraws its own verdict
    await round(a, []);
    expect(cond).toMatchObject({ status: 'True' });
    // b now sees a different problem: a new problem always shows; a, finding it valid, leaves b's verdict
    await round(b, ['spec.y: only b sees this']);
    for (let i = 0; i < 3; i++) {
      await round(a, []);
      await round(b, ['spec.y: only b sees this']);
    }
    expect(cond).toMatchObject({ status: 'False', message: 'spec.y: only b sees this' });
    expect([...st(apiA), ...st(apiB)]).toEqual(['status False spec.x: only a sees this', 'status True the spec is valid', 'status False spec.y: only b sees this']);
  });

  it('only the newest desired condition of an object is written, and none that the object already has', async () => {
    const api = new RecordingApi();
    let release!: () => void;
    api.hold = new Promise((res) => (release = res));
    const r = new KubernetesProblemReporter({ api, host: 'n1', repostMs: 0 });
    r.report(['BGPPeer'], [peer('busy', ['spec.a: bad'])]); // its event holds the queue
    r.report(['BGPPeer'], [peer('busy', ['spec.a: bad']), peer('q', ['spec.a: bad'])]);
    r.report(['BGPPeer'], [peer('busy', ['spec.a: bad']), peer('q', ['spec.b: bad'])]);
    const has = { ...peer('same', ['spec.c: bad']) };
    has.ref = { ...has.ref, conditions: [{ type: 'Valid', status: 'False', reason: 'InvalidSpec', message: 'spec.c: bad', observedGeneration: 1 }] };
    r.report(['BGPPeer'], [peer('busy', ['spec.a: bad']), peer('q', ['spec.b: bad']), has]);
    release();
    await r.idle();
    expect(api.calls.filter((c) => c.startsWith('status')).sort()).toEqual(['status bgppeers/busy spec.a: bad', 'status bgppeers/q spec.b: bad']);
  });
});
