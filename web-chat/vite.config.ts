import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

// The officials' web chat, served by server/ at /chat/ (same origin as the API), separate from the NOC at /.
// The chat SDK (lab/src/chat) is bundled from source; its few Node-only modules are swapped for browser ones.
export default defineConfig({
  base: '/chat/',
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 2048 },
  resolve: {
    alias: [
      { find: /^ws$/, replacement: here('./src/shims/ws.ts') },
      { find: /^@pakawaaz\/handset-simulator$/, replacement: here('./src/shims/node-only.ts') },
      { find: /^node:crypto$/, replacement: here('./src/shims/node-only.ts') },
      { find: /^@pakawaaz\/mls$/, replacement: here('../protocols/mls/src/index.ts') },
      { find: /^\.\/node-signature\.js$/, replacement: here('../lab/src/chat/browser-signature.ts') },
    ],
  },
  server: { proxy: { '/api': { target: 'http://localhost:8080', ws: true } } },
});
