import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './identity/src/**/*.schema.ts',
  out: './identity/migrations',
  schemaFilter: ['identity'],
});
