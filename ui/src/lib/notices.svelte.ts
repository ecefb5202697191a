// The one message the wall shows over the map when something it asked for failed: what failed and
// the engine's reason, until the next success clears it; and why no basemap is drawn, if none is.

export class Notices {
  error: string | null = $state(null);
  /** Why the wall draws no basemap (none configured, or it cannot be read); stays until reload. */
  basemap: string | null = $state(null);

  fail(what: string, e: unknown) {
    this.error = `${what}：${e instanceof Error ? e.message : String(e)}`;
  }

  clear() {
    this.error = null;
  }
}
