// The shapes the engine's API answers with, shared by both transports.

export interface Meta {
  product: string;
  version: string;
  demo: boolean;
  demo_clock: { wall_origin_ms: number; sim_origin_ms: number; scale: number } | null;
  seq: number;
  /** The "whole city" view (config, else the regions', else the data's extent). */
  extent: { west: number; south: number; east: number; north: number } | null;
  /** Which side panels the wall shows, in order (`[panels]`). */
  panels?: { left: string[]; right: string[] };
  /** Whose wall this is (`[centre]`): the header's name. */
  centre?: { name_zh: string; name_en: string; time_zone?: string; language?: string };
  /** The incident loop's categories and departments (`[incidents]`). */
  incidents?: { categories: string[]; departments: string[] };
  /** The city's basemap (`[basemap]`); absent: none is configured, the wall draws its
   * background and says so. */
  basemap?: BasemapInfo | null;
  /** Which warnings the video screens follow by themselves (`[cameras] follow_warnings`). */
  video_follow?: 'all' | 'orange' | 'red' | 'off';
  /** Whether the wall has cameras (`[cameras]`): without them no 视频 is offered. */
  cameras?: boolean;
  /** How the wall orders and folds its warnings (`[warnings]`). */
  warnings?: { order: string[]; group_from: number; procedures?: Record<string, Procedure> };
  /** The screen the wall is read on (`[display]`): its legibility scale. */
  display?: { diagonal_in?: number | null; distance_m?: number | null; scale?: number | null; panels?: [number, number] | null };
}

export interface BasemapInfo {
  /** `vector`: an OpenMapTiles archive drawn with the wall's style; `raster`: image tiles;
   * `style`: the config's own MapLibre style document. */
  kind: 'vector' | 'raster' | 'style';
  /** `gcj02`: the engine hands the map every coordinate in GCJ-02. */
  crs: string;
  attribution?: string | null;
  tile_size: number;
  min_zoom: number;
  max_zoom: number;
  /** Darken and desaturate raster tiles for a dark wall. */
  dim: boolean;
  /** Why the basemap cannot be drawn; the wall shows it. */
  error?: string | null;
  /** Why it may be the wrong basemap (its tiles miss the extent); drawn, and this shown. */
  mismatch?: string | null;
}

export interface LayerInfo extends LayerPresentation {
  id: string;
  title_zh: string;
  title_en: string;
  count: number;
}

/** How the config says a layer is drawn and listed (the engine has checked it). */
export interface LayerPresentation {
  group?: string | null;
  /** The group's name on an English wall. */
  group_en?: string | null;
  visible?: boolean;
  min_zoom?: number | null;
  max_zoom?: number | null;
  /** One of the detail templates the wall ships, with its own symbology. */
  template?: string | null;
  /** What the layer's features are, for its legend: point (default), line or polygon. */
  geometry?: 'point' | 'line' | 'polygon' | null;
  label?: string | null;
  style?: PointStyle | null;
  popup?: PopupField[];
}

export interface PointStyle {
  color?: string | null;
  color_by?: { field: string; values?: Record<string, string>; values_en?: Record<string, string>; stops?: [number, string][]; default?: string | null } | null;
  radius?: number | null;
  width?: number | null;
  dash?: [number, number] | null;
  outline?: string | null;
  opacity?: number | null;
}

export interface PopupField {
  field: string;
  title?: string | null;
  title_en?: string | null;
  unit?: string | null;
  format?: 'text' | 'number' | 'percent' | 'time' | null;
  digits?: number | null;
}

export type SourceState = 'pending' | 'ok' | 'degraded' | 'failing' | 'stale';

export interface SourceStatus {
  id: string;
  layer: string;
  title: string;
  kind: string;
  state: SourceState;
  last_success: number | null;
  last_attempt: number | null;
  last_error: string | null;
  latency_ms: number | null;
  count: number;
  received_last: number;
  rejected_last: number;
  rejected_total: number;
}

export type Position = [number, number];

