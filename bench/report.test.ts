import { describe, it, expect } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { formatSpread, markdownTable, spread, writeReport } from './report';
import { renderBarChart, shortNumber } from './report-svg';
import { parseIpamOutput, parseRibOutput, parseWireOutput } from './report-parts';

describe('report helpers', () => {
  it('spread takes a measured median and the range, ignoring NaN', () => {
    expect(spread([3, 1, 2])).toEqual({ median: 2, min: 1, max: 3, n: 3 });
    expect(spread([4, 1, NaN, 2, 3]).median).toBe(2);
    expect(formatSpread(spread([1.5, 1, 2]), (v) => v.toFixed(1))).toBe('1.5 (1.0–2.0)');
    expect(formatSpread(spread([]), String)).toBe('n/a');
  });

  it('markdown tables escape pipes', () => {
    expect(markdownTable(['a', 'b'], [['x|y', '1']])).toBe('| a | b |\n| --- | --- |\n| x\\|y | 1 |');
  });

  it('bar chart is one SVG with a bar and a whisker per value, widths ordered like the values', () => {
    const svg = renderBarChart({ title: 'T <1>', unit: 's', groups: [{ label: 'g', bars: [{ label: 'fast', value: 1, min: 0.5, max: 2 }, { label: 'slow', value: 10 }] }] });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('T &lt;1&gt;');
    const widths = [...svg.matchAll(/<rect x="\d+" y="\d+" width="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(widths).toHaveLength(2);
    expect(widths[1]).toBeGreaterThan(widths[0] * 5);
    expect(svg.match(/stroke="#222"/g)).toHaveLength(1);
    expect(shortNumber(1234567)).toBe('1.23M');
    expect(shortNumber(0.0123)).toBe('0.012');
  });

  it('writes <date>-<part>[-tag][-quick].md with machine, versions, scenario, ratios and the chart', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tortie-report-test-'));
    try {
      const file = writeReport(dir, {
        part: 'demo', title: 'Demo', scenario: ['one thing'], sections: ['| a |'], ratios: ['tortie / x: 2.00×'],
        charts: ['<svg></svg>\n'], printed: '',
      }, { quick: true, command: 'npm run bench -- demo', date: new Date('2026-11-22T03:00:00Z'), tag: 'small' });
      expect(path.basename(file)).toBe('2026-11-22-demo-small-quick.md');
      const md = fs.readFileSync(file, 'utf8');
      expect(md).toMatch(/cores .* GiB RAM, kernel /);
      expect(md).toMatch(/versions: node v\d+/);
      expect(md).toContain('- one thing');
      expect(md).toContain('tortie / x: 2.00×');
      expect(md).toContain('![chart 1](2026-11-22-demo-small-quick.svg)');
      expect(fs.existsSync(path.join(dir, '2026-11-22-demo-small-quick.svg'))).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('parses the part benchmarks\' printed lines', () => {
    const rib = parseRibOutput('one attribute set: 100000 routes in 0.63 s wall, 0.21 s CPU (480,160 routes/CPU-s), 118.9 B/route (heap+external delta), 102 UPDATEs\n');
    expect(rib.rows).toEqual([['one attribute set', '100000', '0.63', '0.21', '480,160', '118.9', '1.26']]);
    const wire = parseWireOutput('encode packUpdates (4096)                         1.1 ms    88,834,483 prefixes/s    361 MB/s\n');
    expect(wire.rows).toEqual([['encode packUpdates (4096)', '1.1', '88,834,483', '361']]);
    expect(wire.bars[0].value).toBe(88834483);
    const ipam = parseIpamOutput('IPAM throughput\ndatastore        raw create/s  seq alloc/s  seq release/s  8p 1node/s  8p 4node/s  8p 1node lock/s  8p 4node lock/s\nfile (fsync)              120           40             50          30          35               20               25\n');
    expect(ipam.rows).toEqual([['file (fsync)', '120', '40', '50', '30', '35', '20', '25']]);
  });
});
