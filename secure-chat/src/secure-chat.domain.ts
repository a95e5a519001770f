import { fileURLToPath } from 'node:url';
import type { DomainDescriptor } from '@pakawaaz/platform';

export const secureChatDomain = {
  name: 'secure-chat',
  pgSchema: 'secure_chat',
  migrationsFolder: fileURLToPath(new URL('../migrations', import.meta.url)),
  status: 'planned',
} as const satisfies DomainDescriptor;
