// The wall's charts (ECharts, canvas): panel charts that follow the KPIs and the detail charts an
// operator opens on a feature. One dark theme; every colour here also has a text or shape cue
// beside it on the wall, so no reading depends on hue alone.

import * as echarts from 'echarts/core';
import { BarChart, LineChart, GaugeChart } from 'echarts/charts';
import { GridComponent, MarkLineComponent, TooltipComponent, LegendComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { LOCAL_FONTS } from '../map/basemap';
import { LEVEL_COLORS } from '../layers/symbols';
import type { HistoryPoint } from '../../types';
import { pointsFor, thin } from './thin';
import { hhmm } from '../format';
import { tr } from '../settings/language.svelte';

echarts.use([BarChart, LineChart, GaugeChart, GridComponent, MarkLineComponent, TooltipComponent, LegendComponent, CanvasRenderer]);

const TEXT = '#d3e2f5';
const MUTED = '#7f98b8';
const GRID_LINE = 'rgba(70,120,180,0.18)';

/** The wall's root type size now (its legibility scale), CSS px. */
const rootPx = () => parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;

/** Chart text: the panels' small type (0.8rem), never below the wall's smallest (0.75rem). */
const font = () => Math.round(rootPx() * 0.8);

const base = () => ({
  backgroundColor: 'transparent',
  textStyle: { fontFamily: LOCAL_FONTS, color: TEXT, fontSize: font() },
  // No update animation: a wall redraws its charts every few seconds, and an animation per
  // redraw would keep the renderer busy for nothing.
  animationDuration: 300,
  animationDurationUpdate: 0,
});

const charts = new WeakMap<HTMLElement, { chart: echarts.ECharts; resize: ResizeObserver }>();

function chartOn(el: HTMLElement): echarts.ECharts {
  let c = charts.get(el);
  if (!c) {
    const chart = echarts.init(el, undefined, { renderer: 'canvas' });
    const resize = new ResizeObserver(() => chart.resize());
    resize.observe(el);
    charts.set(el, (c = { chart, resize }));
  }
  return c.chart;
}

/** Releases a chart whose element leaves the page (a closed popup, a panel that goes away): its
 * canvas, its listeners and its resize observer would otherwise live as long as the wall. */
export function disposeChart(el: HTMLElement) {
  const c = charts.get(el);
  if (!c) return;
  c.resize.disconnect();
  c.chart.dispose();
  charts.delete(el);
  shown.delete(el);
}

const shown = new WeakMap<HTMLElement, string>();
/** Whether a panel chart already shows these inputs. The panels refresh every second while data
 * flows, and redrawing an unchanged chart costs the wall a frame it could spend on the map. */
function unchanged(el: HTMLElement, inputs: unknown[]): boolean {
  inputs = [...inputs, rootPx()];
  const key = JSON.stringify(inputs);
  if (shown.get(el) === key) return true;
  shown.set(el, key);
  return false;
}

/** Horizontal bars, largest on top: 超限率 per station, incidents per category. */
export function rankBars(el: HTMLElement, rows: { name: string; value: number; color?: string }[], unit = '', threshold?: number) {
  if (unchanged(el, [rows, unit, threshold])) return;
  const sorted = [...rows].sort((a, b) => a.value - b.value);
  chartOn(el).setOption({
    ...base(),
    grid: { left: 4, right: Math.round(rootPx() * 3.6), top: 4, bottom: 4, containLabel: true },
    xAxis: { type: 'value', show: false, max: (v: { max: number }) => Math.max(v.max, threshold ?? 0) * 1.05 },
    yAxis: { type: 'category', data: sorted.map((r) => r.name), axisLabel: { color: TEXT, fontSize: font(), width: Math.round(rootPx() * 7), overflow: 'truncate' }, axisLine: { show: false }, axisTick: { show: false } },
    series: [{
      type: 'bar', barWidth: '62%',
      data: sorted.map((r) => ({ value: r.value, itemStyle: { color: r.color ?? '#3d8fe0', borderRadius: [0, 3, 3, 0] } })),
      label: { show: true, position: 'right', color: TEXT, fontSize: font(), formatter: (p: { value: number }) => `${Number(p.value).toFixed(unit === '%' ? 1 : 0)}${unit}` },
      markLine: threshold == null ? undefined : { symbol: 'none', silent: true, lineStyle: { color: LEVEL_COLORS.yellow, type: 'dashed' }, label: { show: false }, data: [{ xAxis: threshold }] },
    }],
  }, { notMerge: true });
}

/** A small trend line over the data clock, thinned to about a point per two pixels. */
export function trend(el: HTMLElement, series: [number, number][], color: string, unit = '', threshold?: number) {
  const points = thin(series, pointsFor(el.clientWidth));
  if (unchanged(el, [points, color, unit, threshold])) return;
  chartOn(el).setOption({
    ...base(),
    grid: { left: 4, right: 8, top: 8, bottom: 4, containLabel: true },
    xAxis: { type: 'time', axisLabel: { color: MUTED, fontSize: font(), formatter: (v: number) => hhmm(v), hideOverlap: true }, axisLine: { lineStyle: { color: GRID_LINE } }, splitLine: { show: false } },
    yAxis: { type: 'value', min: 0, splitNumber: 2, axisLabel: { color: MUTED, fontSize: font(), formatter: `{value}${unit}` }, splitLine: { lineStyle: { color: GRID_LINE } } },
    series: [{
      type: 'line', showSymbol: false, smooth: true, data: points, lineStyle: { color, width: 2 },
      areaStyle: { color: new echarts.graphic.LinearGradient(0, 0, 0, 1, [{ offset: 0, color: `${color}55` }, { offset: 1, color: `${color}00` }]) },
      markLine: threshold == null ? undefined : { symbol: 'none', silent: true, lineStyle: { color: LEVEL_COLORS.yellow, type: 'dashed' }, label: { color: LEVEL_COLORS.yellow, formatter: `${threshold}${unit}` }, data: [{ yAxis: threshold }] },
    }],
  }, { notMerge: true });
}

/** A half gauge for a rate such as 办结率. */
export function rateGauge(el: HTMLElement, pct: number, label: string) {
  if (unchanged(el, [pct, label])) return;
  chartOn(el).setOption({
    ...base(),
    series: [{
      type: 'gauge', startAngle: 200, endAngle: -20, min: 0, max: 100, radius: '100%', center: ['50%', '62%'],
      progress: { show: true, width: 10, itemStyle: { color: pct >= 80 ? LEVEL_COLORS.normal : pct >= 60 ? LEVEL_COLORS.yellow : LEVEL_COLORS.orange } },
      axisLine: { lineStyle: { width: 10, color: [[1, 'rgba(70,120,180,0.25)']] } },
      axisTick: { show: false }, splitLine: { show: false }, axisLabel: { show: false }, pointer: { show: false },
      title: { offsetCenter: [0, '38%'], color: MUTED, fontSize: font() },
      detail: { offsetCenter: [0, '-5%'], color: '#fff', fontSize: Math.round(rootPx() * 1.4), fontWeight: 700, formatter: '{value}%' },
      data: [{ value: Math.round(pct * 10) / 10, name: label }],
    }],
  }, { notMerge: true });
}

/** A gauge's water level over time with its four thresholds drawn as coloured lines. */
export function gaugeLevelChart(el: HTMLElement, history: HistoryPoint[], props: Record<string, unknown>) {
  const points = history.filter((h) => h.properties && typeof h.properties.level_m === 'number').map((h) => [h.at, Number(h.properties!.level_m)]);
  const lines = (['blue', 'yellow', 'orange', 'red'] as const)
    .map((k) => ({ k, v: Number(props[`threshold_${k}_m`]) }))
    .filter((x) => Number.isFinite(x.v))
    .map(({ k, v }) => ({ yAxis: v, lineStyle: { color: LEVEL_COLORS[k], type: 'dashed' as const, width: 1.5 }, label: { color: LEVEL_COLORS[k], formatter: `${v.toFixed(2)} m`, fontSize: font() } }));
  const top = Math.max(0.1, ...points.map((p) => p[1]), ...lines.map((l) => l.yAxis)) * 1.1;
  chartOn(el).setOption({
    ...base(),
    grid: { left: 4, right: Math.round(rootPx() * 4.2), top: 10, bottom: 4, containLabel: true },
    tooltip: { trigger: 'axis', valueFormatter: (v: number) => `${Number(v).toFixed(2)} m` },
    xAxis: { type: 'time', axisLabel: { color: MUTED, fontSize: font(), formatter: (v: number) => hhmm(v), hideOverlap: true }, axisLine: { lineStyle: { color: GRID_LINE } } },
    yAxis: { type: 'value', min: 0, max: Math.round(top * 100) / 100, axisLabel: { color: MUTED, fontSize: font(), formatter: '{value} m' }, splitLine: { lineStyle: { color: GRID_LINE } } },
    series: [{ type: 'line', name: tr('waterDepth'), showSymbol: false, data: points, lineStyle: { color: '#46b4ff', width: 2.5 }, areaStyle: { color: 'rgba(70,180,255,0.15)' }, markLine: { symbol: 'none', silent: true, data: lines } }],
  }, { notMerge: true });
}

/** A station's hourly passes and violations over time, from its recorded states. */
export function stationChart(el: HTMLElement, history: HistoryPoint[]) {
  const rows = history.filter((h) => h.properties).map((h) => ({ at: h.at, passes: Number(h.properties!.passes_1h ?? 0), violations: Number(h.properties!.violations_1h ?? 0) }));
  chartOn(el).setOption({
    ...base(),
    grid: { left: 4, right: 8, top: Math.round(rootPx() * 1.6), bottom: 4, containLabel: true },
    legend: { top: 0, textStyle: { color: TEXT, fontSize: font() }, itemHeight: 8 },
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'time', axisLabel: { color: MUTED, fontSize: font(), formatter: (v: number) => hhmm(v), hideOverlap: true } },
    yAxis: [
      { type: 'value', axisLabel: { color: MUTED, fontSize: font() }, splitLine: { lineStyle: { color: GRID_LINE } } },
      { type: 'value', axisLabel: { color: MUTED, fontSize: font(), formatter: '{value}%' }, splitLine: { show: false } },
    ],
    series: [
      { type: 'line', name: tr('trucks1h'), showSymbol: false, data: rows.map((r) => [r.at, r.passes]), lineStyle: { color: '#f0a030' }, itemStyle: { color: '#f0a030' } },
      { type: 'line', name: tr('ratePct'), yAxisIndex: 1, showSymbol: false, data: rows.map((r) => [r.at, r.passes ? (100 * r.violations) / r.passes : 0]), lineStyle: { color: LEVEL_COLORS.red }, itemStyle: { color: LEVEL_COLORS.red } },
    ],
  }, { notMerge: true });
}
