// Small dependency-free SVG charts for bench reports: bars, a scatter, a line.
import type { BenchSummary, MethodSummary } from './summary';

const W = 560;
const H = 300;
const M = { left: 64, right: 20, top: 36, bottom: 48 };
const COLORS: Record<string, string> = { specsearch: '#2e7d32', large: '#1565c0', sps: '#6a1b9a', small: '#ef6c00' };

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

function frame(title: string, body: string, xLabel: string, yLabel: string): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${esc(title)}</text>`,
    `<line x1="${M.left}" y1="${H - M.bottom}" x2="${W - M.right}" y2="${H - M.bottom}" stroke="#333"/>`,
    `<line x1="${M.left}" y1="${M.top}" x2="${M.left}" y2="${H - M.bottom}" stroke="#333"/>`,
    `<text x="${W / 2}" y="${H - 10}" text-anchor="middle">${esc(xLabel)}</text>`,
    `<text transform="translate(16 ${H / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>`,
    body,
    '</svg>',
    '',
  ].join('\n');
}

function yTicks(max: number, fmt: (v: number) => string): string {
  const plotH = H - M.top - M.bottom;
  return [0, 0.25, 0.5, 0.75, 1]
    .map((f) => {
      const y = H - M.bottom - f * plotH;
      return `<line x1="${M.left - 4}" y1="${y}" x2="${W - M.right}" y2="${y}" stroke="#eee"/><text x="${M.left - 6}" y="${y + 4}" text-anchor="end">${fmt(f * max)}</text>`;
    })
    .join('\n');
}

const entries = (s: BenchSummary) => Object.entries(s.methods) as [string, MethodSummary][];

export function latencySvg(s: BenchSummary): string {
  const rows = entries(s);
  const max = Math.max(1, ...rows.map(([, m]) => m.meanMs)) * 1.15;
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const slot = plotW / Math.max(1, rows.length);
  const bars = rows.map(([name, m], i) => {
    const h = (m.meanMs / max) * plotH;
    const x = M.left + i * slot + slot * 0.2;
    const med = H - M.bottom - (m.medianMs / max) * plotH;
    return [
      `<rect x="${x}" y="${H - M.bottom - h}" width="${slot * 0.6}" height="${h}" fill="${COLORS[name] ?? '#777'}"/>`,
      `<line x1="${x}" y1="${med}" x2="${x + slot * 0.6}" y2="${med}" stroke="black" stroke-dasharray="4 2"/>`,
      `<text x="${x + slot * 0.3}" y="${H - M.bottom - h - 6}" text-anchor="middle">${(m.meanMs / 1000).toFixed(2)} s</text>`,
      `<text x="${x + slot * 0.3}" y="${H - M.bottom + 16}" text-anchor="middle">${esc(name)}</text>`,
    ].join('\n');
  });
  return frame('Latency per problem (bar: mean, dashed: median)', yTicks(max, (v) => `${(v / 1000).toFixed(1)} s`) + bars.join('\n'), 'method', 'seconds per problem');
}

export function accuracyLatencySvg(s: BenchSummary): string {
  const rows = entries(s);
  const maxX = Math.max(1, ...rows.map(([, m]) => m.meanMs)) * 1.15;
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const points = rows.map(([name, m]) => {
    const x = M.left + (m.meanMs / maxX) * plotW;
    const y = H - M.bottom - m.accuracy * plotH;
    return `<circle cx="${x}" cy="${y}" r="6" fill="${COLORS[name] ?? '#777'}"/><text x="${x + 9}" y="${y + 4}">${esc(name)} ${(100 * m.accuracy).toFixed(0)} %</text>`;
  });
  const xTicks = [0, 0.25, 0.5, 0.75, 1]
    .map((f) => `<text x="${M.left + f * plotW}" y="${H - M.bottom + 16}" text-anchor="middle">${((f * maxX) / 1000).toFixed(1)}</text>`)
    .join('\n');
  return frame('Accuracy vs mean latency', yTicks(1, (v) => `${Math.round(v * 100)} %`) + xTicks + points.join('\n'), 'mean seconds per problem', 'accuracy');
}

export function acceptanceByDepthSvg(s: BenchSummary): string {
  const series = entries(s).filter(([, m]) => m.acceptanceByDepth.length > 0);
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const maxDepth = Math.max(1, ...series.flatMap(([, m]) => m.acceptanceByDepth.map((r) => r.depth)));
  const pt = (r: { depth: number; rate: number }) => [M.left + ((r.depth - 0.5) / maxDepth) * plotW, H - M.bottom - r.rate * plotH];
  const palette = ['#2e7d32', '#00838f', '#ad1457', '#5d4037'];
  const ticks = Array.from({ length: maxDepth }, (_, i) => `<text x="${M.left + ((i + 0.5) / maxDepth) * plotW}" y="${H - M.bottom + 16}" text-anchor="middle">${i + 1}</text>`);
  const lines = series.map(([name, m], k) => {
    const color = palette[k % palette.length];
    const rows = m.acceptanceByDepth.filter((r): r is typeof r & { rate: number } => r.rate !== null);
    const path = rows.map((r, i) => `${i === 0 ? 'M' : 'L'}${pt(r).join(' ')}`).join(' ');
    const dots = rows.map((r) => `<circle cx="${pt(r)[0]}" cy="${pt(r)[1]}" r="4" fill="${color}"/>`);
    const legend = `<text x="${W - M.right - 4}" y="${M.top + 14 + 16 * k}" text-anchor="end" fill="${color}">${esc(name)}</text>`;
    return `<path d="${path}" fill="none" stroke="${color}" stroke-width="2"/>` + dots.join('') + legend;
  });
  return frame('SpecSearch: share of kept thoughts the small model wrote, by depth', yTicks(1, (v) => `${Math.round(v * 100)} %`) + ticks.join('') + lines.join('\n'), 'depth (step)', 'accepted');
}
