import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './app-store/src/**/*.schema.ts',
  out: './app-store/migrations',
  schemaFilter: ['app_store'],
});
