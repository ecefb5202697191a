// The one module that knows how the wall reaches the engine: Tauri IPC inside the desktop app
// (`tauri.ts`), HTTP + WebSocket in browser mode (`http.ts`). Everything else talks to the
// `Transport` interface (`api.ts`).

import type { Transport } from './api';
import { HttpTransport } from './http';
import { TauriTransport } from './tauri';

export { EngineError, type Transport } from './api';
export * from './video';

export function pickTransport(): Transport {
  if ('__TAURI_INTERNALS__' in window) return new TauriTransport();
  return new HttpTransport(window.location.origin);
}
