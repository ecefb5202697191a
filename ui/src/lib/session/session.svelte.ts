// Who works this wall: asks the engine at start, holds the answer for the header, and runs the
// login form's round trip. A kiosk screen opened with `#token=…` logs in with it once and drops
// it from the address bar; the session then lives in the engine's HttpOnly cookie, not here.

import type { Transport } from '../../transport';
import { EngineError } from '../../transport';
import type { WhoAmI } from '../../types';

export const ROLE_NAMES: Record<string, [string, string]> = {
  duty: ['值班员', 'Duty officer'],
  leader: ['领导', 'Leader'],
  admin: ['管理员', 'Administrator'],
  wall: ['大屏', 'Wall screen'],
};

export class Session {
  who: WhoAmI | null = $state(null);
  /** Why the last login failed, in the engine's words. */
  error: string | null = $state(null);
  busy = $state(false);
  /** An open demo wall's visitor asked for the login card (to sign in as a centre's officer). */
  choosing = $state(false);

  constructor(private transport: Transport) {}

  /** May the one working this wall take `action` (e.g. `warning.acknowledge`)? */
  can(action: string): boolean {
    return this.who?.can.includes(action) ?? false;
  }

  /** The wall can start: someone is logged in, or it runs open. */
  get admitted(): boolean {
    return !!this.who && (this.who.open || !!this.who.principal);
  }

  /** Asks the engine who this is; a `#token=` in `hash` logs a kiosk in first. */
  async load(hash = ''): Promise<void> {
    const token = new URLSearchParams(hash.replace(/^#/, '')).get('token');
    if (token) await this.login({ token });
    if (!this.admitted) this.who = await this.transport.whoami();
  }

  async login(credentials: { name: string; password: string } | { token: string }): Promise<boolean> {
    this.busy = true;
    this.error = null;
    try {
      this.who = await this.transport.login(credentials);
      return true;
    } catch (e) {
      this.error = e instanceof EngineError || e instanceof Error ? e.message : String(e);
      return false;
    } finally {
      this.busy = false;
    }
  }

  async logout(): Promise<void> {
    await this.transport.logout();
    this.who = { principal: null, open: false, can: [], steps: {}, demo_accounts: [] };
  }
}
