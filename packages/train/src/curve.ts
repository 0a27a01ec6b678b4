/**
 * The one loss-curve renderer: a self-contained SVG (no fonts or scripts to fetch), written by the
 * train stage as loss_curve.svg and drawn by eval's report.html (through `@tooltune/train/curve`,
 * which loads nothing else of train).
 */
export interface CurveSeries {
  label: string;
  color: string;
  points: Array<[number, number]>;
  /** Drawn dashed (eval's report: held-out loss beside the training loss of the same color). */
  dashed?: boolean;
}

export function lossCurveSvg(series: CurveSeries[], opts: { title?: string; width?: number; height?: number } = {}): string {
  const width = opts.width ?? 640;
  const height = opts.height ?? 320;
  const pad = { left: 56, right: 16, top: 28, bottom: 36 };
  const all = series.flatMap((s) => s.points).filter(([, y]) => Number.isFinite(y));
  const xs = all.map(([x]) => x);
  const ys = all.map(([, y]) => y);
  const [x0, x1] = [Math.min(0, ...xs), Math.max(1, ...xs)];
  const [y0, y1] = [Math.min(0, ...ys), Math.max(1e-9, ...ys)];
  const sx = (x: number) => pad.left + ((x - x0) / (x1 - x0 || 1)) * (width - pad.left - pad.right);
  const sy = (y: number) => height - pad.bottom - ((y - y0) / (y1 - y0 || 1)) * (height - pad.top - pad.bottom);
  const ticks = (lo: number, hi: number, n: number) => Array.from({ length: n + 1 }, (_, i) => lo + ((hi - lo) * i) / n);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    opts.title ? `<text x="${width / 2}" y="16" text-anchor="middle" font-size="13">${escapeXml(opts.title)}</text>` : "",
  ];
  for (const y of ticks(y0, y1, 4)) {
    parts.push(`<line x1="${pad.left}" x2="${width - pad.right}" y1="${sy(y)}" y2="${sy(y)}" stroke="#eee"/>`);
    parts.push(`<text x="${pad.left - 6}" y="${sy(y) + 4}" text-anchor="end">${y.toPrecision(3)}</text>`);
  }
  for (const x of ticks(x0, x1, 5)) parts.push(`<text x="${sx(x)}" y="${height - pad.bottom + 16}" text-anchor="middle">${Math.round(x)}</text>`);
  parts.push(`<text x="${width / 2}" y="${height - 4}" text-anchor="middle">step</text>`);
  series.forEach((s, i) => {
    const pts = s.points.filter(([, y]) => Number.isFinite(y));
    if (pts.length) parts.push(`<polyline fill="none" stroke="${s.color}" stroke-width="1.5"${s.dashed ? ' stroke-dasharray="5 3"' : ""} points="${pts.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(" ")}"/>`);
    parts.push(`<text x="${width - pad.right - 4}" y="${pad.top + 14 * (i + 1)}" text-anchor="end" fill="${s.color}">${escapeXml(s.label)}</text>`);
  });
  parts.push("</svg>");
  return parts.filter(Boolean).join("\n");
}

function escapeXml(s: string): string {
  return s.replace(/[<>&"]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;" })[c]!);
}
