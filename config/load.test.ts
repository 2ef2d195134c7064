import { describe, it, expect } from 'vitest';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatConfigError, hashRouterId, loadConfig, parseConfigText, validateConfig } from './index';
import type { ConfigError, ConfigResult, HostFacts, TortieConfig } from './index';

const host: HostFacts = { hostname: 'Node-7', ipv4: ['198.18.5.7'], ipv6: ['fd00:5::7'] };
const noAddrHost: HostFacts = { hostname: 'node-7', ipv4: [], ipv6: [] };

function ok(text: string, h: HostFacts = host): TortieConfig {
  const r = parseConfigText(text, 'c.yaml', { host: h });
  if (r.errors) throw new Error(r.errors.map(formatConfigError).join('\n'));
  return r.config;
}

function errors(text: string, h: HostFacts = host): ConfigError[] {
  const r: ConfigResult = parseConfigText(text, 'c.yaml', { host: h });
  if (!r.errors) throw new Error('expected errors, config was accepted');
  return r.errors;
}

const lines = (text: string) => errors(text).map(formatConfigError);

describe('defaults', () => {
  it('fills every default from a one-pool config and the host', () => {
    const c = ok('pools: [{ cidr: 10.244.0.0/16 }]\n');
    expect(c.nodeName).toBe('node-7');
    expect(c.routerId).toBe('198.18.5.7');
    expect(c.nodeAddress).toBe('198.18.5.7');
    expect(c.nodeAddressV6).toBe('fd00:5::7');
    expect(c.asNumber).toBe(64512);
    expect(c.listen).toEqual({ port: 179 });
    expect(c.datastore).toEqual({ type: 'file', path: '/var/lib/tortie' });
    expect(c.nodeToNodeMesh).toBe(true);
    expect(c.pools).toEqual([{ cidr: '10.244.0.0/16', blockSize: 26, encapsulation: 'none', crossSubnet: false, natOutgoing: false, disabled: false, disableBGPExport: false }]);
    expect(c.timers).toEqual({ holdTime: 90, keepaliveTime: 30, connectRetryTime: 5 });
    expect(c.gracefulRestart).toEqual({ enabled: true, restartTime: 120 });
    expect(c.control.socket).toBe('/run/tortie/bgpd.sock');
    expect(c.health).toEqual({ enabled: true, address: '127.0.0.1', port: 9099 });
    expect(c.ipam).toEqual({ strictAffinity: false, maxBlocksPerHost: 0, autoAllocateBlocks: true });
    expect(c.kernelRoutes).toEqual({ enabled: true });
  });

  it('kernelRoutes can be switched off, and only with a boolean', () => {
    expect(ok('kernelRoutes: { enabled: false }\n').kernelRoutes).toEqual({ enabled: false });
    expect(lines('kernelRoutes: { enabled: maybe }\n').join('\n')).toMatch(/kernelRoutes\.enabled/);
    expect(lines('kernelRoutes: { enable: false }\n').join('\n')).toMatch(/enabled/);
  });

  it('peers inherit global timers and graceful restart, and derive name and family', () => {
    const c = ok(`
timers: { holdTime: 30, connectRetryTime: 2 }
gracefulRestart: { restartTime: 200 }
peers:
  - { address: 198.18.0.254, asNumber: 65001 }
  - { address: "FD00::FE", asNumber: 65001, port: 1179, holdTime: 2m, gracefulRestart: { enabled: false } }
`);
    expect(c.peers[0]).toMatchObject({ name: 'Global_198_18_0_254', holdTime: 30, keepaliveTime: 10, connectRetryTime: 2, families: ['ipv4'], gracefulRestart: { enabled: true, restartTime: 200 } });
    expect(c.peers[1]).toMatchObject({ name: 'Global_fd00__fe_port_1179', address: 'fd00::fe', holdTime: 120, keepaliveTime: 40, families: ['ipv6'], gracefulRestart: { enabled: false, restartTime: 200 } });
  });

  it('v6 pools default to /122 blocks; routerId "hash" is derived from the node name', () => {
    const c = ok('routerId: hash\nnodeName: node-1\npools: [{ cidr: "fd00:10:244::/48" }]\n');
    expect(c.pools[0].blockSize).toBe(122);
    expect(c.routerId).toBe(hashRouterId('node-1'));
    expect(c.routerId).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(Number(c.routerId.split('.')[0])).toBeLessThanOrEqual(223);
  });

  it('normalizes prefix matches with FRR ge/le semantics', () => {
    const c = ok(`
policies:
  - name: p
    rules:
      - match: { prefixes: [10.0.0.0/8, { cidr: 10.244.0.0/16, ge: 26 }, { cidr: "fd00::/8", le: 64 }] }
`);
    expect(c.policies[0].rules[0].match.prefixes).toEqual([
      { cidr: '10.0.0.0/8', ge: 8, le: 8 },
      { cidr: '10.244.0.0/16', ge: 26, le: 32 },
      { cidr: 'fd00::/8', ge: 8, le: 64 },
    ]);
  });

  it('without a host IPv4 the router ID must be given', () => {
    const r = parseConfigText('asNumber: 64512\n', 'c.yaml', { host: noAddrHost });
    expect(r.errors?.map(formatConfigError)).toEqual([
      'c.yaml: routerId: expected a router ID as a dotted quad (e.g. 198.18.0.1) or "hash", found nothing; this host has no global IPv4 address to default to: set routerId (or nodeAddress)',
    ]);
    expect(parseConfigText('routerId: 198.18.0.1\n', 'c.yaml', { host: noAddrHost }).config?.routerId).toBe('198.18.0.1');
  });

  it('each pool family needs a node address of that family', () => {
    const v4only: HostFacts = { hostname: 'n', ipv4: ['198.18.0.9'], ipv6: [] };
    const r = parseConfigText('pools: [{ cidr: "fd00:10:244::/48" }]\n', 'c.yaml', { host: v4only });
    expect(r.errors?.map(formatConfigError)).toEqual([
      'c.yaml: nodeAddressV6: expected an IPv6 address for the IPv6 pool pools[0], found nothing; this host has no global IPv6 address to default to: set nodeAddressV6',
    ]);
    expect(parseConfigText('nodeAddressV6: "fd00::9/64"\npools: [{ cidr: "fd00:10:244::/48" }]\n', 'c.yaml', { host: v4only }).config?.nodeSubnetV6).toBe('fd00::/64');
    const noV4 = parseConfigText('routerId: 198.18.0.1\npools: [{ cidr: 10.244.0.0/16 }]\n', 'c.yaml', { host: noAddrHost });
    expect(noV4.errors?.[0]).toMatchObject({ path: 'nodeAddress', found: 'nothing' });
  });

  it('NODE_NAME (the Kubernetes Node name) wins over the host name, exactly as given', () => {
    const c = parseConfigText('routerId: 198.18.0.1\n', 'c.yaml', { host: { ...host, nodeNameEnv: 'ip-10-0-0-7.ec2.internal' } }).config;
    expect(c?.nodeName).toBe('ip-10-0-0-7.ec2.internal');
    const own = parseConfigText('routerId: 198.18.0.1\nnodeName: pinned\n', 'c.yaml', { host: { ...host, nodeNameEnv: 'from-env' } }).config;
    expect(own?.nodeName).toBe('pinned');
    const bad = parseConfigText('routerId: 198.18.0.1\n', 'c.yaml', { host: { ...host, nodeNameEnv: 'Bad_Name' } }).errors;
    expect(bad?.[0]).toMatchObject({ path: 'nodeName', found: 'nothing' });
    expect(bad?.[0].hint).toContain('NODE_NAME "Bad_Name"');
  });

  it('an unusable host name asks for nodeName', () => {
    const e = parseConfigText('routerId: 198.18.0.1\n', 'c.yaml', { host: { ...host, hostname: 'my_host' } }).errors;
    expect(e?.[0]).toMatchObject({ path: 'nodeName', found: 'nothing' });
    expect(e?.[0].hint).toContain('"my_host"');
  });
});

