import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './secure-chat/src/**/*.schema.ts',
  out: './secure-chat/migrations',
  schemaFilter: ['secure_chat'],
});
