import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// Vitest's reporter calls Map.groupBy, which Node 20 (Debian's, CI's) lacks: without it a failing
// test crashes the report instead of printing why.
const withGroupBy = Map as unknown as { groupBy?: <K, V>(items: Iterable<V>, key: (v: V) => K) => Map<K, V[]> };
withGroupBy.groupBy ??= (items, key) => {
  const out = new Map();
  for (const v of items) {
    const k = key(v);
    out.set(k, [...(out.get(k) ?? []), v]);
  }
  return out;
};

// assets/ is the public dir so the basemap archive ships inside the app and the browser build.
// Unit tests run the state modules' runes on Svelte's client runtime (the `browser` condition).
export default defineConfig({
  plugins: [svelte()],
  publicDir: '../assets',
  base: './',
  resolve: process.env.VITEST ? { conditions: ['browser'] } : undefined,
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 2000, target: 'es2022' },
  test: { environment: 'node', include: ['src/**/*.test.ts'] },
});
