// File operations for install-cni. Every file is written to a temp name in its target directory and
// renamed over the target, so a kubelet that execs a plugin (or reads the conflist) at any moment sees
// either the old complete file or the new complete file — never a half-written one.
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, copyFileSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync, chmodSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

function tempBeside(path: string): string {
  return join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
}

function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export function atomicWrite(path: string, data: string | Buffer, mode: number): void {
  const tmp = tempBeside(path);
  try {
    const fd = openSync(tmp, 'w', mode);
    try {
      writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    chmodSync(tmp, mode); // the umask may have narrowed the open() mode
    renameSync(tmp, path);
    fsyncPath(dirname(path));
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/** Copies unless the target already has the same content; returns the content hash either way. */
export function atomicCopy(src: string, dst: string, mode: number): { hash: string; changed: boolean } {
  const hash = sha256File(src);
  if (existsSync(dst) && sha256File(dst) === hash) {
    chmodSync(dst, mode);
    return { hash, changed: false };
  }
  const tmp = tempBeside(dst);
  try {
    copyFileSync(src, tmp);
    chmodSync(tmp, mode);
    fsyncPath(tmp);
    renameSync(tmp, dst);
    fsyncPath(dirname(dst));
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  return { hash, changed: true };
}

/** What install-cni wrote: path → sha256, so --uninstall removes only files still exactly ours. */
export interface InstallManifest {
  readonly version: 1;
  readonly files: Record<string, string>;
}

export function readManifest(path: string): InstallManifest {
  if (!existsSync(path)) return { version: 1, files: {} };
  const m = JSON.parse(readFileSync(path, 'utf8')) as InstallManifest;
  if (m.version !== 1 || typeof m.files !== 'object') throw new Error(`${path}: not an install-cni manifest`);
  return m;
}

export function writeManifest(path: string, m: InstallManifest): void {
  atomicWrite(path, JSON.stringify(m, null, 2) + '\n', 0o644);
}
