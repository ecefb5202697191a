// The centres of a "1+N+N" city as this wall sees them: the engine's tree (`meta.centres`), the
// centre the signed-in account works for, and each centre's name in the wall's language — so a
// district's wall says whose it is, and a parent's wall says which of its children owns a
// warning or a case. A parent's wall also holds its children's state (下级中心) and can step
// into one child's view (its area on the map, its warnings in the list) and back.

import type { Bbox, Case, CentreNode, CentreStatus } from '../../types';

export interface CentresWiring {
  tree: () => CentreNode | null | undefined;
  mine: () => string | null | undefined;
  lang: () => string;
  /** Shows a box on the map; `null`: the wall's whole area. */
  fit: (bbox: Bbox | null) => void;
  /** Draws the children's areas coloured by their state (`centre-states` on the map). */
  paint: (areas: GeoJSON.FeatureCollection) => void;
}

/** A child's colour on the parent's map: red where a red waits, amber where anything else
 * does (unacknowledged, overdue, urged, a hand-over not taken up), green where nothing does,
 * grey when its wall is away. */
export function stateColour(c: CentreStatus): string {
  if (c.red > 0) return '#ff4d64';
  if (c.unacknowledged > 0 || c.cases.overdue > 0 || c.urged > 0 || c.handovers_late > 0) return '#ffb020';
  return c.online ? '#35d07f' : '#6b7c93';
}

export class CentresState {
  /** Each child of this wall's centre as the engine counts it now. */
  status: CentreStatus[] = $state([]);
  /** The child whose view the wall stepped into. */
  focus: string | null = $state(null);
  error: string | null = $state(null);

  constructor(
    private transport: { centreStatus: () => Promise<CentreStatus[]> },
    private wiring: CentresWiring,
  ) {}

  /** Every centre of the tree by id (none before the engine answered). */
  get byId(): Map<string, CentreNode> {
    const all = new Map<string, CentreNode>();
    const walk = (c: CentreNode) => {
      all.set(c.id, c);
      c.children.forEach(walk);
    };
    const root = this.wiring.tree();
    if (root) walk(root);
    return all;
  }

  /** The centre this wall works for: the account's, else the city's. */
  get own(): CentreNode | null {
    const root = this.wiring.tree();
    if (!root) return null;
    return this.byId.get(this.wiring.mine() ?? root.id) ?? null;
  }

  /** Whether this wall is a centre's under the city's (its header names that centre). */
  get isChild(): boolean {
    const root = this.wiring.tree();
    return !!root && !!this.own && this.own.id !== root.id;
  }

  /** The box this wall opens on: its own centre's area (the city's wall: none, the city's). */
  get ownExtent(): Bbox | null {
    const e = this.isChild ? this.own?.extent : null;
    return e ? [e.west, e.south, e.east, e.north] : null;
  }

  /** The area a district's map leaves undimmed (the city's wall: none). */
  get ownArea(): GeoJSON.MultiPolygon | null {
    return this.isChild ? (this.own?.area ?? null) : null;
  }

  /** `id`'s name in the wall's language; an id the tree lacks is shown as it is. */
  name(id: string): string {
    const c = this.byId.get(id);
    if (!c) return id;
    return this.wiring.lang() === 'zh' ? c.name_zh : c.name_en;
  }

  /** The owner a row names: another centre's (a child's, on a parent's wall); none for the
   * wall's own or in a city of one centre. */
  ownerTag(id: string | null | undefined): string | null {
    const root = this.wiring.tree();
    if (!id || !root || !root.children.length) return null;
    const own = this.own?.id ?? root.id;
    return id === own ? null : this.name(id);
  }

  /** Whether a row `owner` owns shows: always, unless the wall stepped into a child, then only
   * that child's and those under it. */
  inFocus(owner: string | null | undefined): boolean {
    if (!this.focus) return true;
    const within = (c: CentreNode | undefined): boolean => !!c && (c.id === owner || c.children.some(within));
    return within(this.byId.get(this.focus));
  }

  /** The hand-overs this wall may offer on a case its centre holds: down to the centre below
   * (the engine finds which), up to the one above (上报). */
  handOvers(holder: string, can: (action: string) => boolean): string[] {
    const own = this.own;
    const root = this.wiring.tree();
    if (!own || !root || (holder || root.id) !== own.id) return [];
    const offered: string[] = [];
    if (own.children.length && can('incident.hand_down')) offered.push('hand_down');
    if (own.id !== root.id && can('incident.report_up')) offered.push('report_up');
    return offered;
  }

  /** What this wall may do to case `c` between centres: hand it over (its own), or urge
   * (督办) one a centre below holds once it is past its deadline (`now`: the data clock). */
  offers(c: Case, now: number, can: (action: string) => boolean): string[] {
    const below = !!this.ownerTag(c.centre) && c.centre !== this.own?.id;
    const overdue = (c.state === 'dispatched' || c.state === 'handling') && c.deadline_at !== null && c.deadline_at < now;
    if (below) return overdue && !c.urged && can('incident.urge') ? ['urge'] : [];
    return this.handOvers(c.centre, can);
  }

  /** Asks the engine for this centre's children now. */
  async refresh(): Promise<void> {
    try {
      this.status = await this.transport.centreStatus();
      this.error = null;
      if (this.colouring) this.paint();
    } catch (e) {
      this.error = e instanceof Error ? e.message : String(e);
    }
  }

  /** Whether the map colours each child's area by its state (下级中心's 地图着色). */
  colouring = $state(false);

  /** Turns the map's colouring of the children on or off. */
  toggleColouring(): void {
    this.colouring = !this.colouring;
    this.paint();
  }

  /** The children's areas, coloured by their state, as the map draws them (none when off). */
  areas(): GeoJSON.FeatureCollection {
    const features: GeoJSON.Feature[] = [];
    for (const c of this.colouring ? this.status : []) {
      const area = this.byId.get(c.id)?.area;
      if (area) features.push({ type: 'Feature', properties: { id: c.id, name: this.name(c.id), colour: stateColour(c) }, geometry: area });
    }
    return { type: 'FeatureCollection', features };
  }

  private paint(): void {
    this.wiring.paint(this.areas());
  }

  /** Steps into child `id`'s view: its area on the map, its rows in the lists. */
  stepInto(id: string): void {
    this.focus = id;
    const e = this.byId.get(id)?.extent;
    this.wiring.fit(e ? [e.west, e.south, e.east, e.north] : null);
  }

  /** Back to the wall's own view. */
  back(): void {
    this.focus = null;
    this.wiring.fit(null);
  }
}
