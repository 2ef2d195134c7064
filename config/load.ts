// Reading and validating bgpd.yaml: YAML syntax, then the schema and the cross-field checks (both always
// run so one pass reports every problem), then defaults. Problems are tied back to line and column.
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import type { Document } from 'yaml';
import type { z } from 'zod';
import { crossCheck } from './cross-checks';
import { calicoEquivalent, closest } from './did-you-mean';
import { describeValue, formatPath } from './errors';
import type { ConfigError, KeyPath, Problem } from './errors';
import { hostFacts } from './host-facts';
import type { HostFacts } from './host-facts';
import { normalize } from './normalize';
import { rootSchema } from './schema';
import { keyLocations, keysAt } from './schema-keys';
import type { TortieConfig } from './types';
import { locate } from './yaml-locate';

export type ConfigResult = { config: TortieConfig; errors?: undefined } | { errors: ConfigError[]; config?: undefined };

export interface ValidateOptions {
  /** Where nodeName/nodeAddress/routerId defaults come from; the real host when omitted. */
  host?: HostFacts;
}

// A config is a few kilobytes; anything this big is the wrong file
const MAX_CONFIG_BYTES = 1 << 20;
const MAX_ALIASES = 100;

export function loadConfig(path: string, opts: ValidateOptions = {}): ConfigResult {
  let text: string;
  try {
    const buf = readFileSync(path);
    if (buf.length > MAX_CONFIG_BYTES) {
      return { errors: [{ file: path, path: '', expected: `a config file of at most ${MAX_CONFIG_BYTES} bytes`, found: `${buf.length} bytes` }] };
    }
    text = buf.toString('utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EACCES' ? 'permission denied' : err.code === 'EISDIR' ? 'a directory' : err.message;
    return { errors: [{ file: path, path: '', expected: 'a readable YAML config file', found: why }] };
  }
  return parseConfigText(text, path, opts);
}

/** Validate YAML text as if it were read from `file` (the name only appears in messages). */
export function parseConfigText(text: string, file: string, opts: ValidateOptions = {}): ConfigResult {
  // editors on some systems save a byte-order mark; it would shift every column on line 1
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  const lines = new LineCounter();
  // merge keys (<<: *defaults) are YAML 1.1 but widely used to share peer settings
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, merge: true });
  const syntax = [...doc.errors, ...doc.warnings].map((e): ConfigError => {
    const pos = lines.linePos(e.pos[0]);
    const at = { file, path: '', line: pos.line, column: pos.col };
    if (e.code === 'MULTIPLE_DOCS') return { ...at, expected: 'a single YAML document', found: 'a second document after ---' };
    if (e.code === 'DUPLICATE_KEY') {
      const key = /^[^\s:]+/.exec(text.slice(e.pos[0], e.pos[0] + 200))?.[0] ?? '';
      return { ...at, expected: 'each key once per mapping', found: `key ${JSON.stringify(key)} a second time` };
    }
    return { ...at, expected: 'valid YAML', found: e.message.split('\n')[0] };
  });
  if (syntax.length > 0) return { errors: syntax };
  if (doc.contents === null) {
    return { errors: [{ file, path: '', expected: 'a mapping of tortie settings', found: 'an empty document' }] };
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (e) {
    return { errors: [{ file, path: '', expected: `YAML with at most ${MAX_ALIASES} alias expansions`, found: (e as Error).message.split('\n')[0] }] };
  }
  return validate(withoutExtensions(raw), file, opts, doc, lines);
}

/** Top-level x-* keys are free for the operator (anchors to merge from), as in docker-compose files. */
function withoutExtensions(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return raw;
  return Object.fromEntries(Object.entries(raw).filter(([k]) => !k.startsWith('x-')));
}

/** Validate an already-parsed object (no line numbers in the errors). */
export function validateConfig(obj: unknown, fileName: string, opts: ValidateOptions = {}): ConfigResult {
  return validate(obj, fileName, opts);
}

function validate(raw: unknown, file: string, opts: ValidateOptions, doc?: Document, lines?: LineCounter): ConfigResult {
  const parsed = rootSchema.safeParse(raw);
  const problems: Problem[] = parsed.success ? [] : parsed.error.issues.flatMap((i) => fromIssue(i, raw));
  problems.push(...crossCheck(raw));
  if (problems.length === 0 && parsed.success) {
    const n = normalize(parsed.data, opts.host ?? hostFacts());
    if ('config' in n) return { config: n.config };
    problems.push(...n.problems);
  }
  return { errors: toErrors(problems, file, doc, lines) };
}

function valueAt(raw: unknown, path: KeyPath): unknown {
  let v = raw;
  for (const seg of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}

let elsewhereCache: Map<string, string[]> | undefined;
const elsewhereIndex = () => (elsewhereCache ??= keyLocations(rootSchema));

function fromIssue(issue: z.core.$ZodIssue, raw: unknown): Problem[] {
  const path: KeyPath = issue.path.filter((s): s is string | number => typeof s !== 'symbol');
  if (issue.code === 'unrecognized_keys') {
    const known = keysAt(rootSchema, path);
    const where = path.filter((s) => typeof s === 'string').join('.');
    return issue.keys.map((key): Problem => {
      const guess = closest(key, known);
      const calico = calicoEquivalent(where, key);
      const elsewhere = elsewhereIndex().get(key);
      const hint = guess ? `did you mean "${guess}"?`
        : calico ? `Calico's ${key} is ${calico} here`
        : elsewhere ? `${key} belongs under ${elsewhere.join(' or ')}`
        : `known keys: ${known.join(', ')}`;
      return { path: [...path, key], expected: 'a known key', found: `unknown key ${JSON.stringify(key)}`, hint, at: 'key' };
    });
  }
  const found = valueAt(raw, path);
  let hint = issue.code === 'custom' && typeof issue.params?.hint === 'string' ? issue.params.hint : undefined;
  if (found === null && !hint) hint = 'a key with nothing after it is null in YAML: give it a value or remove it';
  // never echo a secret into logs
  const secret = path[path.length - 1] === 'password' && typeof found === 'string';
  const p: Problem = { path, expected: issue.message, found: secret ? `a string of ${Buffer.byteLength(found)} bytes` : describeValue(found) };
  if (hint) p.hint = hint;
  return [p];
}

function toErrors(problems: Problem[], file: string, doc?: Document, lines?: LineCounter): ConfigError[] {
  const seen = new Set<string>();
  const out: ConfigError[] = [];
  for (const p of problems) {
    const e: ConfigError = { file, path: formatPath(p.path), expected: p.expected, found: p.found };
    if (p.hint) e.hint = p.hint;
    const pos = doc && lines ? locate(doc, lines, p.path, p.at) : undefined;
    if (pos) { e.line = pos.line; e.column = pos.column; }
    const key = `${e.path}\0${e.expected}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(e);
  }
  // read top to bottom like the file; problems without a position (missing keys at top level) last
  return out
    .map((e, i) => ({ e, i }))
    .sort((a, b) => (a.e.line ?? Infinity) - (b.e.line ?? Infinity) || (a.e.column ?? 0) - (b.e.column ?? 0) || a.i - b.i)
    .map(({ e }) => e);
}
