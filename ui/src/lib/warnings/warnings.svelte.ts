// Open warnings, most severe first (then by the kind's weight: triage.ts), and the ticker of the
// latest raises. Warning deltas arrive one
// per message and often dozens per evaluation: they queue here and are folded in once, with the
// next map update, so the panels lay out and paint once rather than once per message.

import type { Transport } from '../../transport';
import type { Warning, WarningLevel } from '../../types';
import { DEFAULT_GROUP_FROM, DEFAULT_ORDER, LEVEL_RANK, panelItems, sortWarnings, type PanelItem } from './triage';

export { sortWarnings };
export const LEVELS: WarningLevel[] = ['red', 'orange', 'yellow', 'blue'];
/** How many warnings the panel lists, as designed and at each more compact step. */
export const WARNING_ROWS = [7, 5, 4, 3, 2];
const TICKER_LENGTH = 12;

/** A warning about a place (a gauge, a station, a grid cell); a 数据中断 is about a layer's
 * sources and has no spot of its own: it is not drawn on the map, flown to, or followed by video. */
export const placed = (w: Warning) => w.kind !== 'source-down';

export class WarningsState {
  list: Warning[] = $state([]);
  ticker: Warning[] = $state([]);
  /** The kind whose folded row the operator opened. */
  open: string | null = $state(null);
  private order = DEFAULT_ORDER;
  private groupFrom = DEFAULT_GROUP_FROM;
  private arriving = new Map<string, Warning>();

  constructor(
    private transport: Transport,
    /** Marks the map's warning layer for the next frame. */
    private draw: () => void,
  ) {}

  /** The centre's triage (`[warnings]`): its kinds' order and from how many a kind folds. */
  configure(order: string[] | undefined, groupFrom: number | undefined) {
    this.order = order?.length ? order : DEFAULT_ORDER;
    this.groupFrom = groupFrom ?? DEFAULT_GROUP_FROM;
    this.list = sortWarnings([...this.list], this.order);
  }

  /** The panel's rows: warnings, and the kinds folded into one row each. */
  get items(): PanelItem[] {
    return panelItems(this.list, this.groupFrom, this.open);
  }

  /** Opens a folded kind in place, or folds it again. */
  toggleKind(kind: string) {
    this.open = this.open === kind ? null : kind;
  }

  get unacked(): number {
    return this.unackedWhere(() => true);
  }

  /** Those still to acknowledge among the warnings `keep` keeps (a stepped-in child's). */
  unackedWhere(keep: (w: Warning) => boolean): number {
    return this.list.filter((w) => w.state === 'raised' && keep(w)).length;
  }

  /** Open warnings of `level`, among those `keep` keeps (all without). */
  count(level: WarningLevel, keep: (w: Warning) => boolean = () => true): number {
    return this.list.filter((w) => w.level === level && keep(w)).length;
  }

  /** Replaces the list (the open warnings now, or as they stood at a replayed instant). */
  replace(list: Warning[]) {
    this.list = sortWarnings(list, this.order);
    this.draw();
  }

  async load() {
    this.replace(await this.transport.warnings());
  }

  /** A delta: held until the next frame folds it in. */
  queue(w: Warning) {
    this.arriving.set(w.id, w);
    this.draw();
  }

  /** Folds what queued since the last frame (dropped while the wall replays the past: going live
   * reloads the list anyway). */
  flushQueued(live: boolean) {
    if (!this.arriving.size) return;
    const batch = [...this.arriving.values()];
    this.arriving.clear();
    if (live) this.fold(batch);
  }

  /** Folds warning changes into the list and the ticker. */
  fold(changes: Iterable<Warning>) {
    const open = new Map(this.list.map((x) => [x.id, x]));
    let news = this.ticker;
    for (const w of changes) {
      const before = open.get(w.id);
      if (w.state === 'cleared') open.delete(w.id);
      else open.set(w.id, w);
      // The ticker tells of new warnings and escalations, newest first.
      if (w.state === 'raised' && (!before || LEVEL_RANK[w.level] > LEVEL_RANK[before.level])) {
        news = [w, ...news.filter((x) => x.id !== w.id)];
      }
    }
    this.list = sortWarnings([...open.values()], this.order);
    this.ticker = news.slice(0, TICKER_LENGTH);
    this.draw();
  }

  clearTicker() {
    this.ticker = [];
  }

  async acknowledge(w: Warning, by: string) {
    this.fold([await this.transport.acknowledge(w.id, by)]);
  }

  /** The most severe warning still to acknowledge (what `A` acknowledges). */
  get firstRaised(): Warning | undefined {
    return this.list.find((w) => w.state === 'raised');
  }

  /** What the map's warning layer draws of the list: most warning deltas only move a value or a
   * time, and a map frame costs a software-GL wall ~100 ms, so an unchanged drawing is not sent. */
  drawnKey(): string {
    return this.list.filter(placed).map((w) => `${w.id}|${w.level}|${w.state}|${w.lon}|${w.lat}`).join('\n');
  }

  /** The map's warning layer. */
  collection() {
    return {
      type: 'FeatureCollection' as const,
      features: this.list.filter(placed).map((w) => ({ type: 'Feature' as const, id: w.id, geometry: { type: 'Point' as const, coordinates: [w.lon, w.lat] }, properties: { id: w.id, level: w.level, state: w.state } })),
    };
  }
}
