// Embedded datastore: one file per key under <dir>/data, safe for many concurrent processes on one host
// (parallel CNI invocations) and for processes killed at any point.
//
// - Every conditional write runs under the store lock (file-lock.ts: flock on <dir>/lock, released by
//   the kernel on death, shared across network namespaces), so
//   "compare revision, then write" is atomic across processes. Reads take no lock: files are only ever
//   replaced by rename, so a reader sees either the old or the new complete record.
// - A write is: append `{r,t,k}` to <dir>/log → write <file>.tmp (fsync) → rename → fsync dir. The log
//   line comes first so store revisions are strictly monotonic even if the writer process dies half
//   way: a crash after the log line leaves a revision that changed nothing, never a reused one. The log
//   itself is not fsynced (it was one of three journal commits per write, the costliest under I/O
//   load): after a power loss it may lack its last lines, so a new revision is also kept above the
//   key's current one — a key's revision always grows (CAS can never mistake a new record for an old
//   one); only the store-wide order of revisions from before the power loss may repeat, which matters
//   to nobody, as every process that held one died with the host.
// - exclusive(fn) holds the lock across several operations (one IPAM transaction): the writes inside
//   skip the per-write lock round trip, and no other process's CAS can interleave and force a retry.
//   Durable writes inside it are staged (temp file written, log line appended, visible to this
//   process's reads) and committed when fn is done, still under the lock: all temp files fsynced at
//   once and renamed in write order; their directories are fsynced together right after the lock is
//   released, before exclusive() returns. Concurrent fsyncs share the
//   filesystem's journal commits, so a transaction of two writes waits for two commits instead of
//   four. A process killed before the commit leaves only unused revisions and temp files (ignored);
//   one killed during the renames leaves a prefix of the writes, exactly as unstaged writes would.
//   Other processes read the old records until the commit (they cannot write: the lock is held).
// - A record file is `<revision> <created>\n<value>`: `created` is the revision of the create that made the
//   key, carried over by every update (pools.ts orders overlapping pools by it), so it is exactly as
//   crash-safe as the record. Files from before it was recorded (`<revision>\n<value>`) read as created 0
//   ("before anything recorded") and keep 0 through updates; versions older than this one report the new
//   files as corrupt (do not run old and new IPAM processes on one store). A file of neither shape is
//   reported as a CorruptRecordError naming its key; writes to it are refused rather than overwriting it.
// - Watch polls the log (default every 50 ms) and reads the current file for each event under the lock
//   (so it never sees a half-done write). Events for one key can coalesce: if a key changed twice
//   between polls, only the latest value is delivered, with its revision. The log is never compacted
//   (each line is ~100 bytes; a known limit).
import {
  appendFileSync,
  closeSync,
  existsSync,
  fstatSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { close, fsync, open } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Datastore, KeyValue, WatchEvent, WatchOptions, Watcher, WriteResult } from '../datastore';
import { CorruptRecordError, DatastoreError } from '../errors';
import { FileLock } from './file-lock';

export interface FileStoreOptions {
  /** fsync data, directory and log on every write (default true). Off only for benchmarks/tests. */
  readonly durable?: boolean;
  readonly watchIntervalMs?: number;
  readonly lockTimeoutMs?: number;
  /** Rotate the revision log past this size (default 64 MiB); the previous one is kept as log.1. */
  readonly maxLogBytes?: number;
}

/** A new process only needs the newest revision, which is in the last lines of the log. */
const TAIL_BYTES = 64 * 1024;

interface Staged {
  readonly kv: KeyValue | undefined; // undefined: a delete
  readonly file: string;
  readonly tmp?: string;
}

interface LogLine {
  readonly r: number;
  readonly t: 'p' | 'd';
  readonly k: string;
}

export class FileStore implements Datastore {
  readonly kind = 'file';
  private readonly dataDir: string;
  private readonly logPath: string;
  private readonly lock: FileLock;
  private readonly durable: boolean;
  /** How far this process has read the log, and the last revision seen there. */
  private logOffset = 0;
  private logIno = -1;
  private lastRev = 0;
  private readonly watchers = new Set<() => void>();
  /** >0 while exclusive() holds the lock: writes then run directly (their bodies are synchronous). */
  private holding = 0;
  /** Inside exclusive(), nobody else can append to the log after the first catch-up. */
  private caughtUp = false;
  /** Writes of the running exclusive() call, in write order, awaiting commit (durable stores only). */
  private staged: Map<string, Staged> | undefined;
  /** key → record file (fileFor) */
  private readonly files = new Map<string, string>();

