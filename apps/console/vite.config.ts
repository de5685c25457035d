import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

// No @vitejs/plugin-react: Vite 8 compiles TSX itself through oxc (automatic JSX runtime).
export default defineConfig({
  root: here('.'),
  base: '/_/',
  // Copied as is to dist/ (favicon.svg → /_/favicon.svg).
  publicDir: here('public'),
  oxc: { jsx: { runtime: 'automatic', importSource: 'react' } },
  resolve: {
    alias: { '@plinth/sdk': here('../../sdk/src/index.ts') },
  },
  build: {
    outDir: here('dist'),
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: false,
    target: 'es2022',
    // The CSP allows no inline script; keep the module preload polyfill out of index.html.
    modulePreload: { polyfill: false },
  },
  server: { proxy: { '/api': 'http://127.0.0.1:8090' } },
});
