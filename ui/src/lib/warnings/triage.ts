// Triage: which warnings the panel lists first and which it folds. Kinds weigh as the centre's
// config orders them (`[warnings] order`: life safety above nuisance), after the level; a kind
// with more open warnings than `group_from` is one row — its most severe member, with the kind's
// counts by level — opened on a click, so a storm of one kind does not push every other kind out
// of sight.

import type { Warning, WarningLevel } from '../../types';
import { pick } from '../settings/language.svelte';

export const LEVEL_RANK: Record<WarningLevel, number> = { blue: 0, yellow: 1, orange: 2, red: 3 };

/** The engine's default order, for an engine that sends none. */
export const DEFAULT_ORDER = ['unacknowledged', 'urged', 'source-down', 'flood-level', 'flood-rise', 'threshold', 'rate', 'count', 'hotspot', 'gauge-silent', 'stale', 'event', 'overweight-pass', 'overload-rate', 'case-overdue', 'duplicate'];
export const DEFAULT_GROUP_FROM = 3;

/** What each kind is called where its warnings are folded into one row. */
export const KIND_NAMES: Record<string, [string, string]> = {
  'source-down': ['数据中断', 'Data outages'],
  'flood-level': ['积水超警', 'Flood levels'],
  'flood-rise': ['水位陡涨', 'Rapid rises'],
  'gauge-silent': ['水位计失联', 'Silent gauges'],
  'overweight-pass': ['超限过车', 'Overweight passes'],
  'overload-rate': ['站点超限率', 'Station overload rates'],
  hotspot: ['事件高发', 'Incident hot spots'],
  duplicate: ['重复上报', 'Duplicate reports'],
  'case-overdue': ['案件超期', 'Overdue cases'],
  threshold: ['指标超限', 'Thresholds crossed'],
  rate: ['变化过快', 'Fast changes'],
  stale: ['数据停更', 'Stale readings'],
  count: ['区域聚集', 'Counts by area'],
  unacknowledged: ['下级未确认', 'Unacknowledged below'],
  urged: ['上级督办', 'Urged from above'],
};

/** A warning's title and detail in the wall's language (the Chinese where the engine wrote no
 * English: a warning stored before it did). */
export const titleOf = (w: Warning): string => pick(w.title, w.title_en);
export const detailOf = (w: Warning): string => pick(w.detail, w.detail_en);

/** Most severe first; then the heavier kind; then those still to acknowledge; then the latest. */
export function sortWarnings(list: Warning[], order: string[] = DEFAULT_ORDER): Warning[] {
  const weight = (k: string) => {
    const i = order.indexOf(k);
    return i < 0 ? order.length : i;
  };
  return list.sort(
    (a, b) =>
      LEVEL_RANK[b.level] - LEVEL_RANK[a.level] ||
      weight(a.kind) - weight(b.kind) ||
      Number(a.state !== 'raised') - Number(b.state !== 'raised') ||
      b.updated_at - a.updated_at,
  );
}

export interface WarningGroup {
  kind: string;
  members: Warning[];
  /** How many of its members stand at each level. */
  byLevel: Record<WarningLevel, number>;
}

/** A row of the panel: a warning, and where its kind is folded, the kind's group (this warning is
 * its most severe member and stands for the rest). */
export interface PanelItem {
  warning: Warning;
  group?: WarningGroup;
}

/** The panel's rows for a sorted list: a kind with more than `groupFrom` open warnings is one
 * row, its most severe member with the kind's counts, unless it is the kind opened (`open`). */
export function panelItems(sorted: Warning[], groupFrom: number, open: string | null): PanelItem[] {
  const counts = new Map<string, number>();
  for (const w of sorted) counts.set(w.kind, (counts.get(w.kind) ?? 0) + 1);
  const folded = (kind: string) => kind !== open && (counts.get(kind) ?? 0) > groupFrom;
  const groups = new Map<string, WarningGroup>();
  const items: PanelItem[] = [];
  for (const w of sorted) {
    if (!folded(w.kind)) {
      items.push({ warning: w });
      continue;
    }
    let g = groups.get(w.kind);
    if (!g) {
      g = { kind: w.kind, members: [], byLevel: { red: 0, orange: 0, yellow: 0, blue: 0 } };
      groups.set(w.kind, g);
      items.push({ warning: w, group: g });
    }
    g.members.push(w);
    g.byLevel[w.level] += 1;
  }
  return items;
}
