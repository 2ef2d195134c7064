import { describe, expect, it } from 'vitest';
import { parseCniArgs } from './cni-args';
import { readEnv } from './env';
import { CniError } from './errors';
import { hostVethName } from './identity';
import { parseNetconf } from './netconf';
import { formatResult, parseResult } from './result';
import { runCni, type Handlers } from './run';
import { compareVersions, requireCommandVersion } from './versions';

const codeOf = (fn: () => unknown): number | undefined => {
  try {
    fn();
  } catch (e) {
    return e instanceof CniError ? e.code : -1;
  }
  return undefined;
};

const ENV = { CNI_COMMAND: 'ADD', CNI_CONTAINERID: 'abc123', CNI_NETNS: '/var/run/netns/x', CNI_IFNAME: 'eth0', CNI_PATH: '/opt/cni/bin' };

describe('CNI_ARGS', () => {
  it('parses pairs and rejects unknown keys unless IgnoreUnknown is 1/true', () => {
    expect(parseCniArgs('K8S_POD_NAMESPACE=ns;K8S_POD_NAME=p').get('K8S_POD_NAME')).toBe('p');
    expect(codeOf(() => parseCniArgs('FOO=1'))).toBe(4);
    expect(parseCniArgs('IgnoreUnknown=1;FOO=1').get('FOO')).toBe('1');
    expect(parseCniArgs('FOO=a=b;IgnoreUnknown=true').get('FOO')).toBe('a=b');
    expect(codeOf(() => parseCniArgs('novalue'))).toBe(4);
  });
});

describe('environment', () => {
  it('requires per-command variables and validates container id and ifname (code 4)', () => {
    expect(readEnv(ENV).containerId).toBe('abc123');
    expect(codeOf(() => readEnv({ ...ENV, CNI_NETNS: '' }))).toBe(4);
    expect(readEnv({ ...ENV, CNI_COMMAND: 'DEL', CNI_NETNS: '' }).netns).toBe('');
    expect(codeOf(() => readEnv({ ...ENV, CNI_CONTAINERID: '-bad' }))).toBe(4);
    expect(codeOf(() => readEnv({ ...ENV, CNI_IFNAME: 'a-very-long-ifname' }))).toBe(4);
    expect(codeOf(() => readEnv({ ...ENV, CNI_COMMAND: 'FROB' }))).toBe(4);
    expect(readEnv({ CNI_COMMAND: 'VERSION' }).command).toBe('VERSION');
  });
});

describe('netconf', () => {
  const ok = { cniVersion: '1.0.0', name: 'k8s-pod-network', type: 'tortie', ipam: { type: 'tortie-ipam' } };
  it('accepts a valid one and keeps the raw object', () => {
    const c = parseNetconf(JSON.stringify({ ...ok, mtu: 1450, foo: 1 }));
    expect(c.mtu).toBe(1450);
    expect(c.raw.foo).toBe(1);
  });
  it('maps problems to the spec codes', () => {
    expect(codeOf(() => parseNetconf('{'))).toBe(6);
    expect(codeOf(() => parseNetconf('[]'))).toBe(7);
    expect(codeOf(() => parseNetconf(JSON.stringify({ ...ok, cniVersion: '0.2.0' })))).toBe(1);
    expect(codeOf(() => parseNetconf(JSON.stringify({ ...ok, name: '' })))).toBe(7);
    expect(codeOf(() => parseNetconf(JSON.stringify({ ...ok, mtu: 20 })))).toBe(7);
    expect(codeOf(() => parseNetconf(JSON.stringify({ ...ok, encapsulation: 'gre' })))).toBe(7);
    expect(codeOf(() => parseNetconf(JSON.stringify({ ...ok, interface_prefix: 'toolong' })))).toBe(7);
    expect(codeOf(() => parseNetconf(JSON.stringify({ ...ok, prevResult: { ips: [{ address: 'nomask' }] } })))).toBe(6);
  });
});

describe('versions', () => {
  it('compares numerically and gates CHECK/STATUS/GC', () => {
    expect(compareVersions('0.10.0', '0.4.0')).toBe(1);
    expect(compareVersions('1.0.0', '1.0.0')).toBe(0);
    expect(codeOf(() => requireCommandVersion('CHECK', '0.3.1'))).toBe(1);
    expect(codeOf(() => requireCommandVersion('CHECK', '0.4.0'))).toBeUndefined();
    expect(codeOf(() => requireCommandVersion('GC', '1.0.0'))).toBe(1);
    expect(codeOf(() => requireCommandVersion('STATUS', '1.1.0'))).toBeUndefined();
  });
});

