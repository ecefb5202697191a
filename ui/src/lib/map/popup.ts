// The detail popup on the map: a MapLibre popup whose content is a mounted DetailView (text
// only), following the wall's open detail: a new one replaces it, closing the detail removes it,
// and closing it by its × closes the detail.

import * as maplibregl from 'maplibre-gl';
import { mount, unmount } from 'svelte';
import DetailView from '../detail/DetailView.svelte';
import type { OpenDetail } from '../detail/detail.svelte';
import type { Wall } from '../wall.svelte';
import { wallContext } from '../context';

export function followDetail(map: maplibregl.Map, wall: Wall): () => void {
  let shown: { popup: maplibregl.Popup; view: ReturnType<typeof mount> } | null = null;
  const hide = () => {
    const s = shown;
    shown = null;
    if (!s) return;
    void unmount(s.view);
    s.popup.remove();
  };
  const show = (open: OpenDetail | null) => {
    hide();
    if (!open) return;
    const node = document.createElement('div');
    const view = mount(DetailView, { target: node, props: { open }, context: wallContext(wall) });
    const popup = new maplibregl.Popup({ maxWidth: '36em', className: 'wall-popup' }).setLngLat(open.at).setDOMContent(node);
    shown = { popup, view };
    // Only a close the wall did not ask for (the ×, a click on the map) closes the detail.
    popup.on('close', () => {
      if (shown?.popup === popup) {
        shown = null;
        void unmount(view);
        wall.detail.close();
      }
    });
    popup.addTo(map);
  };
  const stop = wall.detail.listen(show);
  return () => {
    stop();
    hide();
  };
}
