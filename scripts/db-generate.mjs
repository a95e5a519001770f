#!/usr/bin/env node
// Generates drizzle-kit migrations for each domain into <domain>/migrations/.
// Usage: npm run db:generate [-- <domain> [--custom --name NAME]]
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const domains = [
  'platform',
  'core-network',
  'hardened-os',
  'identity',
  'device-mgmt',
  'app-store',
  'secure-chat',
];
const [only, ...extra] = process.argv.slice(2);
for (const d of only ? [only] : domains) {
  if (!existsSync(`${d}/drizzle.config.ts`)) continue;
  console.log(`\n== ${d}`);
  const r = spawnSync('npx', ['drizzle-kit', 'generate', '--config', `${d}/drizzle.config.ts`, ...extra], {
    stdio: 'inherit',
  });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
