// Source health: every configured subsystem's state (ok, degraded, failing, stale, pending), its
// counts and last error, kept current by the engine's source deltas and a periodic refresh.

import type { Transport } from '../../transport';
import type { SourceStatus } from '../../types';

export class HealthState {
  sources: SourceStatus[] = $state.raw([]);

  constructor(private transport: Transport) {}

  /** The sources that need someone's attention, or soon may: every one not ok (a source still
   * connecting included), as the strip lists them in full. */
  get failing(): SourceStatus[] {
    return this.sources.filter((s) => s.state !== 'ok');
  }

  /** The sources that are down — failing, stale or degraded — as the header counts them; one
   * still making its first connection is not down. */
  get down(): SourceStatus[] {
    return this.sources.filter((s) => s.state !== 'ok' && s.state !== 'pending');
  }

  /** The sources that bring nothing now — their last poll failed, or nothing fresh came for too
   * long: while any is, a quiet wall is not a calm city. */
  get outage(): SourceStatus[] {
    return this.sources.filter((s) => s.state === 'failing' || s.state === 'stale');
  }

  /** When data last arrived from any source (a successful poll, changed or not): Unix ms, 0 for
   * never. What the header's freshness reads, so unchanged polls still count as data flowing. */
  get lastSuccess(): number {
    return this.sources.reduce((latest, s) => Math.max(latest, s.last_success ?? 0), 0);
  }

  /** How many sources are in each state, in the strip's order (states with none left out). */
  get byState(): [SourceStatus['state'], number][] {
    const order: SourceStatus['state'][] = ['ok', 'degraded', 'stale', 'failing', 'pending'];
    return order.map((st) => [st, this.sources.filter((s) => s.state === st).length] as [SourceStatus['state'], number]).filter(([, n]) => n > 0);
  }

  /** Reloads every source; returns the layers of sources whose state changed (their features
   * draw differently when stale). */
  async refresh(): Promise<string[]> {
    const before = new Map(this.sources.map((s) => [s.id, s.state]));
    this.sources = await this.transport.sources();
    return this.sources.filter((s) => before.has(s.id) && before.get(s.id) !== s.state).map((s) => s.layer);
  }

  /** One source's new status, from the stream. */
  update(source: SourceStatus) {
    this.sources = this.sources.map((s) => (s.id === source.id ? source : s));
  }
}