  constructor(
    readonly dir: string,
    private readonly opts: FileStoreOptions = {},
  ) {
    this.dataDir = join(dir, 'data');
    this.logPath = join(dir, 'log');
    mkdirSync(this.dataDir, { recursive: true });
    if (!existsSync(this.logPath)) appendFileSync(this.logPath, '');
    this.lock = new FileLock(join(dir, 'lock'), { timeoutMs: opts.lockTimeoutMs });
    this.durable = opts.durable ?? true;
  }

  async get(key: string): Promise<KeyValue | undefined> {
    return this.readKey(key);
  }

  async list(prefix: string): Promise<KeyValue[]> {
    // Walk only the directory the prefix's last complete segment names, then filter.
    const cut = prefix.lastIndexOf('/');
    const baseKey = cut < 0 ? '' : prefix.slice(0, cut);
    const baseDir = cut < 0 ? this.dataDir : this.dirFor(baseKey);
    const out: KeyValue[] = [];
    const walk = (dir: string, keyPrefix: string): void => {
      let entries: import('node:fs').Dirent[];
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw new DatastoreError(keyPrefix, String(err));
      }
      for (const e of entries) {
        if (e.name.startsWith('.')) continue; // temp files of in-flight writes
        if (e.isDirectory()) {
          walk(join(dir, e.name), `${keyPrefix}/${decodeSegment(e.name)}`);
        } else if (e.name.endsWith('.kv')) {
          const key = `${keyPrefix}/${decodeSegment(e.name.slice(0, -3))}`;
          if (!key.startsWith(prefix)) continue;
          const kv = this.readKey(key);
          if (kv) out.push(kv);
        }
      }
    };
    walk(baseDir, baseKey);
    if (this.staged?.size) {
      // This process's uncommitted writes: the walk saw the old files (or none).
      const byKey = new Map(out.map((kv) => [kv.key, kv]));
      for (const [key, st] of this.staged) {
        if (!key.startsWith(prefix)) continue;
        if (st.kv) byKey.set(key, st.kv);
        else byKey.delete(key);
      }
      out.length = 0;
      out.push(...byKey.values());
    }
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  create(key: string, value: string): Promise<WriteResult> {
    return this.locked(key, (cur) => (cur ? { ok: false, current: cur } : { ok: true, kv: this.write(key, value) }));
  }

  update(key: string, value: string, revision: number): Promise<WriteResult> {
    return this.locked(key, (cur) =>
      cur && cur.revision === revision ? { ok: true, kv: this.write(key, value, cur) } : { ok: false, current: cur },
    );
  }

  delete(key: string, revision: number): Promise<WriteResult> {
    return this.locked(key, (cur) => {
      if (!cur || cur.revision !== revision) return { ok: false, current: cur };
      const rev = this.appendLog('d', key, cur.revision);
      if (this.staged) {
        this.stage(key, { kv: undefined, file: this.fileFor(key) });
        return { ok: true, kv: { key, value: '', revision: rev } };
      }
      unlinkSync(this.fileFor(key));
      if (this.durable) this.syncDir(dirname(this.fileFor(key)));
      return { ok: true, kv: { key, value: '', revision: rev } };
    });
  }

  async revision(): Promise<number> {
    if (this.holding) {
      this.catchUpLog();
      return this.lastRev;
    }
    return this.lock.with(() => {
      this.catchUpLog();
      return this.lastRev;
    });
  }

  /**
   * Runs `fn` holding the store's host-wide lock, so a multi-step operation (an IPAM assignment: handle
   * then block) runs without another process's writes in between and without a lock round trip per
   * write. Other callers in this process queue (the lock's own FIFO), so it is not reentrant: `fn`
   * must not call exclusive() again. Plain reads and writes inside `fn` are what it is for.
   */
  async exclusive<T>(fn: () => T | Promise<T>): Promise<T> {
    let dirs: string[] = [];
    try {
      return await this.lock.with(async () => {
        this.holding++;
        this.caughtUp = false;
        if (this.durable) this.staged = new Map();
        try {
          return await fn();
        } finally {
          const staged = this.staged;
          this.staged = undefined;
          this.holding--;
          this.caughtUp = false;
          // Even if fn failed: what it wrote was reported as written (an all-or-nothing caller has
          // already written its undo as further writes).
          if (staged?.size) dirs = await this.commit(staged);
        }
      });
    } finally {
      // The renames' directory fsyncs run after the lock is released (the lock guards what others
      // see; the renames are visible already), and before the caller hears back: nothing is
      // acknowledged before it is durable, and the next holder does not wait for our journal commit.
      if (dirs.length) await this.syncDirs(dirs);
    }
  }

