// The video wall's layouts (预案) and tours as the screen uses them: the saved list, the one
// recalled (its cameras pinned, whatever the warnings do) or the tour playing (each of its
// layouts for its dwell in turn), and saving the screen as it stands.

import type { Transport } from '../../transport';
import type { VideoLayout } from '../../types';

export class VideoLayouts {
  list: VideoLayout[] = $state([]);
  /** The layout on the screen; null: the screen follows the warnings. */
  pinned: VideoLayout | null = $state(null);
  /** The tour playing, if any. */
  touring: VideoLayout | null = $state(null);
  error: string | null = $state(null);
  private timer: ReturnType<typeof setInterval> | null = null;
  private step = 0;

  constructor(private transport: Transport) {}

  async refresh() {
    try {
      this.list = await this.transport.videoLayouts();
      this.error = null;
    } catch (e) {
      this.error = e instanceof Error ? e.message : String(e);
    }
  }

  /** Recalls layout `name`: a layout is pinned; a tour starts at its first layout. */
  recall(name: string) {
    this.stop();
    const chosen = this.list.find((l) => l.name === name);
    if (!chosen) return;
    if (chosen.tour.length === 0) {
      this.pinned = chosen;
      return;
    }
    this.touring = chosen;
    this.step = 0;
    this.advance();
    this.timer = setInterval(() => this.advance(), (chosen.dwell_s ?? 20) * 1000);
  }

  /** Back to following the warnings. */
  stop() {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.touring = null;
    this.pinned = null;
  }

  async save(name: string, split: number, cameras: string[], spans: number[] = [], groups: VideoLayout['groups'] = []): Promise<boolean> {
    try {
      const saved = await this.transport.saveVideoLayout({ name, split, cameras, tour: [], dwell_s: null, spans, groups });
      await this.refresh();
      this.pinned = saved;
      return true;
    } catch (e) {
      this.error = e instanceof Error ? e.message : String(e);
      return false;
    }
  }

  private advance() {
    const tour = this.touring;
    if (!tour) return;
    const layouts = tour.tour.map((n) => this.list.find((l) => l.name === n)).filter((l): l is VideoLayout => !!l);
    if (layouts.length === 0) return;
    this.pinned = layouts[this.step % layouts.length];
    this.step++;
  }
}
