import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './device-mgmt/src/**/*.schema.ts',
  out: './device-mgmt/migrations',
  schemaFilter: ['device_mgmt'],
});
