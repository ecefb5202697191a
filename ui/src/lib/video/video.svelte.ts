// The video screen's focus: the cameras best placed to see the most severe open warning (those
// whose field of view covers it first).

import type { Transport } from '../../transport';
import type { GeoFeature, Warning } from '../../types';

export const FOCUS_CAMERAS = 9;

export class VideoFocus {
  cameras: GeoFeature[] = $state([]);
  warning: Warning | null = $state(null);

  constructor(private transport: Transport) {}

  async follow(w: Warning | null, k = FOCUS_CAMERAS) {
    this.warning = w;
    if (!w) {
      this.cameras = [];
      return;
    }
    try {
      this.cameras = await this.transport.camerasNearest(w.lon, w.lat, k);
    } catch {
      this.cameras = [];
    }
  }
}
