import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// assets/ is the public dir so the basemap archive ships inside the app and the browser build.
export default defineConfig({
  plugins: [svelte()],
  publicDir: '../assets',
  base: './',
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 2000, target: 'es2022' },
  test: { environment: 'node', include: ['src/**/*.test.ts'] },
});
