// The wall's layout on the screen it is on: the legibility scale (root type size, the map's
// factor) for this window and the configured display, and which side panels stand and which
// take turns in a rotating pane, so every panel is whole on the screen: a wall does not scroll.

import { panelSize, wallScale, type DisplaySpec, type WallScale } from './scale';

/** How long a rotating pane shows one panel. */
export const ROTATE_MS = 12_000;

export interface PanelPlan {
  /** Indices of the panels that stand, top to bottom. */
  fixed: number[];
  /** Indices of the panels that take turns below them. */
  rotating: number[];
  /** Panels taller than the whole side even alone: they must draw compactly. */
  tooTall: number[];
}

/** Which panels stand and which rotate: as many as fit stand in their configured order, the rest
 * take turns in the height left below them (less `indicator` for the pane's own indicator). The
 * standing ones are fewer until every rotating panel fits that height. */
export function planPanels(heights: number[], available: number, gap: number, indicator: number): PanelPlan {
  const n = heights.length;
  const sum = (k: number) => heights.slice(0, k).reduce((a, h) => a + h, 0) + gap * Math.max(0, k - 1);
  if (sum(n) <= available) return { fixed: [...heights.keys()], rotating: [], tooTall: [] };
  for (let k = n - 1; k >= 0; k--) {
    const pane = available - (k ? sum(k) + gap : 0) - indicator;
    const rest = heights.slice(k);
    if (rest.every((h) => h <= pane)) return { fixed: [...heights.keys()].slice(0, k), rotating: [...heights.keys()].slice(k), tooTall: [] };
  }
  const all = [...heights.keys()];
  return { fixed: [], rotating: all, tooTall: all.filter((i) => heights[i] > available - indicator) };
}

export class WallLayout {
  scale: WallScale = $state(wallScale(1920, 1080, 1920, 1080, null));
  private display: DisplaySpec | null = null;
  private size: [number, number] = [1920, 1080];

  /** The configured display (`[display]`), from the engine's meta. */
  configure(display: DisplaySpec | null | undefined) {
    this.display = display ?? null;
    this.resize(...this.size);
  }

  /** The window's new size, CSS px. */
  resize(width: number, height: number) {
    this.size = [width, height];
    const [pw, ph] = panelSize(width, height, this.display);
    this.scale = wallScale(width, height, pw, ph, this.display);
  }
}
