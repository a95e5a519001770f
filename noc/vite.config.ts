import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The NOC is served by server/ at `/` (with SPA fallback) and talks to the same origin.
// In `npm run dev -w noc`, Vite proxies the server's routes to a locally running `npm start`.
const backend = 'http://localhost:8080';
const proxied = ['/api', '/healthz', '/readyz', '/metrics', '/docs'] as const;

export default defineConfig({
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
  },
  server: {
    proxy: Object.fromEntries(proxied.map((prefix) => [prefix, { target: backend, changeOrigin: false }])),
  },
});