  private stage(key: string, st: Staged): void {
    const prev = this.staged!.get(key);
    if (prev?.tmp) unlinkSync(prev.tmp); // superseded within the transaction
    this.staged!.delete(key); // re-inserted at the end: renames follow the order of the last writes
    this.staged!.set(key, st);
  }

  /** Makes the staged writes visible (temp files durable first); returns the directories to fsync. */
  private async commit(staged: Map<string, Staged>): Promise<string[]> {
    try {
      const all = [...staged.values()];
      await Promise.all(all.flatMap((s) => (s.tmp ? [fsyncPath(s.tmp)] : [])));
      for (const s of all) {
        if (s.tmp) renameSync(s.tmp, s.file);
        else unlinkIfPresent(s.file);
      }
      return [...new Set(all.map((s) => dirname(s.file)))];
    } catch (err) {
      throw new DatastoreError([...staged.keys()].join(', '), `commit failed: ${(err as Error).message}`);
    }
  }

  private async syncDirs(dirs: readonly string[]): Promise<void> {
    try {
      await Promise.all(dirs.map((d) => fsyncPath(d)));
    } catch (err) {
      throw new DatastoreError(dirs.join(', '), `directory fsync failed: ${(err as Error).message}`);
    }
  }

  watch(prefix: string, opts: WatchOptions): Watcher {
    let ino = -1;
    let offset = 0;
    let lastSeen = 0;
    let stopped = false;
    let running = false;
    const from = opts.fromRevision;
    const poll = async (): Promise<void> => {
      if (running || stopped) return;
      running = true;
      try {
        const st = statSync(this.logPath);
        if (st.ino === ino && st.size <= offset) return;
        const events = await this.lock.with(() => {
          const lines: LogLine[] = [];
          const now = statSync(this.logPath).ino;
          if (ino !== -1 && now !== ino) {
            // Rotated since the last poll: finish the old log (kept as log.1), then start the new one.
            const old = this.logPath + '.1';
            if (existsSync(old) && statSync(old).ino === ino) lines.push(...readLogFrom(old, offset).lines);
            else opts.onError?.(new Error(`watch ${prefix}: fell behind two log rotations; events may be missing, re-list`));
            offset = 0;
          }
          ino = now;
          const r = readLogFrom(this.logPath, offset);
          lines.push(...r.lines);
          offset = r.end;
          const out: WatchEvent[] = [];
          // Coalesce to the last event per key; the value read now belongs to that event or a later one.
          const lastPerKey = new Map<string, LogLine>();
          for (const l of lines) if (l.k.startsWith(prefix)) lastPerKey.set(l.k, l);
          for (const l of lines) {
            if (lastPerKey.get(l.k) !== l) continue;
            if (from !== undefined ? l.r < from : l.r <= lastSeen) continue;
            const cur = this.readKey(l.k, true);
            if (l.t === 'd' && !cur) out.push({ type: 'delete', key: l.k, value: '', revision: l.r });
            else if (cur && cur.revision === l.r) out.push({ type: 'put', key: l.k, value: cur.value, revision: l.r });
          }
          return out;
        });
        for (const ev of events) {
          lastSeen = Math.max(lastSeen, ev.revision);
          opts.onEvent(ev);
        }
      } catch (err) {
        opts.onError?.(err as Error);
      } finally {
        running = false;
      }
    };
    if (from === undefined) {
      // Only future events: start at the end of the current log.
      const st = statSync(this.logPath);
      ino = st.ino;
      offset = st.size;
    }
    // fromRevision older than the current log's start: the rotated-away part is not replayed (a
    // known limit, like etcd's compaction); callers re-list in that case.
    const timer = setInterval(() => void poll(), this.opts.watchIntervalMs ?? 50);
    void poll();
    const stop = (): void => {
      stopped = true;
      clearInterval(timer);
      this.watchers.delete(stop);
    };
    this.watchers.add(stop);
    return { close: stop };
  }

  async close(): Promise<void> {
    for (const stop of [...this.watchers]) stop();
  }

