import { describe, expect, it } from 'vitest';
import { planPanels } from './layout.svelte';

describe('which panels stand and which take turns', () => {
  it('keeps every panel standing where all fit', () => {
    expect(planPanels([100, 200, 300], 700, 10, 30)).toEqual({ fixed: [0, 1, 2], rotating: [], tooTall: [] });
  });

  it('rotates the last panels in the height the standing ones leave', () => {
    // 600 + 10 gap leaves 390 − 30 indicator = 360 for the pane: 300 and 350 fit it.
    expect(planPanels([600, 300, 350], 1000, 10, 30)).toEqual({ fixed: [0], rotating: [1, 2], tooTall: [] });
  });

  it('stands fewer panels until each rotating one fits, and names what fits nowhere', () => {
    expect(planPanels([500, 300, 800], 1000, 10, 30)).toEqual({ fixed: [], rotating: [0, 1, 2], tooTall: [] });
    expect(planPanels([500, 1200], 1000, 10, 30)).toEqual({ fixed: [], rotating: [0, 1], tooTall: [1] });
  });
});
