// A warning's procedure (处置预案) on the wall: which kinds have one (`[warnings.procedures]`), the
// warning whose procedure is open, the steps taken on it, and taking one — recorded by the engine
// as an audit row, so the log says who did what about which warning.

import type { Transport } from '../../transport';
import type { Procedure, StepTaken } from '../../types';
import { tr } from '../settings/language.svelte';

export class ProcedureState {
  /** The warning whose procedure is shown, if any. */
  open: string | null = $state(null);
  taken: StepTaken[] = $state([]);
  private procedures: Record<string, Procedure> = {};

  constructor(
    private transport: Transport,
    private fail: (what: string, e: unknown) => void,
  ) {}

  configure(procedures: Record<string, Procedure> | undefined) {
    this.procedures = procedures ?? {};
  }

  /** The procedure for warnings of `kind`, if the centre wrote one. */
  of(kind: string): Procedure | undefined {
    return this.procedures[kind];
  }

  /** Shows warning `id`'s procedure with the steps taken on it, or hides it if it is shown. */
  async toggle(id: string) {
    if (this.open === id) {
      this.open = null;
      return;
    }
    this.open = id;
    this.taken = [];
    try {
      const taken = await this.transport.warningSteps(id);
      if (this.open === id) this.taken = taken;
    } catch (e) {
      this.fail(tr('stepsFailed'), e);
    }
  }

  /** Takes step `step` of warning `id`'s procedure. */
  async take(id: string, step: number, by: string) {
    try {
      const taken = await this.transport.takeStep(id, step, by);
      if (this.open === id) this.taken = taken;
    } catch (e) {
      this.fail(tr('stepFailed'), e);
    }
  }

  /** Step `step` as taken on the open warning, if it was. */
  takenAt(step: number): StepTaken | undefined {
    return this.taken.find((t) => t.step === step);
  }
}
