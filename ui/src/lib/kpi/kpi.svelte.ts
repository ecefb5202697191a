// The KPIs the panels show: the summary (flood, 治超, incidents), its trend series, and each weigh
// station's overload rate over the last hour.

import type { Transport } from '../../transport';
import type { FeatureCollection, KpiSample, Summary } from '../../types';

export interface StationRate { name: string; value: number }

/** 超限率 per station over the last hour, highest first, short names. */
export function stationRates(fc: FeatureCollection, top = 7): StationRate[] {
  return fc.features
    .map((f) => {
      const p = f.properties as Record<string, number | string>;
      const passes = Number(p.passes_1h ?? 0);
      return { name: String(p.name ?? f.id).replace(/治超(点|站)$/, ''), value: passes ? (100 * Number(p.violations_1h ?? 0)) / passes : 0 };
    })
    .sort((a, b) => b.value - a.value)
    .slice(0, top);
}

/** Incidents per category, the largest `top`. */
export function topCategories(summary: Summary, top = 6): { name: string; value: number }[] {
  return Object.entries(summary.incidents.by_category).sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, value]) => ({ name, value }));
}

/** As many trend samples as the engine keeps (about 3 hours at one per 5 s). */
const SERIES_KEPT = 2_000;
/** How often the weigh stations' hourly ranking is reread. */
export const STATIONS_EVERY_MS = 10_000;

export class KpiState {
  summary: Summary | null = $state.raw(null);
  series: KpiSample[] = $state.raw([]);
  stations: StationRate[] = $state.raw([]);

  private stationsAt = -Infinity;
  /** The centre whose numbers are held (`null`: the wall's own). */
  private centre: string | null = null;

  constructor(
    private transport: Transport,
    private now: () => number = Date.now,
  ) {}

  /** Live KPIs; `stationsLayer` when the wall draws weigh stations; `centre` when the wall
   * stepped into a child centre's view (its area's numbers and trend, not the wall's own). */
  async refresh(live: boolean, stationsLayer?: string, centre: string | null = null) {
    if (centre !== this.centre) {
      // Another area: its own trend from the start, not appended to the last one's.
      this.centre = centre;
      this.series = [];
    }
    // The trend is fetched by what is new since the last sample held: the whole of it each
    // second would be up to 2,000 samples parsed and dropped again, a steady stream of garbage.
    const last = this.series.at(-1)?.at;
    const [summary, fresh] = await Promise.all([live ? this.transport.summary(centre) : Promise.resolve(null), this.transport.summarySeries(last, centre)]);
    if (centre !== this.centre) return; // stepped elsewhere while this was asked
    if (fresh.length) this.series = [...this.series, ...fresh].slice(-SERIES_KEPT);
    if (summary && live) this.summary = summary;
    // Every station with its recent passes is ~50 KB: its hourly ranking is refreshed every
    // STATIONS_EVERY_MS, not with each panel refresh.
    if (stationsLayer && this.now() - this.stationsAt >= STATIONS_EVERY_MS) {
      this.stationsAt = this.now();
      this.stations = stationRates(await this.transport.features(stationsLayer, [-180, -85, 180, 85], 18));
    }
  }

  /** The KPIs as they stood at a replayed instant. */
  async loadAt(at: number) {
    this.summary = await this.transport.replaySummary(at);
  }
}
