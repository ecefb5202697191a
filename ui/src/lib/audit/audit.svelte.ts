// The audit log on the console: its latest rows (who did what to which thing, when), refreshed
// while shown; the download of the whole log where the console can download it.

import type { Transport } from '../../transport';
import type { AuditRow } from '../../types';
import { STEP_NAMES } from '../cases/cases.svelte';

/** How an action reads on the console. */
export const ACTION_NAMES: Record<string, [string, string]> = {
  'warning.acknowledge': ['确认预警', 'Acknowledged a warning'],
  'login.ok': ['登录', 'Logged in'],
  'login.token': ['令牌登录', 'Logged in with the token'],
  'login.failed': ['登录失败', 'Failed login'],
  'login.locked': ['账号锁定中登录', 'Login while locked'],
  logout: ['退出', 'Logged out'],
  'user.add': ['新增账号', 'Added an account'],
  'user.update': ['修改账号', 'Changed an account'],
  'audit.export': ['导出审计日志', 'Exported the audit log'],
  'incident.create': ['登记案件', 'Opened a case'],
  'media.upload': ['上传照片', 'Uploaded a photo'],
  'video.push': ['视频上墙', 'Put cameras on the video wall'],
};

const DECISIONS: Record<string, [string, string]> = { request: ['申请', 'asked to'], approve: ['批准', 'approved'], deny: ['驳回', 'denied'] };

/** An action's name; a case step reads as its step (`incident.dispatch` → 案件派遣,
 * `incident.request.extend` → 案件申请延期). */
export function actionName(action: string, zh: boolean): string {
  const known = ACTION_NAMES[action];
  if (known) return known[zh ? 0 : 1];
  if (!action.startsWith('incident.')) return action;
  const [first, second] = action.slice('incident.'.length).split('.');
  const step = (name: string) => (STEP_NAMES[name] ?? [name, name])[zh ? 0 : 1];
  const what = second && DECISIONS[first] ? `${DECISIONS[first][zh ? 0 : 1]}${zh ? '' : ' '}${step(second)}` : step(first);
  return zh ? `案件${what}` : `Case: ${what}`;
}

export class AuditState {
  rows: AuditRow[] = $state([]);
  error: string | null = $state(null);

  constructor(private transport: Transport) {}

  async refresh(limit = 30): Promise<void> {
    try {
      this.rows = await this.transport.audit(limit);
      this.error = null;
    } catch (e) {
      this.error = e instanceof Error ? e.message : String(e);
    }
  }

  exportUrl(format: 'csv' | 'jsonl'): string | null {
    return this.transport.auditExportUrl(format);
  }
}
