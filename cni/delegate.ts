// Runs another CNI plugin (an IPAM plugin such as host-local) found on CNI_PATH, the way libcni does:
// same environment except CNI_COMMAND, the netconf on stdin, result or error JSON on stdout.
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { CniCode, CniError } from './errors';

export function findPlugin(type: string, path: readonly string[]): string {
  for (const dir of path) {
    const file = join(dir, type);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not in this directory
    }
  }
  throw new CniError(CniCode.InvalidEnvironment, `failed to find plugin ${JSON.stringify(type)} in path [${path.join(' ')}]`);
}

/** Executes the plugin; resolves with its parsed stdout (undefined when empty), rejects with its CniError. */
export function execPlugin(type: string, path: readonly string[], command: string, stdin: string, env: NodeJS.ProcessEnv = process.env): Promise<unknown> {
  const file = findPlugin(type, path);
  return new Promise((resolve, reject) => {
    const child = spawn(file, [], { env: { ...env, CNI_COMMAND: command }, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => reject(new CniError(CniCode.DelegateFailure, `cannot run ${type}: ${e.message}`)));
    child.stdin.on('error', () => {}); // a plugin that exits without reading stdin
    child.on('close', (code, signal) => {
      const text = Buffer.concat(out).toString('utf8').trim();
      let parsed: unknown;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = undefined;
      }
      if (code === 0) {
        if (text && parsed === undefined) reject(new CniError(CniCode.DecodeFailure, `${type} ${command}: output is not JSON`, text.slice(0, 500)));
        else resolve(parsed);
        return;
      }
      const e = parsed as { code?: unknown; msg?: unknown; details?: unknown } | undefined;
      if (e && typeof e.code === 'number' && typeof e.msg === 'string') {
        reject(new CniError(e.code, `${type}: ${e.msg}`, typeof e.details === 'string' ? e.details : undefined));
      } else {
        const why = signal ? `killed by ${signal}` : `exit ${code}`;
        reject(new CniError(CniCode.DelegateFailure, `${type} ${command} failed (${why})`, (text || Buffer.concat(err).toString('utf8')).slice(0, 500)));
      }
    });
    child.stdin.end(stdin);
  });
}
