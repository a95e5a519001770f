import type { Env, PlatformConfig } from '@pakawaaz/platform';
import { loadFilesConfig, type FilesConfig } from './files/files.config.js';

/** The secure-chat domain's configuration, by feature (each feature's schema reads its own variables). */
export type SecureChatConfig = { files: FilesConfig };

export function loadSecureChatConfig(env: Env, platform: PlatformConfig): SecureChatConfig {
  return { files: loadFilesConfig(env, platform) };
}
