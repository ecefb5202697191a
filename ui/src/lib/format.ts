// How the wall writes times: in the centre's time zone (`[centre] time_zone`, the engine's machine's
// own without it), 24-hour, in the wall's language.

import type { Lang, Word } from './settings/i18n';

/** The centre's IANA time zone; until the engine says, the zone of the machine showing the wall. */
let zone: string = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

/** Sets the zone every time on the wall is written in; an unknown name leaves it as it was. */
export function setTimeZone(name: string | null | undefined): boolean {
  if (!name) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
  } catch {
    return false;
  }
  zone = name;
  return true;
}

export const timeZone = (): string => zone;

export function fmtClock(lang: Lang, ms: number): string {
  return new Date(ms).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB', { timeZone: zone, hour12: false, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', weekday: 'short' });
}

export const hhmmss = (ms: number) => new Date(ms).toLocaleTimeString('zh-CN', { timeZone: zone, hour12: false, hour: '2-digit', minute: '2-digit', second: '2-digit' });

export const hhmm = (ms: number) => new Date(ms).toLocaleTimeString('zh-CN', { timeZone: zone, hour12: false, hour: '2-digit', minute: '2-digit' });

/** Month, day and time of day: a log row's stamp. */
export function fmtStamp(lang: Lang, ms: number): string {
  return new Date(ms).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB', { timeZone: zone, hour12: false, month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** "12 s ago", "3 min ago": how long before `now` something happened. */
/** How long ago, in steps a wall reads at a glance and that change seldom: within 10 s, then
 * tens of seconds, minutes, hours. A text that changed every second would repaint the wall every
 * second for nothing a duty officer needs. */
export function ago(t: (w: Word) => string, now: number, ms: number | null): string {
  if (!ms) return t('never');
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 10) return t('justNow');
  return s < 60 ? `${Math.floor(s / 10) * 10} ${t('secondsAgo')}` : s < 3600 ? `${Math.floor(s / 60)} ${t('minutesAgo')}` : `${Math.floor(s / 3600)} ${t('hoursAgo')}`;
}
