// The language the wall speaks now, readable anywhere (layer templates, chart builders, error
// notices), not just where the settings object reaches; reading it inside a component or a
// derived value makes that redraw when an operator switches.

import { t, type Lang, type Word } from './i18n';

export const language = $state<{ lang: Lang }>({ lang: 'zh' });

/** One of the wall's own words in the current language. */
export const tr = (w: Word): string => t(language.lang, w);

/** What config names in both languages: the English where the wall speaks it and config gave one. */
export const pick = (zh: string, en?: string | null): string => (language.lang === 'en' && en ? en : zh);
