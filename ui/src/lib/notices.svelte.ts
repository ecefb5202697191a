// The one message the wall shows over the map when something it asked for failed: what failed and
// the engine's reason, until the next success clears it.

export class Notices {
  error: string | null = $state(null);

  fail(what: string, e: unknown) {
    this.error = `${what}：${e instanceof Error ? e.message : String(e)}`;
  }

  clear() {
    this.error = null;
  }
}