describe('the public contract', () => {
  it('accepts the documented example verbatim and keeps every value', () => {
    const c = ok(`
nodeName: node-1                  # default: the host name
routerId: 198.18.0.1              # default: the node's IPv4 address (first global IPv4 on the host)
asNumber: 64512                   # default 64512
listen: { address: 198.18.0.1, port: 179 }
datastore: { type: file, path: /var/lib/tortie }   # or etcd (endpoints: [...]) / kubernetes (kubeconfig)
nodeToNodeMesh: true
peers:                            # external peers, e.g. the ToR
  - { address: 198.18.0.254, asNumber: 65001, holdTime: 90 }
advertisePrefixes: [10.96.0.0/12] # extra prefixes to originate (service CIDRs); pod blocks come from IPAM
pools:
  - { cidr: 10.244.0.0/16, blockSize: 26, encapsulation: ipip, natOutgoing: true }
control: { socket: /run/tortie/bgpd.sock }
`);
    expect(c).toMatchObject({
      nodeName: 'node-1', routerId: '198.18.0.1', asNumber: 64512, listen: { address: '198.18.0.1', port: 179 },
      datastore: { type: 'file', path: '/var/lib/tortie' }, nodeToNodeMesh: true,
      advertisePrefixes: ['10.96.0.0/12'], control: { socket: '/run/tortie/bgpd.sock' },
    });
    expect(c.peers).toHaveLength(1);
    expect(c.peers[0]).toMatchObject({ address: '198.18.0.254', asNumber: 65001, holdTime: 90, keepaliveTime: 30 });
    expect(c.pools[0]).toMatchObject({ cidr: '10.244.0.0/16', blockSize: 26, encapsulation: 'ipip', natOutgoing: true });
  });
});

