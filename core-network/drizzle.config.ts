import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './core-network/src/**/*.schema.ts',
  out: './core-network/migrations',
  schemaFilter: ['core_network'],
});
