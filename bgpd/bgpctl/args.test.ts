import { describe, it, expect } from 'vitest';
import { parseBgpctlArgs } from './args';

describe('bgpctl arguments', () => {
  it('parses every command with global options anywhere', () => {
    expect(parseBgpctlArgs(['show', 'peers', '--json'])).toMatchObject({ kind: 'control', json: true, request: { cmd: 'show peers' } });
    expect(parseBgpctlArgs(['--socket', '/tmp/x.sock', 'show'])).toMatchObject({ socket: '/tmp/x.sock', request: { cmd: 'show peers' } });
    expect(parseBgpctlArgs(['show', 'neighbor', 'tor1'])).toMatchObject({ request: { cmd: 'show neighbor', peer: 'tor1' } });
    expect(parseBgpctlArgs(['show', 'routes', '10.0.0.0/24'])).toMatchObject({ request: { cmd: 'show routes', prefix: '10.0.0.0/24' } });
    expect(parseBgpctlArgs(['show', 'routes', '--family=ipv6'])).toMatchObject({ request: { cmd: 'show routes', family: 'ipv6' } });
    expect(parseBgpctlArgs(['show', 'rib', 'out', '10.0.0.2'])).toMatchObject({ request: { cmd: 'show rib', direction: 'out', peer: '10.0.0.2' } });
    expect(parseBgpctlArgs(['clear', 'neighbor', 'all', 'soft'])).toMatchObject({ request: { cmd: 'clear neighbor', peer: 'all', soft: true } });
    expect(parseBgpctlArgs(['-c', '/etc/tortie/bgpd.yaml', 'reload'])).toMatchObject({ configPath: '/etc/tortie/bgpd.yaml', request: { cmd: 'reload' } });
    expect(parseBgpctlArgs(['-n', 'show', 'status'])).toMatchObject({ numeric: true, request: { cmd: 'status' } });
  });

  it('hands ipam commands to the IPAM CLI untouched', () => {
    expect(parseBgpctlArgs(['ipam', 'pool', 'list', '--json'])).toEqual({ kind: 'ipam', argv: ['pool', 'list', '--json'] });
    expect(parseBgpctlArgs(['show', 'ipam', '--show-blocks'])).toEqual({ kind: 'ipam', argv: ['show', '--show-blocks'] });
    expect(parseBgpctlArgs(['--json', 'ipam', 'show'])).toEqual({ kind: 'ipam', argv: ['--json', 'show'] });
  });

  it('usage errors name the problem', () => {
    expect(parseBgpctlArgs(['show', 'neighbor'])).toMatchObject({ kind: 'usage-error', message: /needs a peer/ });
    expect(parseBgpctlArgs(['show', 'rib', 'sideways', 'x'])).toMatchObject({ kind: 'usage-error' });
    expect(parseBgpctlArgs(['clear', 'neighbor', 'x', 'hard'])).toMatchObject({ kind: 'usage-error', message: /only "soft"/ });
    expect(parseBgpctlArgs(['show', 'peers', 'extra'])).toMatchObject({ kind: 'usage-error', message: /unexpected argument "extra"/ });
    expect(parseBgpctlArgs(['--frobnicate'])).toMatchObject({ kind: 'usage-error', message: /unknown option --frobnicate/ });
    expect(parseBgpctlArgs(['--socket'])).toMatchObject({ kind: 'usage-error' });
    expect(parseBgpctlArgs([])).toEqual({ kind: 'help' });
    expect(parseBgpctlArgs(['show', 'peers', '--help'])).toEqual({ kind: 'help' });
  });
});
