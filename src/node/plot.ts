// Plots for the CLI: line charts as standalone SVG (training curves, sweeps) and a PNG grid of
// misclassified digits labelled "true > predicted". Not for: the demo page (it uses uPlot).
import { PNG } from 'pngjs';

export interface Series {
  label: string;
  points: [number, number][];
}

export interface Panel {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
}

const COLORS = ['#c0392b', '#2c3e50', '#27ae60', '#8e44ad', '#d35400', '#16a085', '#2980b9', '#7f8c8d', '#f39c12', '#e84393'];

/** Panels side by side (wrapping every two) as one SVG document. */
export function lineChartsSvg(panels: Panel[], title = ''): string {
  const W = 460;
  const H = 300;
  const top = title ? 34 : 8;
  const cols = Math.min(2, panels.length);
  const rows = Math.ceil(panels.length / cols);
  const parts = panels.map((p, i) => `<g transform="translate(${(i % cols) * W},${top + Math.floor(i / cols) * H})">${panelSvg(p, W, H)}</g>`);
  const heading = title ? `<text x="${(cols * W) / 2}" y="22" text-anchor="middle" font-size="16" font-weight="bold">${escape(title)}</text>` : '';
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${cols * W}" height="${top + rows * H}" viewBox="0 0 ${cols * W} ${top + rows * H}" font-family="sans-serif">` +
    `<rect width="100%" height="100%" fill="white"/>${heading}${parts.join('')}</svg>\n`
  );
}

function panelSvg(p: Panel, W: number, H: number): string {
  const m = { left: 62, right: 14, top: 28, bottom: 78 };
  const pw = W - m.left - m.right;
  const ph = H - m.top - m.bottom;
  const all = p.series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  if (all.length === 0) return `<text x="${W / 2}" y="${H / 2}" text-anchor="middle">${escape(p.title)}: no data</text>`;
  let [x0, x1] = extent(all.map((q) => q[0]));
  let [y0, y1] = extent(all.map((q) => q[1]));
  if (x0 === x1) [x0, x1] = [x0 - 1, x1 + 1];
  if (y0 === y1) [y0, y1] = [y0 - Math.abs(y0 || 1) * 0.05, y1 + Math.abs(y1 || 1) * 0.05];
  const pad = (y1 - y0) * 0.05;
  y0 -= pad;
  y1 += pad;
  const sx = (x: number) => m.left + ((x - x0) / (x1 - x0)) * pw;
  const sy = (y: number) => m.top + ph - ((y - y0) / (y1 - y0)) * ph;
  const out: string[] = [];
  out.push(`<text x="${m.left + pw / 2}" y="18" text-anchor="middle" font-size="14" font-weight="bold">${escape(p.title)}</text>`);
  for (const t of ticks(y0, y1, 5)) {
    out.push(`<line x1="${m.left}" x2="${m.left + pw}" y1="${sy(t)}" y2="${sy(t)}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${m.left - 6}" y="${sy(t) + 4}" text-anchor="end" font-size="11">${format(t)}</text>`);
  }
  for (const t of ticks(x0, x1, 8)) {
    out.push(`<line x1="${sx(t)}" x2="${sx(t)}" y1="${m.top + ph}" y2="${m.top + ph + 4}" stroke="#333"/>`);
    out.push(`<text x="${sx(t)}" y="${m.top + ph + 17}" text-anchor="middle" font-size="11">${format(t)}</text>`);
  }
  out.push(`<rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`);
  out.push(`<text x="${m.left + pw / 2}" y="${m.top + ph + 34}" text-anchor="middle" font-size="12">${escape(p.xLabel)}</text>`);
  out.push(`<text transform="translate(16,${m.top + ph / 2}) rotate(-90)" text-anchor="middle" font-size="12">${escape(p.yLabel)}</text>`);
  p.series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length];
    const pts = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
    if (pts.length > 1) out.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ')}"/>`);
    for (const [x, y] of pts) out.push(`<circle cx="${sx(x).toFixed(1)}" cy="${sy(y).toFixed(1)}" r="2.5" fill="${color}"/>`);
    const lx = m.left + (i % 2) * (pw / 2);
    const ly = m.top + ph + 50 + Math.floor(i / 2) * 14;
    out.push(`<rect x="${lx}" y="${ly - 8}" width="10" height="10" fill="${color}"/><text x="${lx + 14}" y="${ly + 1}" font-size="11">${escape(s.label)}</text>`);
  });
  return out.join('');
}

