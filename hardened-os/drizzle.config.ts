import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './hardened-os/src/**/*.schema.ts',
  out: './hardened-os/migrations',
  schemaFilter: ['hardened_os'],
});
