// The incident loop on the wall: the cases still open (and those closed today), the loop's
// numbers (办结率, 按期结案率, overdue), and the operator's steps — each sent to the engine, which
// checks it against the loop's table and the operator's role and answers with the case as it
// now stands, or why not.

import type { Transport } from '../../transport';
import type { Case, CaseDetail, CaseState, CaseSummary, NewCase, StepInput } from '../../types';

export const STATE_NAMES: Record<CaseState, [string, string]> = {
  received: ['受理', 'Received'],
  registered: ['立案', 'Registered'],
  refused: ['不予立案', 'Refused'],
  dispatched: ['已派遣', 'Dispatched'],
  handling: ['处置中', 'Handling'],
  reported: ['已反馈', 'Reported'],
  verified: ['已核查', 'Verified'],
  suspended: ['挂账', 'Suspended'],
  closed: ['结案', 'Closed'],
};

export const STEP_NAMES: Record<string, [string, string]> = {
  register: ['立案', 'Register'],
  refuse: ['不予立案', 'Refuse'],
  dispatch: ['派遣', 'Dispatch'],
  accept: ['接单', 'Accept'],
  report: ['反馈', 'Report done'],
  verify: ['核查', 'Verify'],
  rework: ['返工', 'Rework'],
  close: ['结案', 'Close'],
  return: ['回退', 'Return'],
  extend: ['延期', 'Extend'],
  suspend: ['挂账', 'Suspend'],
  resume: ['恢复', 'Resume'],
  reopen: ['重启', 'Reopen'],
  approve: ['批准', 'Approve'],
  deny: ['驳回', 'Deny'],
  hand_down: ['下派', 'Hand down'],
  report_up: ['上报', 'Report up'],
  urge: ['督办', 'Urge'],
};

/** Steps that need more than a click: what the form asks for. */
export const STEP_NEEDS: Record<string, 'department' | 'note' | 'hours' | 'photos'> = {
  dispatch: 'department',
  report: 'photos',
  refuse: 'note',
  report_up: 'note',
  urge: 'note',
  rework: 'note',
  return: 'note',
  suspend: 'note',
  reopen: 'note',
  extend: 'hours',
};

const OPEN: CaseState[] = ['received', 'registered', 'dispatched', 'handling', 'reported', 'verified', 'suspended'];

export class CasesState {
  list: Case[] = $state([]);
  summary: CaseSummary | null = $state(null);
  /** Why the last step or report was refused, in the engine's words. */
  error: string | null = $state(null);
  /** The case whose timeline is open, with its steps. */
  detail: CaseDetail | null = $state(null);

  /** `changed`: the list moved, so the map redraws its case markers. */
  constructor(private transport: Transport, private changed: () => void = () => {}) {}

  async refresh(): Promise<void> {
    const [list, summary] = await Promise.all([this.transport.cases(OPEN), this.transport.caseSummary()]);
    this.list = list;
    this.summary = summary;
    this.changed();
  }

  /** The open cases as map features: where, which state, whether overdue at `now`. */
  collection(now: number): GeoJSON.FeatureCollection {
    return {
      type: 'FeatureCollection',
      features: this.list.map((c) => ({
        type: 'Feature',
        id: c.id,
        geometry: { type: 'Point', coordinates: [c.lon, c.lat] },
        properties: { id: c.id, state: c.state, urgent: c.urgent, overdue: c.deadline_at !== null && c.deadline_at < now && (c.state === 'dispatched' || c.state === 'handling') },
      })),
    };
  }

  /** The steps `steps` (what the operator may take) offers for `c` now. */
  offered(c: Case, steps: Record<string, CaseState[]> = {}): string[] {
    // A case a source reports follows that source: its steps are taken there.
    if (c.origin !== 'operator' && c.origin !== 'open311') return [];
    const out = Object.entries(steps).filter(([, from]) => from.includes(c.state)).map(([a]) => a);
    if (c.pending && 'approve' in steps) out.unshift('approve', 'deny');
    return out.filter((a) => !(c.pending && a === c.pending.action));
  }

  /** Opens case `id`'s timeline (closes it when it is the one open). */
  async toggleDetail(id: string): Promise<void> {
    if (this.detail?.case.id === id) {
      this.detail = null;
      return;
    }
    await this.run(async () => {
      this.detail = await this.transport.caseDetail(id);
    }, false);
  }

  /** Sends the chosen photos to the engine; answers their references for a step or case. */
  async upload(photos: Iterable<Blob>): Promise<string[]> {
    const refs: string[] = [];
    for (const photo of photos) refs.push((await this.transport.uploadMedia(photo)).url);
    return refs;
  }

  async step(id: string, action: string, input: StepInput = {}, photos: Blob[] = []): Promise<boolean> {
    return this.run(async () => {
      const media = await this.upload(photos);
      const updated = await this.transport.caseStep(id, action, media.length ? { ...input, media } : input);
      if (this.detail?.case.id === id) this.detail = await this.transport.caseDetail(id);
      this.list = this.list.map((c) => (c.id === id ? updated : c)).filter((c) => OPEN.includes(c.state));
      this.changed();
    });
  }

  async create(c: NewCase, photos: Blob[] = []): Promise<boolean> {
    return this.run(async () => {
      const media = await this.upload(photos);
      const created = await this.transport.createCase(media.length ? { ...c, media } : c);
      this.list = [created, ...this.list];
      this.changed();
    });
  }

  private async run(action: () => Promise<void>, refresh = true): Promise<boolean> {
    this.error = null;
    try {
      await action();
      if (refresh) void this.refresh().catch(() => {});
      return true;
    } catch (e) {
      this.error = e instanceof Error ? e.message : String(e);
      return false;
    }
  }
}

/** Hours left before `deadline` (negative: overdue), to one decimal. */
export function hoursLeft(deadline: number | null, now: number): number | null {
  if (deadline === null) return null;
  const left = Math.round((deadline - now) / 360_000) / 10;
  // A case minutes past its deadline is overdue, not "0 h left".
  return deadline < now && left === 0 ? -0.1 : left;
}

/** What a hand-over still waiting to be taken up says on its row: minutes left to take it up,
 * or how long past its deadline it lies; `null` when none waits. */
export function handoverLabel(c: Case, now: number, zh: boolean): { text: string; late: boolean } | null {
  if (!c.handover) return null;
  // Rounded, not ceiled: the wall's data clock runs a moment behind the engine's, and a
  // one-hour hand-over read "61 minutes left" the second it arrived.
  const minutes = Math.round(Math.abs(c.handover.due_at - now) / 60_000);
  const late = now > c.handover.due_at;
  if (late) return { text: zh ? `待接收 超时 ${minutes} 分钟` : `not taken up, ${minutes} min late`, late };
  return { text: zh ? `待接收 剩 ${minutes} 分钟` : `to take up: ${minutes} min left`, late };
}
