// The client against a fake RuntimeService that sees raw protobuf bytes: this pins the wire field
// numbers (what containerd will read) independently of runtime.proto, which is what it is checking.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { criClient, type CriClient } from './client';

type Fields = Map<number, (number | Buffer)[]>;

function varint(buf: Buffer, pos: number): [number, number] {
  let n = 0;
  for (let shift = 0; ; shift += 7) {
    const b = buf[pos++];
    n += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return [n, pos];
  }
}

/** Top-level fields by number; nested messages stay bytes (decode them again). */
function decode(buf: Buffer): Fields {
  const out: Fields = new Map();
  for (let pos = 0; pos < buf.length; ) {
    let key: number, val: number | Buffer;
    [key, pos] = varint(buf, pos);
    if ((key & 7) === 0) [val, pos] = varint(buf, pos);
    else if ((key & 7) === 2) {
      let len: number;
      [len, pos] = varint(buf, pos);
      val = buf.subarray(pos, pos + len);
      pos += len;
    } else throw new Error(`wire type ${key & 7}`);
    out.set(key >> 3, [...(out.get(key >> 3) ?? []), val]);
  }
  return out;
}
const str = (f: Fields, n: number): string | undefined => (f.get(n)?.[0] as Buffer | undefined)?.toString();
const sub = (f: Fields, n: number): Fields => decode((f.get(n)?.[0] as Buffer | undefined) ?? Buffer.alloc(0));

function field(n: number, v: number | string | Buffer): Buffer {
  if (typeof v === 'number') return Buffer.from([n << 3, v]); // small numbers only
  const data = typeof v === 'string' ? Buffer.from(v) : v;
  return Buffer.concat([Buffer.from([(n << 3) | 2, data.length]), data]);
}

const seen: { method: string; req: Buffer }[] = [];
const replies: Record<string, Buffer> = {};
let server: grpc.Server;
let dir: string;
let cri: CriClient;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tortie-cri-'));
  server = new grpc.Server();
  const methods = ['Version', 'RunPodSandbox', 'StopPodSandbox', 'RemovePodSandbox', 'PodSandboxStatus', 'ListPodSandbox'];
  const raw: Record<string, grpc.MethodDefinition<Buffer, Buffer>> = {};
  const impl: grpc.UntypedServiceImplementation = {};
  for (const m of methods) {
    raw[m] = {
      path: `/runtime.v1.RuntimeService/${m}`,
      requestStream: false,
      responseStream: false,
      requestSerialize: (b: Buffer) => b,
      requestDeserialize: (b: Buffer) => b,
      responseSerialize: (b: Buffer) => b,
      responseDeserialize: (b: Buffer) => b,
    };
    impl[m] = (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
      seen.push({ method: m, req: call.request });
      cb(null, replies[m] ?? Buffer.alloc(0));
    };
  }
  server.addService(raw, impl);
  await new Promise<void>((resolve, reject) =>
    server.bindAsync(`unix://${join(dir, 'cri.sock')}`, grpc.ServerCredentials.createInsecure(), (e) => (e ? reject(e) : resolve())),
  );
  cri = criClient(join(dir, 'cri.sock'), { timeoutMs: 5_000 });
});

afterAll(async () => {
  cri?.close();
  await new Promise<void>((r) => (server ? server.tryShutdown(() => r()) : r()));
  rmSync(dir, { recursive: true, force: true });
});

const lastRequest = (method: string): Fields => decode(seen.filter((s) => s.method === method).at(-1)!.req);

describe('CRI client wire format (cri-api runtime.v1 field numbers)', () => {
  it('Version sends the API version and reads name/version/api version', async () => {
    replies.Version = Buffer.concat([field(1, '0.1.0'), field(2, 'containerd'), field(3, '1.6.20'), field(4, 'v1')]);
    expect(await cri.version()).toEqual({ version: '0.1.0', runtimeName: 'containerd', runtimeVersion: '1.6.20', runtimeApiVersion: 'v1' });
    expect(str(lastRequest('Version'), 1)).toBe('v1');
  });

  it('RunPodSandbox encodes config{metadata{name,uid,namespace,attempt},hostname,log_directory,labels} and returns the id', async () => {
    replies.RunPodSandbox = field(1, 'abc123');
    const id = await cri.runPodSandbox({
      metadata: { name: 'p', uid: 'u-1', namespace: 'ns', attempt: 3 },
      hostname: 'host-p',
      logDirectory: '/logs',
      labels: { app: 'x' },
    });
    expect(id).toBe('abc123');
    const config = sub(lastRequest('RunPodSandbox'), 1);
    const md = sub(config, 1);
    expect([str(md, 1), str(md, 2), str(md, 3), md.get(4)?.[0]]).toEqual(['p', 'u-1', 'ns', 3]);
    expect(str(config, 2)).toBe('host-p');
    expect(str(config, 3)).toBe('/logs');
    const label = sub(config, 6); // map entry: key = 1, value = 2
    expect([str(label, 1), str(label, 2)]).toEqual(['app', 'x']);
  });

  it('PodSandboxStatus reads state (field 3) and network.ip (5.1); an absent state is SANDBOX_READY', async () => {
    replies.PodSandboxStatus = field(1, Buffer.concat([field(1, 'abc123'), field(3, 1), field(5, field(1, '10.75.0.4'))]));
    const st = await cri.podSandboxStatus('abc123');
    expect(str(lastRequest('PodSandboxStatus'), 1)).toBe('abc123');
    expect([st.id, st.state, st.network?.ip]).toEqual(['abc123', 'SANDBOX_NOTREADY', '10.75.0.4']);

    replies.PodSandboxStatus = field(1, field(1, 'def'));
    expect((await cri.podSandboxStatus('def')).state).toBe('SANDBOX_READY');
  });

  it('PodSandboxStatus without a status in the reply is an error, not an empty object', async () => {
    replies.PodSandboxStatus = Buffer.alloc(0);
    await expect(cri.podSandboxStatus('gone')).rejects.toThrow(/no status for gone/);
  });

  it('Stop/RemovePodSandbox send the id as field 1', async () => {
    await cri.stopPodSandbox('s1');
    await cri.removePodSandbox('r1');
    expect(str(lastRequest('StopPodSandbox'), 1)).toBe('s1');
    expect(str(lastRequest('RemovePodSandbox'), 1)).toBe('r1');
  });

  it('ListPodSandbox encodes filter{id, state{state}} and reads items', async () => {
    replies.ListPodSandbox = Buffer.concat([
      field(1, Buffer.concat([field(1, 'a'), field(2, field(1, 'pa')), field(3, 1)])),
      field(1, Buffer.concat([field(1, 'b')])),
    ]);
    const items = await cri.listPodSandbox({ id: 'a', state: 'SANDBOX_NOTREADY' });
    expect(items.map((i) => [i.id, i.metadata?.name ?? null, i.state])).toEqual([['a', 'pa', 'SANDBOX_NOTREADY'], ['b', null, 'SANDBOX_READY']]);
    const filter = sub(lastRequest('ListPodSandbox'), 1);
    expect(str(filter, 1)).toBe('a');
    expect(sub(filter, 2).get(1)).toEqual([1]);

    await cri.listPodSandbox();
    expect(lastRequest('ListPodSandbox').size).toBe(0); // no filter at all
  });

  it('a gRPC error carries the method name', async () => {
    const dead = criClient(join(dir, 'nobody.sock'), { timeoutMs: 300 });
    await expect(dead.version()).rejects.toThrow(/^CRI Version: /);
    dead.close();
  });
});
