/**
 * One SVG chart of latency distributions: a row per series, every sample a dot on a log scale, with
 * the median and p99 marked. Plain SVG text: no plotting dependency to install.
 */
export interface Series {
  label: string;
  samples: number[];
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

export function renderLatencySvg(title: string, series: Series[]): string {
  const width = 900;
  const left = 290;
  const right = 30;
  const rowHeight = 44;
  const top = 50;
  const height = top + series.length * rowHeight + 50;
  const all = series.flatMap((s) => s.samples).filter((x) => x > 0);
  const min = Math.max(1, Math.min(...all, 1));
  const max = Math.max(...all, 10);
  const lo = Math.floor(Math.log10(min));
  const hi = Math.ceil(Math.log10(max));
  const x = (ms: number) =>
    left + ((Math.log10(Math.max(ms, 10 ** lo)) - lo) / (hi - lo)) * (width - left - right);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${width / 2}" y="24" text-anchor="middle" font-size="15">${esc(title)}</text>`,
  ];
  for (let p = lo; p <= hi; p++) {
    const gx = x(10 ** p);
    parts.push(`<line x1="${gx}" y1="${top - 10}" x2="${gx}" y2="${height - 40}" stroke="#ddd"/>`);
    parts.push(`<text x="${gx}" y="${height - 22}" text-anchor="middle">${10 ** p} ms</text>`);
  }
  series.forEach((s, i) => {
    const y = top + i * rowHeight + rowHeight / 2;
    const sorted = [...s.samples].sort((a, b) => a - b);
    const pick = (p: number) =>
      sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
    parts.push(
      `<text x="${left - 10}" y="${y + 4}" text-anchor="end">${esc(s.label)} (n=${sorted.length})</text>`,
    );
    for (const v of sorted)
      parts.push(`<circle cx="${x(v).toFixed(1)}" cy="${y}" r="3" fill="#4477aa" fill-opacity="0.45"/>`);
    for (const [p, color] of [
      [50, '#228833'],
      [99, '#cc3311'],
    ] as const) {
      const px = x(pick(p));
      parts.push(
        `<line x1="${px}" y1="${y - 12}" x2="${px}" y2="${y + 12}" stroke="${color}" stroke-width="2"/>`,
      );
    }
  });
  parts.push(
    `<text x="${left}" y="${height - 6}" fill="#228833">| median</text><text x="${left + 70}" y="${height - 6}" fill="#cc3311">| p99</text>`,
  );
  parts.push('</svg>');
  return parts.join('\n');
}
