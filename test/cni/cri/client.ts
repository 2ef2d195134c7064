// A minimal CRI RuntimeService client for the lab tests: pod sandboxes over containerd's unix socket,
// with @grpc/grpc-js and the hand-written proto subset beside this file (what crictl would do, but
// crictl is not packaged in Debian 12).
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import type {
  CriVersion,
  ListPodSandboxFilter,
  PodSandbox,
  PodSandboxConfig,
  PodSandboxStatus,
} from './types';

export type * from './types';

const SERVICE = 'runtime.v1.RuntimeService';

// camelCase field names both ways; enums as their names; absent fields filled with proto3 defaults,
// which matters because proto3 never sends SANDBOX_READY (= 0) on the wire.
const definition = loadSync(join(import.meta.dirname, 'runtime.proto'), {
  keepCase: false,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: false,
});
const service = definition[SERVICE] as grpc.ServiceDefinition;

export interface CriClient {
  version(): Promise<CriVersion>;
  /** Returns the sandbox id. */
  runPodSandbox(config: PodSandboxConfig, runtimeHandler?: string): Promise<string>;
  podSandboxStatus(id: string): Promise<PodSandboxStatus>;
  stopPodSandbox(id: string): Promise<void>;
  removePodSandbox(id: string): Promise<void>;
  listPodSandbox(filter?: ListPodSandboxFilter): Promise<PodSandbox[]>;
  close(): void;
}

export interface CriClientOptions {
  /** Deadline for each call; RunPodSandbox includes the CNI ADD, so keep it generous. */
  timeoutMs?: number;
}

/** Connects lazily: the first call waits (up to its deadline) for the socket to accept. */
export function criClient(socketPath: string, opts: CriClientOptions = {}): CriClient {
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const client = new grpc.Client(`unix://${socketPath}`, grpc.credentials.createInsecure());

  function call<Res>(method: string, request: object): Promise<Res> {
    const def = service[method];
    if (!def) throw new Error(`${method} is not in runtime.proto`);
    return new Promise((resolve, reject) => {
      client.makeUnaryRequest(
        def.path,
        def.requestSerialize,
        def.responseDeserialize as (b: Buffer) => Res,
        request,
        new grpc.Metadata(),
        { deadline: Date.now() + timeoutMs },
        (err, res) => (err ? reject(new Error(`CRI ${method}: ${err.message}`, { cause: err })) : resolve(res as Res)),
      );
    });
  }

  return {
    version: () => call<CriVersion>('Version', { version: 'v1' }),
    async runPodSandbox(config, runtimeHandler = '') {
      const res = await call<{ podSandboxId: string }>('RunPodSandbox', { config, runtimeHandler });
      return res.podSandboxId;
    },
    async podSandboxStatus(id) {
      const res = await call<{ status: PodSandboxStatus | null }>('PodSandboxStatus', { podSandboxId: id });
      if (!res.status) throw new Error(`CRI PodSandboxStatus: no status for ${id}`);
      return res.status;
    },
    async stopPodSandbox(id) {
      await call('StopPodSandbox', { podSandboxId: id });
    },
    async removePodSandbox(id) {
      await call('RemovePodSandbox', { podSandboxId: id });
    },
    async listPodSandbox(filter) {
      const res = await call<{ items: PodSandbox[] }>('ListPodSandbox', {
        filter: filter && { id: filter.id ?? '', state: filter.state && { state: filter.state }, labelSelector: filter.labelSelector ?? {} },
      });
      return res.items;
    },
    close: () => client.close(),
  };
}
