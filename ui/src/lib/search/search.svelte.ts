// Search: place names, plates seen at weigh stations, incident ids and categories, asked of the
// engine 200 ms after the last keystroke.

import type { Transport } from '../../transport';
import type { SearchHit } from '../../types';

export const SEARCH_DELAY_MS = 200;

export class SearchState {
  query = $state('');
  hits: SearchHit[] = $state([]);
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private transport: Transport,
    private onError: (e: unknown) => void,
  ) {}

  input() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.run(), SEARCH_DELAY_MS);
  }

  async run() {
    const q = this.query.trim();
    try {
      this.hits = q ? await this.transport.search(q) : [];
    } catch (e) {
      this.onError(e);
    }
  }

  /** A hit was chosen: the box shows it, the list closes. */
  choose(hit: SearchHit) {
    this.hits = [];
    this.query = hit.label;
  }

  close() {
    this.hits = [];
  }
}