describe('error messages', () => {
  it('names file, key path, expected, found, line and column', () => {
    const text = [
      'peers:',
      '  - { address: 198.18.0.254, asNumber: 65001 }',
      '  - address: 198.18.0.253',
      '    asNumber: 65001x',
    ].join('\n');
    expect(errors(text)).toEqual([
      { file: 'c.yaml', path: 'peers[1].asNumber', expected: 'an AS number 1–4294967295', found: '"65001x"', line: 4, column: 15 },
    ]);
    expect(lines(text)).toEqual(['c.yaml: peers[1].asNumber: expected an AS number 1–4294967295, found "65001x" (line 4, column 15)']);
  });

  it('rejects unknown keys with a did-you-mean at the key position', () => {
    expect(lines('peers:\n  - address: 198.18.0.254\n    asNumber: 65001\n    holdtime: 90\n')).toEqual([
      'c.yaml: peers[0].holdtime: expected a known key, found unknown key "holdtime" (line 4, column 5); did you mean "holdTime"?',
    ]);
    expect(lines('nodeToNodeMeshEnabled: true\n')).toEqual([
      'c.yaml: nodeToNodeMeshEnabled: expected a known key, found unknown key "nodeToNodeMeshEnabled" (line 1, column 1); Calico\'s nodeToNodeMeshEnabled is nodeToNodeMesh here',
    ]);
    const [e] = errors('listen: { adress: 198.18.0.1, colour: blue }\n');
    expect(e).toMatchObject({ path: 'listen.adress', hint: 'did you mean "address"?', line: 1, column: 11 });
    expect(errors('listen: { colour: blue }\n')[0].hint).toBe('known keys: address, port');
    // a right key at the wrong level says where it belongs
    expect(errors('holdTime: 90\n')[0].hint).toBe('holdTime belongs under peers[] or timers');
    expect(errors('peers: [{ address: 198.18.0.1, asNumber: 1, blockSize: 26 }]\n')[0].hint).toBe('blockSize belongs under pools[]');
    expect(errors('pools: [{ cidr: 10.0.0.0/8, rules: [] }]\n')[0].hint).toBe('rules belongs under policies[]');
  });

  it('reports a missing required key at the enclosing mapping', () => {
    expect(lines('peers:\n  - asNumber: 65001\n')).toEqual([
      'c.yaml: peers[0].address: expected an IPv4 or IPv6 address, found nothing (line 2, column 5)',
    ]);
  });

  it('reports wrong shapes', () => {
    expect(lines('peers: 198.18.0.254\n')).toEqual(['c.yaml: peers: expected a list of peers, found "198.18.0.254" (line 1, column 8)']);
    expect(lines('listen: 179\n')).toEqual(['c.yaml: listen: expected a mapping of listen settings (address, port), found 179 (line 1, column 9)']);
    expect(lines('- a\n- b\n')).toEqual(['c.yaml: expected a mapping of tortie settings, found a list of 2 items (line 1, column 1)']);
  });

  it('reports every problem in one pass, top to bottom', () => {
    const text = [
      'asNumber: 0', // 1
      'routerId: 198.18.0',
      'listen: { port: 70000 }',
      'timers: { holdTime: 2 }',
      'pools:',
      '  - { cidr: 10.244.0.0/16, blockSize: 19 }',
      'peers:',
      '  - { address: 198.18.0.254, asNumber: 65001, port: 0 }',
    ].join('\n');
    expect(errors(text).map((e) => [e.path, e.line])).toEqual([
      ['asNumber', 1],
      ['routerId', 2],
      ['listen.port', 3],
      ['timers.holdTime', 4],
      ['pools[0].blockSize', 6],
      ['peers[0].port', 8],
    ]);
  });

  it('YAML syntax errors name line and column', () => {
    const e = errors('asNumber: 64512\npeers:\n  - { address: 198.18.0.254, asNumber: 65001\nnodeName: x\n');
    expect(e.length).toBeGreaterThan(0);
    expect(e[0]).toMatchObject({ file: 'c.yaml', path: '', expected: 'valid YAML' });
    expect(e[0].line).toBeGreaterThanOrEqual(3);
    expect(e[0].column).toBeGreaterThanOrEqual(1);
    expect(formatConfigError(e[0])).toMatch(/^c\.yaml: expected valid YAML, found .+ \(line \d+, column \d+\)$/);
  });

  it('duplicate keys are a syntax error at the second key', () => {
    const [e] = errors('asNumber: 1\nasNumber: 2\n');
    expect(formatConfigError(e)).toBe('c.yaml: expected each key once per mapping, found key "asNumber" a second time (line 2, column 1)');
  });

  it('columns are right with a byte-order mark and CRLF line ends', () => {
    expect(lines('\uFEFFasNumber: 65001x\r\nlisten: { port: 0 }\r\n')).toEqual([
      'c.yaml: asNumber: expected an AS number 1–4294967295, found "65001x" (line 1, column 11)',
      'c.yaml: listen.port: expected a TCP port 1–65535, found 0 (line 2, column 17)',
    ]);
  });

  it('a second document is refused', () => {
    expect(lines('asNumber: 1\n---\nasNumber: 2\n')).toEqual(['c.yaml: expected a single YAML document, found a second document after --- (line 2, column 1)']);
  });

  it('empty values are explained as YAML null', () => {
    expect(errors('peers:\n# - { address: 198.18.0.1 }\n')[0]).toMatchObject({ path: 'peers', found: 'null', line: 1, hint: 'a key with nothing after it is null in YAML: give it a value or remove it' });
  });

  it('x-* keys and merge keys share settings between peers', () => {
    const c = ok([
      'x-tor: &tor { asNumber: 65001, holdTime: 9, keepaliveTime: 3 }',
      'peers:',
      '  - { <<: *tor, address: 198.18.0.254 }',
      '  - { <<: *tor, address: 198.18.0.253, holdTime: 30, keepaliveTime: 10 }',
    ].join('\n'));
    expect(c.peers.map((p) => [p.asNumber, p.holdTime, p.keepaliveTime])).toEqual([[65001, 9, 3], [65001, 30, 10]]);
    expect(errors('y-tor: 1\n')[0].path).toBe('y-tor');
  });

  it('never prints a password', () => {
    const pw = 'p'.repeat(81);
    const out = lines(`peers: [{ address: 198.18.0.1, asNumber: 1, password: ${pw} }]`);
    expect(out).toEqual(['c.yaml: peers[0].password: expected a TCP-MD5 password of 1–80 bytes, found a string of 81 bytes (line 1, column 55)']);
  });

  it('an empty file is an error, not all defaults', () => {
    expect(lines('# nothing here\n')).toEqual(['c.yaml: expected a mapping of tortie settings, found an empty document']);
  });

  it('alias bombs are cut off', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', 'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]', 'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]', 'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]'].join('\n');
    const e = errors(bomb);
    expect(e).toHaveLength(1);
    expect(e[0].expected).toMatch(/alias/);
  });
});

