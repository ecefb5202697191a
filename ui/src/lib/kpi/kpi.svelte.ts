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

export class KpiState {
  summary: Summary | null = $state.raw(null);
  series: KpiSample[] = $state.raw([]);
  stations: StationRate[] = $state.raw([]);

  constructor(private transport: Transport) {}

  /** Live KPIs; `stationsLayer` when the wall draws weigh stations. */
  async refresh(live: boolean, stationsLayer?: string) {
    const [summary, series] = await Promise.all([live ? this.transport.summary() : Promise.resolve(null), this.transport.summarySeries()]);
    this.series = series;
    if (summary && live) this.summary = summary;
    if (stationsLayer) this.stations = stationRates(await this.transport.features(stationsLayer, [-180, -85, 180, 85], 18));
  }

  /** The KPIs as they stood at a replayed instant. */
  async loadAt(at: number) {
    this.summary = await this.transport.replaySummary(at);
  }
}
