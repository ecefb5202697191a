// The wall's settings: language (zh-CN by default, remembered across reloads), the operator name
// actions are signed with, and which part of a multi-monitor wall this window is (from the URL
// the engine's `wall` module opens it with).

import { t as word, type Lang, type Word } from './i18n';
import { language } from './language.svelte';

export type Role = 'full' | 'map' | 'panels' | 'video';
type Store = Pick<Storage, 'getItem' | 'setItem'>;

export class Settings {
  /** The wall's language: the operator's last switch on this screen, else the centre's. */
  get lang(): Lang {
    return language.lang;
  }
  /** Whether an operator chose it here (then the centre's config does not override it). */
  private chosen: boolean;
  readonly operator: string;
  readonly role: Role;
  /** Where a spanning window's bezels fall (CSS px), left to right. */
  readonly bezelsX: number[];
  /** How the video screen's tiles travel: the client's choice by grid size (`auto`), or always
   * one engine-composited mosaic, or always a stream per tile, or a stream per tile in JPEGs
   * only, never H.264 decoded here (`?video=`). */
  readonly videoPath: 'auto' | 'mosaic' | 'tiles' | 'jpeg';

  constructor(private store: Store, search: string) {
    const stored = store.getItem('citywall.lang');
    this.chosen = stored === 'en' || stored === 'zh';
    this.setLang(stored === 'en' ? 'en' : 'zh');
    this.operator = store.getItem('citywall.operator') ?? word(this.lang, 'defaultOperator');
    const params = new URLSearchParams(search);
    const role = params.get('role') ?? '';
    this.role = role === 'map' || role === 'panels' || role === 'video' ? role : 'full';
    this.bezelsX = (params.get('bezels_x') ?? '').split(',').map(Number).filter((n) => n > 0);
    const video = params.get('video');
    this.videoPath = video === 'mosaic' || video === 'tiles' || video === 'jpeg' ? video : 'auto';
  }

  t = (w: Word): string => word(this.lang, w);

  switchLang() {
    this.chosen = true;
    this.setLang(this.lang === 'zh' ? 'en' : 'zh');
    this.store.setItem('citywall.lang', this.lang);
  }

  /** The centre's language from config (`[centre] language`), unless an operator chose one here. */
  configured(lang: string | undefined) {
    if (!this.chosen && (lang === 'en' || lang === 'zh')) this.setLang(lang);
  }

  private setLang(lang: Lang) {
    language.lang = lang;
    if (typeof document !== 'undefined') document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  }

  /** Panels on the outer screens, the map across the middle ones: no text straddles a bezel. */
  get columns(): string {
    const b = this.bezelsX;
    return b.length >= 2 ? `${b[0]}px 1fr calc(100vw - ${b[b.length - 1]}px)` : '';
  }
}
