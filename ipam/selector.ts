// Node selectors, in either of two syntaxes:
//   Kubernetes label selectors (what the BGPPeer issue asks for):
//     `rack=r1,zone in (a,b),!spot,gpu`, `k==v`, `k!=v`, `k notin (a,b)`, joined with `,`.
//   The small subset of Calico's selector language IPPool.nodeSelector has always accepted:
//     `all()`, `has(k)`, `!has(k)`, `k == "v"`, `k != "v"`, joined with `&&`.
// They are told apart without guessing: every Calico term has a quoted value or is a has()/all() call,
// and a Kubernetes selector can contain neither (label values cannot hold quotes, and `has(`/`all(`
// is no Kubernetes operator). So: a quote, `&&`, `has(` or `all(` means Calico, anything else is parsed
// as a Kubernetes selector. Anything neither parser accepts is rejected, so a typo can't silently
// select no node (or every node).

export type LabelPredicate = (labels: Readonly<Record<string, string>>) => boolean;

const isCalico = (text: string): boolean => /["'&]|\b(has|all)\s*\(/.test(text);

export function parseSelector(sel: string): LabelPredicate | undefined {
  const text = sel.trim();
  if (text === '') return () => true;
  return isCalico(text) ? parseCalico(text) : parseKubernetes(text);
}

/** Which syntax `parseSelector` reads `sel` as (for error messages). */
export function selectorSyntax(sel: string): 'calico' | 'kubernetes' {
  return isCalico(sel.trim()) ? 'calico' : 'kubernetes';
}

function parseCalico(text: string): LabelPredicate | undefined {
  if (text === 'all()') return () => true;
  const terms: LabelPredicate[] = [];
  for (const raw of text.split('&&')) {
    const t = raw.trim();
    let m: RegExpMatchArray | null;
    if (t === 'all()') terms.push(() => true);
    else if ((m = t.match(/^(!?)has\(\s*([\w./-]+)\s*\)$/))) {
      const [, not, k] = m;
      terms.push((l) => (k in l) !== (not === '!'));
    } else if ((m = t.match(/^([\w./-]+)\s*(==|!=)\s*(?:"([^"]*)"|'([^']*)')$/))) {
      const [, k, op, v1, v2] = m;
      const v = v1 ?? v2;
      terms.push(op === '==' ? (l) => l[k] === v : (l) => l[k] !== v);
    } else return undefined;
  }
  return (labels) => terms.every((f) => f(labels));
}

// Label keys: optional DNS-subdomain prefix + `/` + a name of ≤ 63 characters; values ≤ 63, may be empty.
const NAME = '[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?';
const KEY = `(?:[a-z0-9](?:[-a-z0-9.]{0,251}[a-z0-9])?/)?${NAME}`;
const VALUE = `(?:${NAME})?`;
const EXISTS = new RegExp(`^(!?)\\s*(${KEY})$`);
const EQUALITY = new RegExp(`^(${KEY})\\s*(==|=|!=)\\s*(${VALUE})$`);
const SET = new RegExp(`^(${KEY})\\s+(in|notin)\\s*\\(([^()]*)\\)$`);
const VALUE_ONLY = new RegExp(`^${VALUE}$`);

/** Splits on commas outside parentheses (`a in (x,y),b` → two requirements). */
function requirements(text: string): string[] | undefined {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')' && --depth < 0) return undefined;
    else if (c === ',' && depth === 0) {
      out.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  if (depth !== 0) return undefined;
  out.push(text.slice(start).trim());
  return out;
}

function parseKubernetes(text: string): LabelPredicate | undefined {
  const reqs = requirements(text);
  if (!reqs) return undefined;
  const terms: LabelPredicate[] = [];
  for (const r of reqs) {
    let m: RegExpMatchArray | null;
    if ((m = r.match(EQUALITY))) {
      const [, k, op, v] = m;
      terms.push(op === '!=' ? (l) => l[k] !== v : (l) => l[k] === v);
    } else if ((m = r.match(SET))) {
      const [, k, op, list] = m;
      const values = list.split(',').map((v) => v.trim());
      // the apiserver refuses an empty set, and so do we: `in ()` would select nothing silently
      if (values.length === 0 || values.some((v) => v === '' || !VALUE_ONLY.test(v))) return undefined;
      const set = new Set(values);
      terms.push(op === 'in' ? (l) => k in l && set.has(l[k]) : (l) => !(k in l) || !set.has(l[k]));
    } else if ((m = r.match(EXISTS))) {
      const [, not, k] = m;
      terms.push((l) => (k in l) !== (not === '!'));
    } else return undefined;
  }
  return (labels) => terms.every((f) => f(labels));
}