describe('results per version', () => {
  const res = parseResult({
    cniVersion: '1.1.0',
    interfaces: [{ name: 'cali1', mac: 'ee:ee:ee:ee:ee:ee' }, { name: 'eth0', mac: '02:00:00:00:00:01', mtu: 1450, sandbox: '/ns' }],
    ips: [{ address: '10.0.0.5/32', interface: 1 }, { address: 'fd00::5/128', interface: 1 }],
    routes: [{ dst: '0.0.0.0/0', gw: '169.254.1.1', mtu: 1400 }],
  });
  it('0.3.x/0.4.0 carry ips[].version and no 1.1 fields', () => {
    const r = formatResult(res, '0.3.1') as { ips: { version: string }[]; interfaces: Record<string, unknown>[]; routes: Record<string, unknown>[] };
    expect(r.ips.map((i) => i.version)).toEqual(['4', '6']);
    expect(r.interfaces[1].mtu).toBeUndefined();
    expect(r.routes[0]).toEqual({ dst: '0.0.0.0/0', gw: '169.254.1.1' });
  });
  it('1.0.0 drops version; 1.1.0 keeps interface and route mtu', () => {
    const r10 = formatResult(res, '1.0.0') as { ips: Record<string, unknown>[] };
    expect(r10.ips[0]).toEqual({ address: '10.0.0.5/32', interface: 1 });
    const r11 = formatResult(res, '1.1.0') as { interfaces: Record<string, unknown>[]; routes: Record<string, unknown>[] };
    expect(r11.interfaces[1].mtu).toBe(1450);
    expect(r11.routes[0].mtu).toBe(1400);
  });
  it('reads an old-style result back', () => {
    const back = parseResult(formatResult(res, '0.4.0'));
    expect(back.ips).toEqual(res.ips);
  });
});

describe('host veth name', () => {
  const env = (args: string, id = 'abc123') => readEnv({ ...ENV, CNI_CONTAINERID: id, CNI_ARGS: args });
  it("is Calico's: prefix + sha1('<namespace>.<pod>')[:11], else from the container id", () => {
    expect(hostVethName(env('K8S_POD_NAMESPACE=default;K8S_POD_NAME=nginx'))).toBe('calic440f455693');
    expect(hostVethName(env('K8S_POD_NAMESPACE=default;K8S_POD_NAME=nginx'), 'tap')).toBe('tapc440f455693');
    expect(hostVethName(env(''))).toBe('cali6367c48dd19');
  });
});

describe('runCni', () => {
  const handlers: Handlers = {
    ADD: async (conf) => ({ cniVersion: conf.cniVersion, ips: [{ address: '10.0.0.1/32' }] }),
    DEL: async () => {
      throw new Error('boom');
    },
    CHECK: async () => {},
    STATUS: async () => {},
    GC: async () => {},
  };
  const conf = JSON.stringify({ cniVersion: '0.4.0', name: 'n', type: 'tortie' });
  it('prints the result in the requested version', async () => {
    const out = await runCni(handlers, ENV, conf);
    expect(out.exitCode).toBe(0);
    expect(JSON.parse(out.stdout)).toEqual({ cniVersion: '0.4.0', ips: [{ version: '4', address: '10.0.0.1/32' }], dns: {} });
  });
  it('prints the error object with the conf version and exits non-zero; internal errors are code 100', async () => {
    const out = await runCni(handlers, { ...ENV, CNI_COMMAND: 'DEL' }, conf);
    expect(out.exitCode).toBe(1);
    expect(JSON.parse(out.stdout)).toEqual({ cniVersion: '0.4.0', code: 100, msg: 'boom' });
  });
  it('VERSION works without stdin; empty stdin for ADD is a decode failure', async () => {
    expect(JSON.parse((await runCni(handlers, { CNI_COMMAND: 'VERSION' }, '')).stdout).cniVersion).toBe('1.1.0');
    const out = await runCni(handlers, ENV, '');
    expect(JSON.parse(out.stdout).code).toBe(6);
  });
});
