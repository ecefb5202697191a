// How the wall writes times: Asia/Shanghai, 24-hour, in the wall's language.

import type { Lang, Word } from './settings/i18n';

export function fmtClock(lang: Lang, ms: number): string {
  return new Date(ms).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB', { timeZone: 'Asia/Shanghai', hour12: false, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', weekday: 'short' });
}

export const hhmmss = (ms: number) => new Date(ms).toLocaleTimeString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false, hour: '2-digit', minute: '2-digit', second: '2-digit' });

export const hhmm = (ms: number) => new Date(ms).toLocaleTimeString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false, hour: '2-digit', minute: '2-digit' });

/** "12 s ago", "3 min ago": how long before `now` something happened. */
/** Month, day and time of day (Asia/Shanghai): a log row's stamp. */
export function fmtStamp(lang: Lang, ms: number): string {
  return new Date(ms).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB', { timeZone: 'Asia/Shanghai', hour12: false, month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

export function ago(t: (w: Word) => string, now: number, ms: number | null): string {
  if (!ms) return t('never');
  const s = Math.max(0, Math.round((now - ms) / 1000));
  return s < 60 ? `${s} ${t('secondsAgo')}` : s < 3600 ? `${Math.floor(s / 60)} ${t('minutesAgo')}` : `${Math.floor(s / 3600)} ${t('hoursAgo')}`;
}
