import { describe, expect, it } from 'vitest';
import { Settings } from './settings.svelte';

const store = (init: Record<string, string> = {}) => {
  const m = new Map(Object.entries(init));
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), m };
};

describe('Settings', () => {
  it('opens in Chinese, switches to English and remembers it', () => {
    const s0 = store();
    const s = new Settings(s0, '');
    expect(s.lang).toBe('zh');
    expect(s.t('title')).toBe('城市运行管理中心');
    s.switchLang();
    expect(s.t('title')).toBe('City Operations Centre');
    expect(new Settings(s0, '').lang).toBe('en');
  });

  it("speaks the centre's configured language until an operator switches here", () => {
    const s0 = store();
    const s = new Settings(s0, '');
    s.configured('en');
    expect(s.t('title')).toBe('City Operations Centre');
    s.switchLang();
    s.configured('en');
    expect(s.lang).toBe('zh');
    const chose = new Settings(store({ 'citywall.lang': 'zh' }), '');
    chose.configured('en');
    expect(chose.lang).toBe('zh');
  });

  it('signs actions with the stored operator, 值班员 by default', () => {
    expect(new Settings(store(), '').operator).toBe('值班员');
    expect(new Settings(store({ 'citywall.operator': '张三' }), '').operator).toBe('张三');
  });

  it('reads its screen role and bezels from the URL; anything else is the whole wall', () => {
    expect(new Settings(store(), '?role=video').role).toBe('video');
    expect(new Settings(store(), '?role=<script>').role).toBe('full');
    const spanning = new Settings(store(), '?bezels_x=1920,3840,5760');
    expect(spanning.columns).toBe('1920px 1fr calc(100vw - 5760px)');
    expect(new Settings(store(), '?bezels_x=1920').columns).toBe('');
  });
});
