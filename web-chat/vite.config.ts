import { defineConfig } from 'vite';

// The officials' web chat, served by server/ at /chat/ (same origin as the API), separate from the NOC at /.
export default defineConfig({
  base: '/chat/',
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false },
  server: { proxy: { '/api': { target: 'http://localhost:8080', ws: true } } },
});
