// A libcni-equivalent exec client for tests and benchmarks: runs CNI plugins the way a container
// runtime does (env + netconf on stdin), chains a conflist (each plugin gets the previous result as
// prevResult), DELs in reverse order, CHECKs with the cached ADD result, and GC/STATUS per plugin.
// Plugins run inside the "host" netns given (nsenter, which keeps the mount namespace unlike ip netns exec).
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';

export type PluginConf = Record<string, unknown> & { type: string };

export interface ConfList {
  cniVersion: string;
  name: string;
  plugins: PluginConf[];
}

export interface RuntimeConf {
  containerId: string;
  /** container netns path */
  netns: string;
  ifname: string;
  /** CNI_ARGS pairs */
  args?: Record<string, string>;
  /** netns path the plugins run in (the "host") */
  hostNetns: string;
  cniPath: string[];
  /** extra environment (e.g. the test-only fault hook) */
  env?: Record<string, string>;
}

export class CniExecError extends Error {
  constructor(
    readonly plugin: string,
    readonly command: string,
    readonly exitCode: number | null,
    readonly code: number | undefined,
    readonly cniMsg: string,
    readonly details: string | undefined,
    readonly stdout: string,
  ) {
    super(`${plugin} ${command}: ${code !== undefined ? `code ${code}: ` : ''}${cniMsg}${details ? ` (${details})` : ''}`);
  }
}

export interface ExecOutput {
  parsed: unknown;
  stdout: string;
  ms: number;
}

export function findPlugin(type: string, cniPath: readonly string[]): string {
  for (const d of cniPath) {
    const f = join(d, type);
    try {
      accessSync(f, constants.X_OK);
      return f;
    } catch {
      // next
    }
  }
  throw new Error(`plugin ${type} not found in ${cniPath.join(':')}`);
}

/** Runs one plugin command; resolves with its stdout parsed, rejects with CniExecError. */
export function execPlugin(command: string, conf: Record<string, unknown> & { type: string }, rt: RuntimeConf): Promise<ExecOutput> {
  const file = findPlugin(conf.type, rt.cniPath);
  const args = rt.args ? Object.entries(rt.args).map(([k, v]) => `${k}=${v}`).join(';') : '';
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
    CNI_COMMAND: command,
    CNI_PATH: rt.cniPath.join(':'),
    ...(command === 'VERSION' || command === 'STATUS' || command === 'GC'
      ? {}
      : { CNI_CONTAINERID: rt.containerId, CNI_NETNS: rt.netns, CNI_IFNAME: rt.ifname, CNI_ARGS: args }),
    ...rt.env,
  };
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn('nsenter', [`--net=${rt.hostNetns}`, file], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - t0;
      const stdout = Buffer.concat(out).toString('utf8').trim();
      let parsed: unknown;
      try {
        parsed = stdout ? JSON.parse(stdout) : undefined;
      } catch {
        parsed = undefined;
      }
      if (code === 0) return resolve({ parsed, stdout, ms });
      const e = (parsed ?? {}) as { code?: number; msg?: string; details?: string };
      reject(new CniExecError(conf.type, command, code, e.code, e.msg ?? (stdout || Buffer.concat(err).toString('utf8')), e.details, stdout));
    });
    child.stdin.on('error', () => {});
    child.stdin.end(JSON.stringify(conf));
  });
}

function pluginConf(list: ConfList, p: PluginConf, prevResult?: unknown): PluginConf {
  const c: PluginConf = { ...p, cniVersion: list.cniVersion, name: list.name };
  if (prevResult !== undefined) c.prevResult = prevResult;
  return c;
}

/** ADD through the chain; returns the last plugin's result (what a runtime caches). */
export async function addNetworkList(list: ConfList, rt: RuntimeConf): Promise<Record<string, unknown>> {
  let prev: unknown;
  for (const p of list.plugins) prev = (await execPlugin('ADD', pluginConf(list, p, prev), rt)).parsed;
  return prev as Record<string, unknown>;
}

/** CHECK every plugin with the cached ADD result as prevResult. */
export async function checkNetworkList(list: ConfList, rt: RuntimeConf, cached: unknown): Promise<void> {
  for (const p of list.plugins) await execPlugin('CHECK', pluginConf(list, p, cached), rt);
}

/** DEL in reverse order; the cached result goes along as prevResult (libcni does for 0.4.0+). */
export async function delNetworkList(list: ConfList, rt: RuntimeConf, cached?: unknown): Promise<void> {
  for (const p of [...list.plugins].reverse()) await execPlugin('DEL', pluginConf(list, p, cached), rt);
}

export async function gcNetworkList(list: ConfList, rt: RuntimeConf, valid: { containerID: string; ifname: string }[]): Promise<void> {
  for (const p of list.plugins) await execPlugin('GC', { ...pluginConf(list, p), 'cni.dev/valid-attachments': valid }, rt);
}

export async function statusNetworkList(list: ConfList, rt: RuntimeConf): Promise<void> {
  for (const p of list.plugins) await execPlugin('STATUS', pluginConf(list, p), rt);
}