function extent(v: number[]): [number, number] {
  return [Math.min(...v), Math.max(...v)];
}

function ticks(a: number, b: number, n: number): number[] {
  const step = niceStep((b - a) / n);
  const out: number[] = [];
  for (let t = Math.ceil(a / step) * step; t <= b + 1e-12; t += step) out.push(Number(t.toPrecision(12)));
  return out;
}

function niceStep(raw: number): number {
  const p = 10 ** Math.floor(Math.log10(raw));
  const f = raw / p;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
}

function format(v: number): string {
  return Math.abs(v) >= 1000 || (Math.abs(v) < 0.01 && v !== 0) ? v.toExponential(1) : String(Number(v.toPrecision(4)));
}

function escape(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

// ---- the grid of misclassified digits

/** 3 x 5 pixel glyphs for the digits and '>', one string of 15 bits per glyph, row by row. */
const GLYPHS: Record<string, string> = {
  '0': '111101101101111', '1': '010110010010111', '2': '111001111100111', '3': '111001111001111', '4': '101101111001001',
  '5': '111100111001111', '6': '111100111101111', '7': '111001010010010', '8': '111101111101111', '9': '111101111001111',
  '>': '100010001010100',
};

export interface ErrorCell {
  /** 28 x 28 u8 pixels (0 = background). */
  image: Uint8Array;
  label: number;
  predicted: number;
}

/** PNG bytes: each image scaled 3x on white with dark ink, "true > predicted" in red below it. */
export function errorGridPng(cells: ErrorCell[], columns = 10): Uint8Array {
  const scale = 3;
  const cellW = 28 * scale + 8;
  const cellH = 28 * scale + 26;
  const cols = Math.max(1, Math.min(columns, cells.length));
  const rows = Math.max(1, Math.ceil(cells.length / cols));
  const png = new PNG({ width: cols * cellW, height: rows * cellH });
  png.data.fill(255);
  const put = (x: number, y: number, r: number, g: number, b: number) => {
    const at = 4 * (y * png.width + x);
    png.data[at] = r;
    png.data[at + 1] = g;
    png.data[at + 2] = b;
    png.data[at + 3] = 255;
  };
  cells.forEach((c, k) => {
    const ox = (k % cols) * cellW + 4;
    const oy = Math.floor(k / cols) * cellH + 4;
    for (let y = 0; y < 28 * scale; y++) {
      for (let x = 0; x < 28 * scale; x++) {
        const v = 255 - c.image[Math.floor(y / scale) * 28 + Math.floor(x / scale)];
        put(ox + x, oy + y, v, v, v);
      }
    }
    for (let x = -1; x <= 28 * scale; x++) {
      put(ox + x, oy - 1, 200, 200, 200);
      put(ox + x, oy + 28 * scale, 200, 200, 200);
    }
    const text = `${c.label}>${c.predicted}`;
    const glyphScale = 3;
    const textW = text.length * 4 * glyphScale - glyphScale;
    let tx = ox + Math.floor((28 * scale - textW) / 2);
    const ty = oy + 28 * scale + 4;
    for (const ch of text) {
      const bits = GLYPHS[ch];
      for (let gy = 0; gy < 5; gy++) {
        for (let gx = 0; gx < 3; gx++) {
          if (bits[gy * 3 + gx] !== '1') continue;
          for (let dy = 0; dy < glyphScale; dy++) for (let dx = 0; dx < glyphScale; dx++) put(tx + gx * glyphScale + dx, ty + gy * glyphScale + dy, 192, 57, 43);
        }
      }
      tx += 4 * glyphScale;
    }
  });
  return new Uint8Array(PNG.sync.write(png));
}
