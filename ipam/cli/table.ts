/** A `| A | B |` table like calicoctl's; columns listed in `right` are right-aligned. */
export function table(header: readonly string[], rows: readonly (readonly string[])[], right: ReadonlySet<number> = new Set()): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: readonly string[]): string =>
    '| ' + cells.map((c, i) => (right.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join(' | ') + ' |';
  const sep = '+' + widths.map((w) => '-'.repeat(w + 2)).join('+') + '+';
  return [sep, line(header), sep, ...rows.map(line), sep].join('\n') + '\n';
}

/** `N (P%)` with a whole-number percentage, as calicoctl prints usage. */
export function withPct(n: number, total: number): string {
  return `${n} (${total ? Math.round((n / total) * 100) : 0}%)`;
}