/** Any GeoJSON geometry the engine sends (it refuses GeometryCollection). */
export type Geometry =
  | { type: 'Point'; coordinates: Position }
  | { type: 'MultiPoint'; coordinates: Position[] }
  | { type: 'LineString'; coordinates: Position[] }
  | { type: 'MultiLineString'; coordinates: Position[][] }
  | { type: 'Polygon'; coordinates: Position[][] }
  | { type: 'MultiPolygon'; coordinates: Position[][][] };

export interface GeoFeature {
  type: 'Feature';
  id: string;
  geometry: Geometry;
  /** A line's or polygon's anchor (on it or inside it); a point is its own. */
  anchor?: Position;
  properties: Record<string, unknown> & { _id: string; _source: string; _stale: boolean };
}

export interface FeatureCollection {
  type: 'FeatureCollection';
  layer: string;
  /** `clusters` below the layer's cluster zoom: its items are clusters and lone features;
   * `replay` for a state read from history. */
  mode: 'features' | 'clusters' | 'replay';
  truncated: boolean;
  seq: number;
  features: GeoFeature[];
}

/** `prev`: the seq of the delta the engine sent this wall before (it leaves out feature deltas
 * of layers the wall does not draw). */
/** A place an operator asked every video screen to show (a warning or an incident). */
/** A place the video screens are asked to show; with `camera`, that camera handed to them to place
 * on a tile of the operator's choosing (`placed`: one screen placed it, the others let it go). */
export interface VideoFocusTarget { lon: number; lat: number; title: string; by?: string; camera?: string; placed?: boolean }
/** A camera on a wall's video tiles, where the map marks it. */
export interface OnWallCamera { id: string; name: string; lon: number; lat: number }

export type Delta =
  | { type: 'features'; seq: number; prev?: number; at: number; layer: string; upserted: GeoFeature[]; removed: string[]; polled_at: number }
  | { type: 'source'; seq: number; prev?: number; at: number; source: SourceStatus }
  | { type: 'reload'; seq: number; prev?: number; at: number; layer: string; polled_at: number }
  | { type: 'warning'; seq: number; prev?: number; at: number; warning: Warning }
  | { type: 'focus'; seq: number; prev?: number; at: number; focus: VideoFocusTarget }
  | { type: 'onwall'; seq: number; prev?: number; at: number; cameras: OnWallCamera[] }
  | { type: 'hello'; seq: number }
  | { type: 'resync'; missed: number };

export interface Summary {
  flood: { total: number; by_level: Record<string, number>; max_level_m: number; rain_mm_h: number };
  overweight: { stations: number; passes_today: number; violations_today: number; overload_rate_pct: number; violations_1h: number };
  incidents: { total: number; open: number; closed: number; closure_rate_pct: number; by_channel: Record<string, number>; by_category: Record<string, number>; severe_open: number };
}

export type Bbox = [number, number, number, number];

export interface SearchHit {
  layer: string;
  id: string;
  label: string;
  matched: string;
  lon: number;
  lat: number;
  /** Features of the layer with this name (a street mapped as many ways is one row). */
  count?: number;
}

/** What a duty officer does about a warning of one kind (`[warnings.procedures]`). */
export interface Procedure {
  department: string;
  contact: string;
  steps: string[];
  /** The same on an English wall (empty: as above). */
  department_en?: string;
  steps_en?: string[];
}

/** A step of a warning's procedure, as taken (an audit row). */
export interface StepTaken {
  step: number;
  text: string;
  by: string;
  at: number;
}

export type WarningLevel = 'blue' | 'yellow' | 'orange' | 'red';

export interface Warning {
  id: string;
  key: string;
  kind: 'flood-level' | 'flood-rise' | 'gauge-silent' | 'overweight-pass' | 'overload-rate' | 'hotspot' | 'duplicate' | 'case-overdue' | 'source-down' | 'threshold';
  level: WarningLevel;
  state: 'raised' | 'acknowledged' | 'cleared';
  layer: string;
  subject: string;
  title: string;
  detail: string;
  /** The same in English (empty for warnings raised before the engine wrote both). */
  title_en?: string;
  detail_en?: string;
  lon: number;
  lat: number;
  value: number;
  threshold: number;
  related: string[];
  raised_at: number;
  updated_at: number;
  acknowledged_at: number | null;
  acknowledged_by: string | null;
  cleared_at: number | null;
  peak_level: WarningLevel;
}

