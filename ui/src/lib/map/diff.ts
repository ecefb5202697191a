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

/** The last content handed to one source, by feature id. */
export class SourceMirror {
  private shown: Map<string | number, string> | null = null;

  /** How to hand `features` to the source: not at all, as a diff, or as the whole collection. */
  update(features: readonly GeoJSON.Feature[]): SourceUpdate {
    const next = new Map<string | number, string>();
    for (const f of features) {
      // Without a unique id per feature a source cannot take diffs.
      if (f.id === undefined || f.id === null || next.has(f.id)) {
        this.shown = null;
        return { kind: 'full' };
      }
      next.set(f.id, JSON.stringify([f.geometry, f.properties]));
    }
    const prev = this.shown;
    this.shown = next;
    if (!prev) return { kind: 'full' };
    const add: GeoJSON.Feature[] = [];
    for (const f of features) if (prev.get(f.id as string | number) !== next.get(f.id as string | number)) add.push(f);
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
