// Thinning a trend for drawing: a panel's trend line is a few hundred pixels wide, while the KPI
// series it draws grows to 2,000 samples over three hours. Drawn whole, every redraw (each new
// sample, every 5 s) built that many smoothed points again, garbage that grew with the series
// for as long as the wall ran. Thinned to about a point per two pixels, a redraw costs the same
// after three minutes as after three days.

/** At most `max` of `points` (time-ordered `[t, value]`): each of `max / 2` spans of the series
 * keeps its lowest and its highest sample, in time order, so a peak or a dip is never thinned
 * away; the first and the latest sample are always kept as they are. */
export function thin(points: [number, number][], max: number): [number, number][] {
  const n = points.length;
  const spans = Math.floor(max / 2) - 1;
  if (n <= max || spans < 1) return points;
  const out: [number, number][] = [points[0]];
  for (let s = 0; s < spans; s++) {
    const from = 1 + Math.floor((s * (n - 2)) / spans);
    const to = 1 + Math.floor(((s + 1) * (n - 2)) / spans);
    let lo = from;
    let hi = from;
    for (let i = from; i < to; i++) {
      if (points[i][1] < points[lo][1]) lo = i;
      if (points[i][1] > points[hi][1]) hi = i;
    }
    if (lo === hi) out.push(points[lo]);
    else out.push(points[Math.min(lo, hi)], points[Math.max(lo, hi)]);
  }
  out.push(points[n - 1]);
  return out;
}

/** How many points a trend `width` CSS pixels wide draws: about one per two pixels. */
export function pointsFor(width: number): number {
  return Math.max(60, Math.round(width / 2));
}
