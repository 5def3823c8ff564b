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

/** One panel of a time-series chart: lines of (x seconds, y) points sharing a y axis. */
export interface LinePanel {
  yLabel: string;
  lines: { label: string; points: [number, number][] }[];
}

const LINE_COLORS = ['#228833', '#cc3311', '#4477aa', '#aa3377', '#ee7733'];

/**
 * Stacked line charts over a shared time axis (seconds), e.g. latency p50/p99 per window above the
 * process's RSS over time. Linear scales from 0; plain SVG text like renderLatencySvg.
 */
export function renderTimeSeriesSvg(title: string, panels: LinePanel[], xLabel = 's'): string {
  const width = 900;
  const left = 90;
  const right = 170;
  const top = 45;
  const panelHeight = 190;
  const gap = 40;
  const height = top + panels.length * (panelHeight + gap) + 20;
  const xs = panels.flatMap((p) => p.lines.flatMap((l) => l.points.map(([t]) => t)));
  const xMax = niceCeil(Math.max(1, ...xs));
  const x = (t: number) => left + (t / xMax) * (width - left - right);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${width / 2}" y="24" text-anchor="middle" font-size="15">${esc(title)}</text>`,
  ];
  panels.forEach((panel, i) => {
    const y0 = top + i * (panelHeight + gap);
    const ys = panel.lines.flatMap((l) => l.points.map(([, v]) => v)).filter((v) => Number.isFinite(v));
    const yMax = niceCeil(Math.max(1, ...ys));
    const y = (v: number) => y0 + panelHeight - (v / yMax) * panelHeight;
    for (let k = 0; k <= 4; k++) {
      const v = (yMax * k) / 4;
      parts.push(
        `<line x1="${left}" y1="${y(v)}" x2="${width - right}" y2="${y(v)}" stroke="#ddd"/>`,
        `<text x="${left - 6}" y="${y(v) + 4}" text-anchor="end">${Number(v.toPrecision(3))}</text>`,
      );
    }
    for (let k = 0; k <= 6; k++) {
      const t = (xMax * k) / 6;
      parts.push(
        `<text x="${x(t)}" y="${y0 + panelHeight + 15}" text-anchor="middle">${Number(t.toPrecision(3))} ${esc(xLabel)}</text>`,
      );
    }
    parts.push(
      `<text x="16" y="${y0 + panelHeight / 2}" transform="rotate(-90 16 ${y0 + panelHeight / 2})" text-anchor="middle">${esc(panel.yLabel)}</text>`,
    );
    panel.lines.forEach((line, j) => {
      const color = LINE_COLORS[j % LINE_COLORS.length]!;
      const pts = line.points.filter(([, v]) => Number.isFinite(v));
      if (pts.length > 0)
        parts.push(
          `<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts
            .map(([t, v]) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`)
            .join(' ')}"/>`,
        );
      parts.push(
        `<text x="${width - right + 10}" y="${y0 + 14 + j * 16}" fill="${color}">— ${esc(line.label)}</text>`,
      );
    });
  });
  parts.push('</svg>');
  return parts.join('\n');
}

/** 1, 2 or 5 times a power of ten, at least `v`. */
function niceCeil(v: number): number {
  const p = 10 ** Math.floor(Math.log10(v));
  return ([1, 2, 5, 10].find((m) => m * p >= v) ?? 10) * p;
}
