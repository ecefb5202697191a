// What changed in a GeoJSON source between two map updates: features compared by id and content,
// so a delta that touched three features — or a refetched cluster view in which one cluster
// changed — reaches MapLibre as a diff, and it re-tiles only the tiles those features cross
// instead of the whole source. With software GL every tile costs the wall frame time.

export interface SourceDiff {
  add: GeoJSON.Feature[];
  remove: (string | number)[];
}

export type SourceUpdate = { kind: 'unchanged' } | { kind: 'full' } | { kind: 'diff'; diff: SourceDiff };

/** Above this share of the features changed, one full replacement is cheaper than a diff. */
const FULL_SHARE = 0.5;

/** A feature last handed to a source, and its content as text once a comparison needed it. */
interface Shown {
  feature: GeoJSON.Feature;
  content: string | null;
}

const contentOf = (s: Shown) => (s.content ??= JSON.stringify([s.feature.geometry, s.feature.properties]));

/** The last content handed to one source, by feature id. A feature object handed over is taken
 * as never changed afterwards (the wall replaces a changed feature with a new object), so one
 * seen again is unchanged without reading it: a layer of thousands of features that a delta
 * touched in three costs three comparisons, not thousands of serialisations, on a wall that
 * updates every second. */
export class SourceMirror {
  private shown: Map<string | number, Shown> | null = null;

  /** How to hand `features` to the source: not at all, as a diff, or as the whole collection. */
  update(features: readonly GeoJSON.Feature[]): SourceUpdate {
    const prev = this.shown;
    const next = new Map<string | number, Shown>();
    const add: GeoJSON.Feature[] = [];
    for (const f of features) {
      // Without a unique id per feature a source cannot take diffs.
      if (f.id === undefined || f.id === null || next.has(f.id)) {
        this.shown = null;
        return { kind: 'full' };
      }
      const before = prev?.get(f.id);
      if (before?.feature === f) {
        next.set(f.id, before);
        continue;
      }
      const now: Shown = { feature: f, content: null };
      next.set(f.id, now);
      // A refetch brings new objects of the same content: compared as text, they are unchanged.
      if (!before || contentOf(before) !== contentOf(now)) add.push(f);
    }
    this.shown = next;
    if (!prev) return { kind: 'full' };
    const remove: (string | number)[] = [];
    for (const id of prev.keys()) if (!next.has(id)) remove.push(id);
    if (!add.length && !remove.length) return { kind: 'unchanged' };
    if (add.length + remove.length > Math.max(1, features.length) * FULL_SHARE) return { kind: 'full' };
    return { kind: 'diff', diff: { add, remove } };
  }

  /** The source was changed some other way: the next update replaces it whole. */
  forget() {
    this.shown = null;
  }
}
