// What a detail popup shows, as data: a layer's detail template turns a feature into this, and
// DetailView renders it as text. No template ever builds markup, so nothing a subsystem sends can
// become an element on the wall.

import type { GeoFeature, HistoryPoint } from '../../types';
import { timeZone } from '../format';
import { tr } from '../settings/language.svelte';

export interface DetailRow {
  label: string;
  value: string;
  /** Drawn emphasised: the row a duty officer reads first. */
  strong?: boolean;
  bad?: boolean;
}

export interface DetailTable {
  head: string[];
  rows: { cells: string[]; flagged: boolean }[];
}

export interface DetailModel {
  title: string;
  /** A coloured tag before the title: `tone` picks its colour from a fixed set. */
  pill?: { text: string; tone: string };
  rows: DetailRow[];
  table?: DetailTable;
}

/** A value as the wall writes it: missing values as a dash, never "undefined". */
export const text = (v: unknown): string => (v === null || v === undefined || v === '' ? '—' : typeof v === 'object' ? JSON.stringify(v) : String(v));

/** An ISO time as the centre reads it (in its time zone); anything else as it came. */
export function time(iso: unknown): string {
  if (typeof iso !== 'string') return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString('zh-CN', { timeZone: timeZone(), hour12: false, month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** The id the feature's own system gave it: where several sources feed a layer the wall knows it
 * as `source:id`, but the duty officer quotes the case number the system shows. */
export function ownId(f: GeoFeature): string {
  const source = f.properties._source;
  return typeof source === 'string' && f.id.startsWith(`${source}:`) ? f.id.slice(source.length + 1) : f.id;
}

/** Any feature of a layer without a template of its own: its properties in order. */
export function genericDetail(f: GeoFeature): DetailModel {
  const p = f.properties;
  const rows = Object.entries(p)
    .filter(([k]) => !k.startsWith('_'))
    .slice(0, 16)
    .map(([k, v]) => ({ label: k, value: text(v) }));
  return { title: text(p.name ?? p.title ?? ownId(f)), rows: [...rows, { label: tr('numberOf'), value: text(ownId(f)) }] };
}


/** An incident's timeline: each status it went through, when the platform first said so. */
export function timelineSteps(history: HistoryPoint[]): { at: number; status: string }[] {
  const steps: { at: number; status: string }[] = [];
  let last = '';
  for (const h of history) {
    const raw = h.properties ? h.properties.status : tr('removed');
    const status = raw === null || raw === undefined ? '' : text(raw);
    if (status && status !== last) steps.push({ at: h.at, status });
    last = status;
  }
  return steps;
}
