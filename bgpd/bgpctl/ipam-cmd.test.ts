import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Ipam } from '../../ipam/ipam';
import { handleKey, poolKey } from '../../ipam/keys';
import { FileStore } from '../../ipam/store/file-store';
import { runIpamCommand, type IpamCmdIo } from './ipam-cmd';

const dir = mkdtempSync('/tmp/tortie-ipam-cmd-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: IpamCmdIo = { out: (t) => (out += t), err: (t) => (err += t), env: { TORTIE_DATASTORE: `file:${dir}/store?nosync` } };
  const code = await runIpamCommand(argv, io);
  return { code, out, err };
}

describe('bgpctl ipam', () => {
  it('adds pools, rejects bad ones with a clear message, shows, checks, releases', async () => {
    expect((await run('pool', 'add', '10.0.0.0/24', '--name', 'a')).code).toBe(0);
    const overlap = await run('pool', 'add', '10.0.0.0/16');
    expect(overlap).toMatchObject({ code: 1 });
    expect(overlap.err).toContain('IP pool 10.0.0.0/16 overlaps existing pool 10.0.0.0/24');
    expect((await run('pool', 'add', '10.1.0.0/24', '--block-size', '33')).err).toContain('blockSize 33 is out of range 20–32');
    expect((await run('pool', 'add', '10.1.0.0/24', '--block-size', '22')).err).toContain('blockSize /22 is larger than the pool 10.1.0.0/24');
    expect((await run('pool', 'add', 'fd00::/64', '--block-size', '26')).err).toContain('out of range 116–128 for IPv6');
    expect((await run('pool', 'add', '10.1.0.1/24')).err).toContain('has host bits set');

    const ds = new FileStore(join(dir, 'store'), { durable: false });
    const ipam = new Ipam(ds);
    const [a] = await ipam.autoAssign({ handleId: 'pod1', node: 'n1', family: 4, owner: { namespace: 'ns', pod: 'p1' } });
    const show = await run('show', '--show-blocks');
    expect(show.out).toMatch(/\| IP Pool +\| 10\.0\.0\.0\/24 \| +256 \| +1 \(0%\) \|/);
    expect(show.out).toContain('host:n1');
    expect((await run('show', '--ip', a.ip)).out).toContain(`IP ${a.ip} is in use\nHandle ID: pod1`);
    expect((await run('show', '--ip', 'banana')).err).toContain(`'banana' is not a valid IP address`);

    expect((await run('check')).code).toBe(0);
    await ds.create(handleKey('ghost'), JSON.stringify({ handleId: 'ghost', block: { '10.0.0.0/26': 1 } }));
    const report = join(dir, 'report.json');
    const chk = await run('check', '-o', report);
    expect(chk.code).toBe(1);
    expect(chk.out).toContain('handle ghost records');
    expect(JSON.parse(readFileSync(report, 'utf8')).problems).toHaveLength(1);
    expect((await run('release', '--from-report', report)).out).toContain('Fixed 1 handles');
    expect((await run('check')).code).toBe(0);

    expect(await run('release', '--ip', a.ip)).toMatchObject({ code: 0, out: `Successfully released IP address ${a.ip}\n` });
    expect(await run('release', '--ip', a.ip)).toMatchObject({ code: 1, err: `IP address ${a.ip} is not assigned\n` });
    expect((await run('configure', '--max-blocks-per-host', '4')).out).toContain('maxBlocksPerHost: 4');
    expect((await run('frobnicate')).code).toBe(2);
  });
});

describe('bgpctl ipam pool list', () => {
  it('shows pools IPAM skips (written past pool add) with the reason', async () => {
    const ds = new FileStore(join(dir, 'store-list'), { durable: false });
    const io = (): IpamCmdIo & { text: () => string } => {
      let out = '';
      return { out: (t) => (out += t), err: (t) => (out += t), env: { TORTIE_DATASTORE: `file:${dir}/store-list?nosync` }, text: () => out };
    };
    await ds.create(poolKey('good'), JSON.stringify({ name: 'good', cidr: '10.5.0.0/24', blockSize: 26 }));
    await ds.create(poolKey('bad'), JSON.stringify({ name: 'bad', cidr: '10.6.0.1/24', blockSize: 26 }));
    await ds.close();
    const o = io();
    expect(await runIpamCommand(['pool', 'list'], o)).toBe(0);
    expect(o.text()).toMatch(/^good\t10\.5\.0\.0\/24\tblock \/26/m);
    expect(o.text()).toContain('bad\tNOT USED: cidr: 10.6.0.1/24 has host bits set (did you mean 10.6.0.0/24?)');
  });
});
