// Kubernetes label selector strings (the `labelSelector=` query parameter), parsed into a predicate.
// Covers the set-based grammar kubectl and client libraries send: `a=b`, `a==b`, `a!=b`, `a`, `!a`,
// `a in (x,y)`, `a notin (x,y)`, comma-joined (AND).

export type Labels = Readonly<Record<string, string>>;
export type LabelPredicate = (labels: Labels) => boolean;

const KEY = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?\/)?[a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?$/;

/** Splits on commas that are not inside `( … )`. */
function splitTerms(sel: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of sel) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((t) => t.trim()).filter((t) => t !== '');
}

function checkKey(key: string, sel: string): string {
  if (!KEY.test(key)) throw new Error(`invalid label selector ${JSON.stringify(sel)}: bad key ${JSON.stringify(key)}`);
  return key;
}

function term(t: string, sel: string): LabelPredicate {
  let m = /^(\S+?)\s+(in|notin)\s+\(([^)]*)\)$/.exec(t);
  if (m) {
    const key = checkKey(m[1], sel);
    const values = new Set(m[3].split(',').map((v) => v.trim()));
    return m[2] === 'in' ? (l) => key in l && values.has(l[key]) : (l) => !(key in l) || !values.has(l[key]);
  }
  m = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(t);
  if (m) {
    const key = checkKey(m[1], sel);
    const v = m[3];
    return m[2] === '!=' ? (l) => l[key] !== v : (l) => key in l && l[key] === v;
  }
  m = /^!\s*(\S+)$/.exec(t);
  if (m) {
    const key = checkKey(m[1], sel);
    return (l) => !(key in l);
  }
  const key = checkKey(t, sel);
  return (l) => key in l;
}

/** Throws on a malformed selector (the server answers 400 then). Empty selector matches everything. */
export function parseLabelSelector(sel: string): LabelPredicate {
  const terms = splitTerms(sel).map((t) => term(t, sel));
  return (labels) => terms.every((p) => p(labels));
}