describe('cross-field checks', () => {
  const first = (text: string) => {
    const e = errors(text);
    expect(e, e.map(formatConfigError).join('\n')).toHaveLength(1);
    return e[0];
  };

  it('duplicate peer addresses (same port), in any spelling', () => {
    const e = first('peers:\n  - { address: "fd00::1", asNumber: 65001 }\n  - { address: "FD00:0::1", asNumber: 65002 }\n');
    expect(e).toMatchObject({ path: 'peers[1].address', expected: 'an address not already used by peers[0]', line: 3 });
    expect(ok('peers:\n  - { address: 198.18.0.1, asNumber: 65001 }\n  - { address: 198.18.0.1, asNumber: 65001, port: 1179 }\n').peers).toHaveLength(2);
  });

  it('per-node peers may reuse an address on another node, not on the same one', () => {
    const perRack = 'peers:\n  - { address: 198.18.0.254, asNumber: 65001, node: rack1-a }\n  - { address: 198.18.0.254, asNumber: 65002, node: rack2-a }\n';
    expect(ok(perRack).peers.map((p) => p.node)).toEqual(['rack1-a', 'rack2-a']);
    const e = first('peers:\n  - { address: 198.18.0.254, asNumber: 65001, node: rack1-a }\n  - { address: 198.18.0.254, asNumber: 65002, node: rack1-a, name: b }\n');
    expect(e).toMatchObject({ path: 'peers[1].address', expected: 'an address not already used by peers[0]' });
    expect(first('peers:\n  - { address: 198.18.0.254, asNumber: 65001, node: "Not_A_Node" }\n').path).toBe('peers[0].node');
  });

  it('overlapping pools', () => {
    const e = first('pools:\n  - { cidr: 10.244.0.0/16 }\n  - { cidr: 10.244.128.0/17 }\n');
    expect(e).toMatchObject({ path: 'pools[1].cidr', expected: 'a CIDR that does not overlap pools[0] (10.244.0.0/16)' });
    expect(ok('pools:\n  - { cidr: 10.244.0.0/16 }\n  - { cidr: 10.245.0.0/16 }\n  - { cidr: "fd00::/48" }\n').pools).toHaveLength(3);
  });

  it('block size range per family and against the pool', () => {
    expect(first('pools: [{ cidr: 10.244.0.0/16, blockSize: 33 }]').expected).toBe('a block size of 20–32 for an IPv4 pool');
    expect(first('pools: [{ cidr: 10.244.0.0/16, blockSize: 19 }]').expected).toBe('a block size of 20–32 for an IPv4 pool');
    expect(first('pools: [{ cidr: "fd00::/48", blockSize: 26 }]').expected).toBe('a block size of 116–128 for an IPv6 pool');
    expect(first('pools: [{ cidr: 10.244.0.0/24, blockSize: 22 }]').expected).toBe('a block size of at least 24 (blocks must fit inside the /24 pool)');
    expect(first('pools: [{ cidr: 10.244.0.0/28 }]')).toMatchObject({ path: 'pools[0].blockSize', found: 'nothing' });
    expect(ok('pools: [{ cidr: 10.244.0.0/28, blockSize: 28 }]').pools[0].blockSize).toBe(28);
    expect(ok('pools: [{ cidr: 10.244.0.0/20, blockSize: 20 }]').pools[0].blockSize).toBe(20);
  });

  it('host bits in pools, advertised prefixes and policy prefixes', () => {
    expect(first('pools: [{ cidr: 10.244.7.0/16 }]')).toMatchObject({ path: 'pools[0].cidr', hint: 'did you mean "10.244.0.0/16"?' });
    expect(first('advertisePrefixes: [10.96.0.1/12]')).toMatchObject({ path: 'advertisePrefixes[0]', hint: 'did you mean "10.96.0.0/12"?' });
    expect(first('policies: [{ name: p, rules: [{ match: { prefixes: ["fd00::1/64"] } }] }]').hint).toBe('did you mean "fd00::/64"?');
  });

  it('v4/v6 mix-ups', () => {
    expect(first('nodeAddress: "fd00::1"').hint).toBe('that is an IPv6 address; IPv6 belongs in nodeAddressV6');
    expect(first('nodeAddressV6: 198.18.0.1').hint).toBe('that is an IPv4 address; IPv4 belongs in nodeAddress');
    expect(first('routerId: "fd00::1"').hint).toMatch(/32 bits/);
    expect(first('peers: [{ address: 198.18.0.254, asNumber: 65001, localAddress: "fd00::1" }]')).toMatchObject({ path: 'peers[0].localAddress', expected: 'an IPv4 address, like the peer address 198.18.0.254' });
    expect(first('pools: [{ cidr: "fd00::/48", encapsulation: ipip }]').expected).toBe('none or vxlan for an IPv6 pool (IPIP carries IPv4 only)');
    expect(first('policies: [{ name: p, rules: [{ match: { family: ipv4, prefixes: ["fd00::/8"] } }] }]').path).toBe('policies[0].rules[0].match.prefixes[0].cidr');
  });

  it('AS number, hold time, router ID and port bounds', () => {
    expect(first('asNumber: 4294967296').expected).toBe('an AS number 1–4294967295');
    expect(ok('asNumber: 4294967295').asNumber).toBe(4294967295);
    expect(first('timers: { holdTime: 1 }').expected).toBe('a hold time of 0 or 3–65535 seconds');
    expect(ok('timers: { holdTime: 0, keepaliveTime: 0 }').timers.holdTime).toBe(0);
    expect(first('routerId: 256.1.1.1').path).toBe('routerId');
    expect(first('routerId: 0.0.0.0').expected).toMatch(/not 0\.0\.0\.0/);
    expect(first('listen: { port: 0 }').expected).toBe('a TCP port 1–65535');
    expect(first('peers: [{ address: 198.18.0.254, asNumber: 65001, port: 65536 }]').path).toBe('peers[0].port');
  });

  it('keepalive must be below the hold time, per peer and globally', () => {
    expect(first('timers: { holdTime: 9, keepaliveTime: 9 }').path).toBe('timers.keepaliveTime');
    expect(first('peers: [{ address: 198.18.0.254, asNumber: 65001, holdTime: 9, keepaliveTime: 10 }]').path).toBe('peers[0].keepaliveTime');
    // inherits the global hold time
    expect(first('timers: { holdTime: 30 }\npeers: [{ address: 198.18.0.254, asNumber: 65001, keepaliveTime: 30 }]').path).toBe('peers[0].keepaliveTime');
  });

  it('dangling policy names get a suggestion', () => {
    const e = first('policies: [{ name: tor-in }]\npeers: [{ address: 198.18.0.254, asNumber: 65001, importPolicy: tor-ni, exportPolicy: [tor-in] }]');
    expect(e).toMatchObject({ path: 'peers[0].importPolicy', hint: 'did you mean "tor-in"?' });
    expect(first('policies: [{ name: a }, { name: a }]').path).toBe('policies[1].name');
  });

  it('route reflector clients must be iBGP; restartAfter needs action restart; reject rules do not set', () => {
    expect(first('peers: [{ address: 198.18.0.1, asNumber: 65001, routeReflectorClient: true }]').path).toBe('peers[0].routeReflectorClient');
    expect(ok('peers: [{ address: 198.18.0.1, asNumber: 64512, routeReflectorClient: true }]').peers[0].routeReflectorClient).toBe(true);
    expect(first('peers: [{ address: 198.18.0.1, asNumber: 1, maxPrefix: { limit: 5, action: warn, restartAfter: 30 } }]').path).toBe('peers[0].maxPrefix.restartAfter');
    expect(first('policies: [{ name: p, rules: [{ action: reject, set: { med: 5 } }] }]').path).toBe('policies[0].rules[0].set');
  });

  it('datastore keys must fit its type', () => {
    expect(first('datastore: { type: file, endpoints: [http://127.0.0.1:2379] }')).toMatchObject({ path: 'datastore.endpoints', expected: 'only type, path for a file datastore' });
    expect(first('datastore: { type: etcd }').path).toBe('datastore.endpoints');
    expect(first('datastore: { type: etcd, endpoints: ["127.0.0.1:2379"] }').hint).toBe('did you mean "http://127.0.0.1:2379"?');
    expect(ok('datastore: { type: etcd, endpoints: [http://127.0.0.1:2379] }').datastore).toEqual({ type: 'etcd', endpoints: ['http://127.0.0.1:2379'], prefix: '/tortie' });
  });

  it('families must not be empty or repeated', () => {
    expect(first('peers: [{ address: 198.18.0.1, asNumber: 1, families: [] }]')).toMatchObject({ path: 'peers[0].families', expected: 'at least one address family', found: 'an empty list' });
    expect(first('peers: [{ address: 198.18.0.1, asNumber: 1, families: [ipv4, ipv6, ipv4] }]').path).toBe('peers[0].families[2]');
  });

  it('peering with the node itself is refused', () => {
    expect(first('nodeAddress: 198.18.0.1/24\npeers: [{ address: 198.18.0.1, asNumber: 1 }]').path).toBe('peers[0].address');
  });
});

