import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './platform/src/**/*.schema.ts',
  out: './platform/migrations',
  schemaFilter: ['platform'],
});
