// The small subset of Calico's selector language IPAM needs for IPPool.nodeSelector:
// `all()`, `has(k)`, `!has(k)`, `k == "v"`, `k != "v"`, joined with `&&`. Anything else is rejected
// when the pool is validated, so a typo can't silently select no node (or every node).

type Term = (labels: Readonly<Record<string, string>>) => boolean;

export function parseSelector(sel: string): Term | undefined {
  const text = sel.trim();
  if (text === '' || text === 'all()') return () => true;
  const terms: Term[] = [];
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
