import { describe, expect, it } from 'vitest';
import { panelItems, sortWarnings } from './triage';
import { warning } from '../testing/fakes';

const of = (id: string, kind: string, level: Parameters<typeof warning>[1], updated = 0) => ({ ...warning(id, level, 'raised', updated), kind: kind as ReturnType<typeof warning>['kind'] });

describe('triage', () => {
  it('puts the heavier kind first among warnings of one level', () => {
    const list = sortWarnings([of('lamp', 'case-overdue', 'red', 9), of('underpass', 'flood-level', 'red', 1), of('station', 'overload-rate', 'orange', 5)]);
    expect(list.map((w) => w.id)).toEqual(['underpass', 'lamp', 'station']);
    // The centre's own order wins.
    const own = sortWarnings([of('lamp', 'case-overdue', 'red'), of('underpass', 'flood-level', 'red')], ['case-overdue', 'flood-level']);
    expect(own.map((w) => w.id)).toEqual(['lamp', 'underpass']);
  });

  it('folds a kind with many open warnings into one row with its counts, and opens it', () => {
    const passes = Array.from({ length: 5 }, (_, i) => of(`p${i}`, 'overweight-pass', i === 0 ? 'red' : 'yellow', i));
    const sorted = sortWarnings([...passes, of('f', 'flood-level', 'orange')]);
    const items = panelItems(sorted, 3, null);
    expect(items.map((i) => i.warning.id)).toEqual(['p0', 'f']);
    const group = items[0].group;
    expect(group?.kind).toBe('overweight-pass');
    expect(group?.members).toHaveLength(5);
    expect(group?.byLevel).toEqual({ red: 1, orange: 0, yellow: 4, blue: 0 });
    expect(items[1].group).toBeUndefined();
    // Opened, the kind lists its members in place.
    expect(panelItems(sorted, 3, 'overweight-pass')).toHaveLength(6);
    // A kind at the threshold is not folded.
    expect(panelItems(sorted.slice(0, 3), 3, null)).toHaveLength(3);
  });
});