  /** Removes the whole store directory (tests). */
  destroy(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async locked(key: string, fn: (cur: KeyValue | undefined) => WriteResult): Promise<WriteResult> {
    const body = (): WriteResult => {
      if (!this.caughtUp) this.catchUpLog();
      if (this.holding) this.caughtUp = true;
      return fn(this.readKey(key));
    };
    try {
      // Under exclusive() the lock is already ours; the body is synchronous, so nothing in this
      // process can interleave with it either.
      return this.holding ? body() : await this.lock.with(body);
    } catch (err) {
      if (err instanceof CorruptRecordError || err instanceof DatastoreError) throw err;
      throw new DatastoreError(key, (err as Error).message);
    }
  }

  /** `cur`: the record being updated (absent: a create). */
  private write(key: string, value: string, cur?: KeyValue): KeyValue {
    const rev = this.appendLog('p', key, cur?.revision ?? 0);
    const created = cur ? (cur.created ?? 0) : rev;
    const file = this.fileFor(key);
    const dir = dirname(file);
    mkdirSync(dir, { recursive: true });
    const tmp = join(dir, `.tmp-${process.pid}-${rev}`);
    const fd = openSync(tmp, 'w', 0o644);
    try {
      writeSync(fd, `${rev} ${created}\n${value}`);
      if (this.durable && !this.staged) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (this.staged) {
      const kv = { key, value, revision: rev, created };
      this.stage(key, { kv, file, tmp });
      return kv;
    }
    renameSync(tmp, file);
    if (this.durable) this.syncDir(dir);
    return { key, value, revision: rev, created };
  }

  /**
   * Appends the log line for the next revision; must run under the lock after catchUpLog(). Above the
   * key's current revision too, in case the (unsynced) log lost its tail in a power loss.
   */
  private appendLog(t: 'p' | 'd', key: string, curRev: number): number {
    const rev = Math.max(this.lastRev, curRev) + 1;
    const entry = `${JSON.stringify({ r: rev, t, k: key })}\n`;
    const fd = openSync(this.logPath, 'a+');
    let size: number;
    try {
      size = fstatSync(fd).size;
      if (size < (this.opts.maxLogBytes ?? 64 * 1024 * 1024)) {
        // A writer killed mid-append can leave a line without its newline; start a fresh line after it.
        const line = (size > 0 && lastByte(fd, size) !== 0x0a ? '\n' : '') + entry;
        writeSync(fd, line);
        this.logOffset = size + Buffer.byteLength(line);
        this.lastRev = rev;
        return rev;
      }
    } finally {
      closeSync(fd);
    }
    this.rotateLog(entry);
    this.lastRev = rev;
    return rev;
  }

  /**
   * Starts a new log whose first line is `entry`. `log` exists at every instant: the old file gets a
   * second name (log.1, for watchers still reading it) and the new one is renamed over `log`.
   */
  private rotateLog(entry: string): void {
    const old = this.logPath + '.1';
    const fresh = this.logPath + '.new';
    rmSync(old, { force: true });
    linkSync(this.logPath, old);
    const fd = openSync(fresh, 'w');
    try {
      writeSync(fd, entry);
      if (this.durable) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(fresh, this.logPath);
    if (this.durable) this.syncDir(this.dir);
    const st = statSync(this.logPath);
    this.logIno = st.ino;
    this.logOffset = st.size;
  }

  private catchUpLog(): void {
    const st = statSync(this.logPath);
    if (st.ino !== this.logIno) {
      // First use in this process, or the log was rotated: the newest revision is that of the last
      // readable line (revisions grow in log order: each is appended under the lock above every one
      // before it), so only the end of the log is read, not the whole 64 KiB tail (~600 JSON lines
      // per CNI call on a busy node).
      this.logIno = st.ino;
      const last = lastLogLine(this.logPath, st.size, TAIL_BYTES);
      if (last.line || st.size <= TAIL_BYTES) {
        if (last.line && last.line.r > this.lastRev) this.lastRev = last.line.r;
        this.logOffset = last.end;
        return;
      }
      this.logOffset = 0; // nothing readable in the tail (torn garbage): read it all
    }
    const { lines, end } = readLogFrom(this.logPath, this.logOffset);
    for (const l of lines) if (l.r > this.lastRev) this.lastRev = l.r;
    this.logOffset = end;
  }

  private readKey(key: string, quiet = false): KeyValue | undefined {
    const st = this.staged?.get(key);
    if (st) return st.kv;
    let text: string;
    try {
      text = readFileSync(this.fileFor(key), 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      throw new DatastoreError(key, `unreadable: ${(err as Error).message}`);
    }
    const nl = text.indexOf('\n');
    const head = nl < 0 ? undefined : /^(\d+)(?: (\d+))?$/.exec(text.slice(0, nl));
    if (!head) {
      if (quiet) return undefined;
      throw new CorruptRecordError(key, 'record file has no revision line');
    }
    return { key, value: text.slice(nl + 1), revision: Number(head[1]), created: head[2] === undefined ? 0 : Number(head[2]) };
  }

  private fileFor(key: string): string {
    // Memoised: one IPAM call maps the same few keys over and over, and short-lived CNI processes
    // run this in V8's interpreter, where the encoding adds up.
    let file = this.files.get(key);
    if (file === undefined) {
      const segs = key.split('/');
      const last = segs.pop() ?? '';
      file = `${this.dirFor(segs.join('/'))}/${encodeSegment(last)}.kv`;
      if (this.files.size >= 1024) this.files.clear(); // long-lived processes see ever new handle keys
      this.files.set(key, file);
    }
    return file;
  }

  private dirFor(keyPrefix: string): string {
    const segs = keyPrefix.split('/');
    // Keys start with '/', so the first segment is normally empty and adds nothing.
    if (segs[0] === '') segs.shift();
    // Plain concatenation is path.join here: encoded segments are never empty, '.', '..' or contain '/'.
    return segs.length ? `${this.dataDir}/${segs.map(encodeSegment).join('/')}` : this.dataDir;
  }

  private syncDir(dir: string): void {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
}

/** Path-safe segment: percent-encoding plus '.', so `..`, temp files (`.tmp-…`) and `.kv` can't collide. */
function encodeSegment(s: string): string {
  return s === '' ? '%' : encodeURIComponent(s).replace(/\./g, '%2E').replace(/\*/g, '%2A');
}

function decodeSegment(s: string): string {
  return s === '%' ? '' : decodeURIComponent(s);
}

/** rmSync({force}) for one file, without loading rmSync's recursive-removal module (CNI start-up cost). */
function unlinkIfPresent(path: string): void {
  try {
    unlinkSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/** fsync on the thread pool, so several run at once and can share one journal commit. */
function fsyncPath(path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    open(path, 'r', (err, fd) => {
      if (err) return reject(err);
      fsync(fd, (e) => close(fd, () => (e ? reject(e) : resolve())));
    });
  });
}

function lastByte(fd: number, size: number): number {
  const b = Buffer.alloc(1);
  readSync(fd, b, 0, 1, size - 1);
  return b[0];
}

/**
 * The last complete line of the log's final `limit` bytes that parses, read backwards in growing
 * chunks; `end` is the offset just past the log's last newline (0 without one). A line cut by the
 * start of the window does not count (it may be the tail of a longer one).
 */
function lastLogLine(path: string, size: number, limit: number): { line?: LogLine; end: number } {
  const fd = openSync(path, 'r');
  try {
    const max = Math.min(size, limit);
    for (let n = Math.min(max, 4096); n > 0; n = n === max ? 0 : Math.min(max, n * 4)) {
      const start = size - n;
      const buf = Buffer.alloc(n);
      readSync(fd, buf, 0, n, start);
      const lastNl = buf.lastIndexOf(0x0a);
      if (lastNl < 0) {
        if (n === max) return { end: start === 0 ? 0 : size }; // no newline in the whole window
        continue;
      }
      const end = start + lastNl + 1;
      for (let hi = lastNl; ; ) {
        const lo = hi > 0 ? buf.lastIndexOf(0x0a, hi - 1) : -1;
        if (lo < 0 && start > 0) break; // the line may begin before the window: widen it
        const text = buf.subarray(lo + 1, hi).toString('utf8');
        if (text) {
          try {
            const l = JSON.parse(text) as LogLine;
            if (typeof l.r === 'number' && typeof l.k === 'string') return { line: l, end };
          } catch {
            // a torn line: look further back
          }
        }
        if (lo < 0) return { end };
        hi = lo;
      }
      if (n === max) return { end };
    }
    return { end: 0 };
  } finally {
    closeSync(fd);
  }
}

/**
 * Complete lines from `offset`; a trailing partial line is left for the next read. With
 * `midLine`, the offset may fall inside a line, whose remainder is skipped.
 */
function readLogFrom(path: string, offset: number, midLine = false): { lines: LogLine[]; end: number } {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size <= offset) return { lines: [], end: offset };
    const buf = Buffer.alloc(size - offset);
    readSync(fd, buf, 0, buf.length, offset);
    const lastNl = buf.lastIndexOf(0x0a);
    if (lastNl < 0) return { lines: [], end: offset };
    const lines: LogLine[] = [];
    const first = midLine ? buf.indexOf(0x0a) + 1 : 0;
    for (const text of buf.subarray(first, lastNl).toString('utf8').split('\n')) {
      if (!text) continue;
      try {
        const l = JSON.parse(text) as LogLine;
        if (typeof l.r === 'number' && typeof l.k === 'string') lines.push(l);
      } catch {
        // A line torn by a crash mid-append carries no committed change (the data write follows it).
      }
    }
    return { lines, end: offset + lastNl + 1 };
  } finally {
    closeSync(fd);
  }
}
