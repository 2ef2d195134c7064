// The one error shape every config problem is reported in, and its one-line human rendering.

/** A key path inside the config document: object keys and list indexes, e.g. ['peers', 2, 'asNumber']. */
export type KeyPath = ReadonlyArray<string | number>;

export interface ConfigError {
  /** The config file as the operator named it. */
  file: string;
  /** The key path, rendered as `peers[2].asNumber`; '' for the whole document or file. */
  path: string;
  /** What would have been accepted, phrased to follow "expected". */
  expected: string;
  /** What was there, phrased to follow "found" (strings quoted, `nothing` when missing). */
  found: string;
  hint?: string;
  /** 1-based position of the offending key or value in the YAML text, when known. */
  line?: number;
  column?: number;
}

/** A problem before it is tied to a file and position; `at: 'key'` points at the key rather than its value. */
export interface Problem {
  path: KeyPath;
  expected: string;
  found: string;
  hint?: string;
  at?: 'key' | 'value';
}

const plainKey = /^[A-Za-z_][A-Za-z0-9_-]*$/;

export function formatPath(path: KeyPath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (plainKey.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** Render any parsed YAML value the way an operator would recognise it after "found". */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (typeof v === 'string') {
    const s = v.length > 60 ? `${v.slice(0, 57)}...` : v;
    return JSON.stringify(s);
  }
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) return v.length === 0 ? 'an empty list' : `a list of ${v.length} item${v.length === 1 ? '' : 's'}`;
  if (typeof v === 'object') return Object.keys(v).length === 0 ? 'an empty mapping' : 'a mapping';
  return typeof v;
}

/** `config.yaml: peers[2].asNumber: expected an AS number 1–4294967295, found "65001x" (line 14, column 17)` */
export function formatConfigError(e: ConfigError): string {
  const where = e.path === '' ? '' : `${e.path}: `;
  const pos = e.line !== undefined ? ` (line ${e.line}${e.column !== undefined ? `, column ${e.column}` : ''})` : '';
  const hint = e.hint ? `; ${e.hint}` : '';
  return `${e.file}: ${where}expected ${e.expected}, found ${e.found}${pos}${hint}`;
}