describe('validateConfig and loadConfig', () => {
  it('validateConfig works on plain objects (no positions)', () => {
    const r = validateConfig({ asNumber: 'x', pools: [{ cidr: '10.0.0.0/8', blockSize: 26 }] }, 'obj', { host });
    expect(r.errors).toEqual([{ file: 'obj', path: 'asNumber', expected: 'an AS number 1–4294967295', found: '"x"' }]);
  });

  it('loadConfig reports unreadable files as a config error', () => {
    const r = loadConfig('/nonexistent/tortie/bgpd.yaml', { host });
    expect(r.errors?.map(formatConfigError)).toEqual(['/nonexistent/tortie/bgpd.yaml: expected a readable YAML config file, found no such file']);
  });

  it('loadConfig reads a file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tortie-cfg-'));
    try {
      const f = join(dir, 'bgpd.yaml');
      writeFileSync(f, 'asNumber: 65010\n');
      expect(loadConfig(f, { host }).config?.asNumber).toBe(65010);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('every example loads', () => {
    const dir = new URL('./examples/', import.meta.url).pathname;
    const files = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();
    expect(files).toEqual(['dual-stack.yaml', 'full-mesh.yaml', 'kubernetes.yaml', 'minimal.yaml', 'route-reflector.yaml', 'tor-peering.yaml']);
    for (const f of files) {
      const r = loadConfig(join(dir, f), { host });
      expect(r.errors?.map(formatConfigError) ?? [], f).toEqual([]);
    }
  });
});
