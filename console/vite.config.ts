import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** The console is built ahead of time (`npm run build:console`) and served at /console/ by local/http-server.ts and CloudFront. */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  plugins: [react()],
  resolve: {
    alias: { 'node:crypto': fileURLToPath(new URL('./src/shims/node-crypto.ts', import.meta.url)) },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The money trail (React Flow + dagre) is its own chunk: the sign-in and case list load without it.
    chunkSizeWarningLimit: 600,
  },
  logLevel: 'warn',
});
