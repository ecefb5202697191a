// The detail popup a duty officer gets on click: what the feature is, where, and its numbers,
// as escaped HTML.

import type { GeoFeature } from './types';

const esc = (v: unknown) =>
  String(v ?? '—').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

export const time = (iso: unknown) => {
  if (typeof iso !== 'string') return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return esc(iso);
  return d.toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false, month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
};

const row = (k: string, v: string) => `<tr><th>${k}</th><td>${v}</td></tr>`;

export function floodLevel(p: Record<string, unknown>): { key: string; zh: string } {
  const v = Number(p.level_m);
  if (v >= Number(p.threshold_red_m)) return { key: 'red', zh: '红色' };
  if (v >= Number(p.threshold_orange_m)) return { key: 'orange', zh: '橙色' };
  if (v >= Number(p.threshold_yellow_m)) return { key: 'yellow', zh: '黄色' };
  if (v >= Number(p.threshold_blue_m)) return { key: 'blue', zh: '蓝色' };
  return { key: 'normal', zh: '正常' };
}

export function detailHtml(layer: string, f: GeoFeature): string {
  const p = f.properties;
  const staleNote = p._stale ? `<div class="stale-note">数据源异常，显示为最后一次有效数据 · stale</div>` : '';
  if (layer === 'flood') {
    const lvl = floodLevel(p);
    return `<div class="detail"><h3><span class="pill lvl-${lvl.key}">${lvl.zh}</span>${esc(p.name)}</h3>${staleNote}<table>
      ${row('积水深度', `<b>${esc(Math.round(Number(p.level_m) * 100))} cm</b>`)}
      ${row('涨落', `${Number(p.rise_m_per_h) >= 0 ? '↑' : '↓'} ${esc(Math.abs(Math.round(Number(p.rise_m_per_h) * 100)))} cm/h`)}
      ${row('预警阈值', `蓝 ${esc(Number(p.threshold_blue_m) * 100)} · 黄 ${esc(Number(p.threshold_yellow_m) * 100)} · 橙 ${esc(Number(p.threshold_orange_m) * 100)} · 红 ${esc(Number(p.threshold_red_m) * 100)} cm`)}
      ${row('雨强', `${esc(p.rain_mm_h)} mm/h`)}
      ${row('类型', esc(p.kind))}
      ${row('辖区', esc(p.district))}
      ${row('观测时间', time(p.observed_at))}
      ${row('编号', esc(f.id))}
    </table></div>`;
  }
  if (layer === 'rain') {
    return `<div class="detail"><h3>${esc(p.name)}</h3>${staleNote}<table>
      ${row('雨强', `<b>${esc(p.rain_mm_h)} mm/h</b>`)}
      ${row('近1小时雨量', `${esc(p.rain_1h_mm)} mm`)}
      ${row('辖区', esc(p.district))}
      ${row('观测时间', time(p.observed_at))}
      ${row('编号', esc(f.id))}
    </table></div>`;
  }
  if (layer === 'overweight') {
    const recent = Array.isArray(p.recent_passes) ? (p.recent_passes as Record<string, unknown>[]) : [];
    const passes = recent
      .slice(0, 6)
      .map((r) => `<tr class="${Number(r.overload_pct) > 0 ? 'viol' : ''}"><td>${time(r.at).slice(-8)}</td><td>${esc(r.plate)}</td><td>${esc(r.axles)}轴</td><td>${esc(r.gross_t)}/${esc(r.limit_t)} t</td><td>${Number(r.overload_pct) > 0 ? `超 ${esc(r.overload_pct)}%` : '—'}</td></tr>`)
      .join('');
    return `<div class="detail"><h3>${esc(p.name)}</h3>${staleNote}<table>
      ${row('道路 / 方向', `${esc(p.road)} · ${esc(p.direction)}`)}
      ${row('近1小时', `${esc(p.passes_1h)} 车 · 超限 <b class="bad">${esc(p.violations_1h)}</b>`)}
      ${row('今日', `${esc(p.passes_today)} 车 · 超限 ${esc(p.violations_today)} · 超限率 <b>${esc(p.overload_rate_today_pct)}%</b>`)}
      ${row('更新时间', time(p.observed_at))}
    </table>
    <table class="passes"><tr><th>时间</th><th>车牌</th><th>轴数</th><th>总重/限值</th><th>超限</th></tr>${passes}</table></div>`;
  }
  return `<div class="detail"><h3><span class="pill sev-${esc(p.severity)}">${esc(p.severity)}</span>${esc(p.category)}</h3>${staleNote}<table>
    ${row('状态', `<b>${esc(p.status)}</b>`)}
    ${row('来源渠道', esc(p.channel))}
    ${row('位置', `${esc(p.district)} ${esc(p.street)} ${esc(p.grid)}`)}
    ${row('上报时间', time(p.reported_at))}
    ${row('事件编号', esc(f.id))}
  </table></div>`;
}
