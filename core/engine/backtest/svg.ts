/**
 * An equity curve as a self-contained SVG (no library: a polyline, a zero line, four labels).
 * `points` are cumulative R at epoch-ms times, in order.
 */
export function equityCurveSvg(
  points: ReadonlyArray<{ t: number; r: number }>,
  title: string,
  width = 800,
  height = 360,
): string {
  const pad = { left: 56, right: 16, top: 36, bottom: 36 };
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const rs = points.map((p) => p.r);
  const minR = Math.min(0, ...rs);
  const maxR = Math.max(0, ...rs);
  const spanR = maxR - minR || 1;
  const n = Math.max(1, points.length - 1);
  // Trades are evenly spaced along x (trade number), so quiet weeks do not squash the curve.
  const x = (i: number) => pad.left + (plotW * i) / n;
  const y = (r: number) => pad.top + plotH * (1 - (r - minR) / spanR);
  const line = points.map((p, i) => `${x(i).toFixed(1)},${y(p.r).toFixed(1)}`).join(" ");
  const escapeXml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  const day = (ms: number | undefined) => (ms === undefined ? "" : new Date(ms).toISOString().slice(0, 10));
  const last = points[points.length - 1]?.r ?? 0;
  const colour = last >= 0 ? "#1a7f37" : "#cf222e";
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${pad.left}" y="22" font-size="14" font-weight="bold">${escapeXml(title)}</text>`,
    `<line x1="${pad.left}" y1="${y(0).toFixed(1)}" x2="${width - pad.right}" y2="${y(0).toFixed(1)}" stroke="#8c959f" stroke-dasharray="4 4"/>`,
    `<line x1="${pad.left}" y1="${pad.top}" x2="${pad.left}" y2="${height - pad.bottom}" stroke="#57606a"/>`,
    `<text x="${pad.left - 6}" y="${(y(maxR) + 4).toFixed(1)}" text-anchor="end">${maxR.toFixed(2)} R</text>`,
    `<text x="${pad.left - 6}" y="${(y(minR) + 4).toFixed(1)}" text-anchor="end">${minR.toFixed(2)} R</text>`,
    `<text x="${pad.left}" y="${height - 12}">${day(points[0]?.t)}</text>`,
    `<text x="${width - pad.right}" y="${height - 12}" text-anchor="end">${day(points[points.length - 1]?.t)} · ${points.length > 0 ? points.length - 1 : 0} trades</text>`,
    points.length > 0 ? `<polyline fill="none" stroke="${colour}" stroke-width="2" points="${line}"/>` : "",
    "</svg>",
    "",
  ].join("\n");
}