export interface KpiSample {
  at: number;
  flood_over: number;
  max_level_m: number;
  overload_rate_pct: number;
  violations_1h: number;
  incidents_open: number;
  closure_rate_pct: number;
  warnings: [number, number, number, number];
}

/** Who the engine takes this wall for (`/whoami`), and whether it runs open (loopback, no token). */
export interface WhoAmI {
  principal: { name: string; role: 'duty' | 'leader' | 'admin' | 'wall'; via: 'session' | 'token' | 'open' } | null;
  open: boolean;
  /** The actions the principal may take: the wall offers only these. */
  can: string[];
  /** The incident loop's steps the principal may take, each with the states it leaves from. */
  steps?: Record<string, CaseState[]>;
}

export type CaseState = 'received' | 'registered' | 'refused' | 'dispatched' | 'handling' | 'reported' | 'verified' | 'suspended' | 'closed';

/** A case of the incident loop (`/api/v1/cases`). */
export interface Case {
  id: string;
  origin: string;
  category: string;
  urgent: boolean;
  title: string;
  description: string;
  address: string;
  lon: number;
  lat: number;
  reporter: string;
  media: string[];
  state: CaseState;
  department: string | null;
  limit_h: number | null;
  deadline_at: number | null;
  pending: { action: string; by: string; note: string; hours: number | null; at: number } | null;
  created_at: number;
  updated_at: number;
  closed_at: number | null;
  on_time: boolean | null;
}

export interface CaseSummary {
  received: number;
  closed: number;
  closed_on_time: number;
  refused: number;
  open: number;
  overdue: number;
  rate_closed: number | null;
  rate_on_time: number | null;
  mean_hours_to_close: number | null;
}

export interface NewCase {
  category: string;
  title: string;
  description?: string;
  address?: string;
  lon: number;
  lat: number;
  urgent?: boolean;
  reporter?: string;
  media?: string[];
}

export interface StepInput {
  note?: string;
  department?: string;
  hours?: number;
  /** Photo references: uploaded ones (`/api/v1/media/…`) or http(s) URLs. */
  media?: string[];
}

/** One step a case took, as its timeline shows it. */
export interface CaseStep {
  seq: number;
  at: number;
  actor: string;
  action: string;
  from: CaseState | null;
  to: CaseState;
  note: string;
  media: string[];
}

export interface CaseDetail {
  case: Case;
  steps: CaseStep[];
}

/** A photo the engine kept. */
export interface MediaRef {
  id: string;
  url: string;
  content_type: string;
  size: number;
}

/** One row of the audit log (`/api/v1/audit`). */
export interface AuditRow {
  seq: number;
  at: number;
  actor: string;
  action: string;
  target: string;
  detail: string;
  prev_hash: string;
  hash: string;
}

/** A saved video-wall layout (预案): the camera on each tile; or a tour over saved layouts. */
export interface VideoLayout {
  name: string;
  split: number;
  cameras: string[];
  tour: string[];
  dwell_s: number | null;
  /** Custom spans: the tiles over 2×2 cells, by tile number. */
  spans?: number[];
  /** Tours per tile group: each group's tiles step through its cameras, a dwell each. */
  groups?: { tiles: number[]; cameras: string[]; dwell_s: number }[];
}

/** A layer's counts per region of a level (`aggregate`). */
export interface RegionCounts { max: number; regions: { id: string; name: string; count: number }[] }

/** The stored history's span (`replaySpan`): its first instant (null when empty) and now. */
export interface ReplaySpan { from: number | null; to: number }

export type { HistoryPoint } from './lib/detail/model';
