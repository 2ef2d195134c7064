// Hand-rendered horizontal bar charts (SVG text, no dependencies) for bench/results/*.md.
// Bars show medians; a thin whisker shows min–max, because single numbers on a shared 2-core box lie.

export interface Bar {
  readonly label: string;
  readonly value: number;
  readonly min?: number;
  readonly max?: number;
}

export interface BarGroup {
  readonly label: string;
  readonly bars: readonly Bar[];
}

export interface BarChart {
  readonly title: string;
  /** Unit shown after values and on the axis, e.g. "s" or "B/route". */
  readonly unit: string;
  readonly groups: readonly BarGroup[];
  /** Logarithmic axis, for values spanning orders of magnitude (GoBGP vs BIRD). */
  readonly log?: boolean;
}

const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#9c755f'];

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Short human number: 0.0123, 1.23, 123, 12.3k, 1.23M. */
export function shortNumber(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e6) return `${(v / 1e6).toPrecision(3)}M`;
  if (a >= 1e4) return `${(v / 1e3).toPrecision(3)}k`;
  if (a >= 100) return v.toFixed(0);
  if (a >= 1) return v.toPrecision(3);
  if (a === 0) return '0';
  return v.toPrecision(2);
}

export function renderBarChart(c: BarChart): string {
  const labelW = 190;
  const plotW = 460;
  const valueW = 150;
  const barH = 16;
  const gap = 4;
  const groupGap = 14;
  const top = 34;
  const values = c.groups.flatMap((g) => g.bars.flatMap((b) => [b.value, b.max ?? b.value])).filter((v) => Number.isFinite(v) && v > 0);
  const hi = values.length ? Math.max(...values) : 1;
  const lo = values.length ? Math.min(...values) : 1;
  // log axis from a decade under the smallest value, so the smallest bar is still visible
  const logLo = Math.floor(Math.log10(lo)) - (Math.log10(lo) % 1 === 0 ? 1 : 0);
  const logHi = Math.ceil(Math.log10(hi)) + (Math.log10(hi) % 1 === 0 ? 0.3 : 0);
  const x = (v: number): number => {
    if (!(v > 0)) return 0;
    if (c.log) return Math.max(0, ((Math.log10(v) - logLo) / (logHi - logLo)) * plotW);
    return (v / (hi * 1.05)) * plotW;
  };
  const out: string[] = [];
  let y = top;
  c.groups.forEach((g, gi) => {
    out.push(`<text x="4" y="${y + 12}" font-weight="bold">${esc(g.label)}</text>`);
    y += barH + gap;
    g.bars.forEach((b, bi) => {
      const color = PALETTE[bi % PALETTE.length];
      const w = x(b.value);
      out.push(`<text x="${labelW - 6}" y="${y + 12}" text-anchor="end">${esc(b.label)}</text>`);
      out.push(`<rect x="${labelW}" y="${y}" width="${w.toFixed(1)}" height="${barH}" fill="${color}"/>`);
      if (b.min !== undefined && b.max !== undefined && b.max > b.min) {
        const x0 = labelW + x(b.min);
        const x1 = labelW + x(b.max);
        const my = y + barH / 2;
        out.push(`<path d="M${x0.toFixed(1)} ${my}H${x1.toFixed(1)}M${x0.toFixed(1)} ${my - 4}v8M${x1.toFixed(1)} ${my - 4}v8" stroke="#222" stroke-width="1.2"/>`);
      }
      const range = b.min !== undefined && b.max !== undefined && b.max > b.min ? ` (${shortNumber(b.min)}–${shortNumber(b.max)})` : '';
      const text = Number.isFinite(b.value) ? `${shortNumber(b.value)} ${c.unit}${range}` : 'n/a';
      out.push(`<text x="${labelW + Math.max(w, b.max !== undefined ? x(b.max) : 0) + 6}" y="${y + 12}">${esc(text)}</text>`);
      y += barH + gap;
    });
    if (gi < c.groups.length - 1) y += groupGap;
  });
  // axis ticks
  const ticks: number[] = [];
  if (c.log) for (let e = Math.ceil(logLo); e <= Math.floor(logHi); e++) ticks.push(10 ** e);
  else for (let i = 0; i <= 4; i++) ticks.push((hi * 1.05 * i) / 4);
  const axisY = y + 4;
  out.push(`<path d="M${labelW} ${axisY}H${labelW + plotW}" stroke="#888"/>`);
  for (const t of ticks) {
    const tx = labelW + x(t);
    out.push(`<path d="M${tx.toFixed(1)} ${top - 4}V${axisY}" stroke="#ddd"/>`);
    out.push(`<text x="${tx.toFixed(1)}" y="${axisY + 14}" text-anchor="middle" fill="#555">${esc(shortNumber(t))}</text>`);
  }
  const height = axisY + 24;
  const width = labelW + plotW + valueW;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="4" y="18" font-size="14" font-weight="bold">${esc(c.title)}${c.log ? ' (log scale)' : ''}</text>`,
    // grid first so bars draw over it
    ...out.filter((l) => l.includes('#ddd')),
    ...out.filter((l) => !l.includes('#ddd')),
    '</svg>',
  ].join('\n') + '\n';
}
