import { defineConfig } from 'vite';

// Plinth's URL is read at build time from VITE_PLINTH_URL (default http://localhost:8090, see src/plinth.ts).
export default defineConfig({
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
  server: { port: 5173 },
  preview: { port: 4173 },
});
