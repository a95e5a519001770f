import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { accessTable } from './src/auth/access.ts';

// The NOC is served by server/ at `/` (with SPA fallback) and talks to the same origin.
// In `npm run dev -w noc`, Vite proxies the server's routes to a locally running `npm start`.
const backend = 'http://localhost:8080';
const proxied = ['/api', '/healthz', '/readyz', '/metrics', '/docs'] as const;

const OPENAPI = fileURLToPath(new URL('../openapi.json', import.meta.url));
const ACCESS_MODULE = 'virtual:pakawaaz/operation-access';

/**
 * Who may call which operation, from the committed openapi.json at build time (a few KB, not the whole
 * document): the NOC's permission checks read exactly what the server enforces.
 */
function operationAccess(): Plugin {
  return {
    name: 'pakawaaz-operation-access',
    resolveId: (id) => (id === ACCESS_MODULE ? `\0${ACCESS_MODULE}` : null),
    load(id) {
      if (id !== `\0${ACCESS_MODULE}`) return null;
      this.addWatchFile(OPENAPI);
      const table = accessTable(JSON.parse(readFileSync(OPENAPI, 'utf8')));
      return `export default ${JSON.stringify(table)};`;
    },
  };
}

export default defineConfig({
  base: '/',
  plugins: [react(), operationAccess()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
  },
  server: {
    proxy: Object.fromEntries(proxied.map((prefix) => [prefix, { target: backend, changeOrigin: false }])),
  },
});
