// The wall's keys: / search · Esc close · H whole city · Space play / pause (replay) · L back to
// live · 1–9 layers · A acknowledge the most severe warning still to acknowledge.

import type { Wall } from './wall.svelte';

export function onKey(wall: Wall, e: KeyboardEvent, focusSearch: () => void) {
  if (e.target instanceof HTMLInputElement) {
    if (e.key === 'Escape') {
      wall.search.close();
      e.target.blur();
    }
    const first = wall.search.hits[0];
    if (e.key === 'Enter' && first) void wall.flyToHit(first);
    return;
  }
  const layers = wall.layers.ids;
  const raised = wall.warnings.firstRaised;
  if (e.key === '/') {
    e.preventDefault();
    focusSearch();
  } else if (e.key === 'Escape') wall.detail.close();
  else if (e.key === 'h' || e.key === 'H') wall.home();
  else if (e.key === ' ' && !wall.live) {
    e.preventDefault();
    wall.replay.togglePlay();
  } else if (e.key === 'l' || e.key === 'L') void wall.goLive();
  else if (/^[1-9]$/.test(e.key) && layers[Number(e.key) - 1]) wall.toggleLayer(layers[Number(e.key) - 1]);
  else if ((e.key === 'a' || e.key === 'A') && raised) void wall.acknowledge(raised);
}
