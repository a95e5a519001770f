import { Module, type DynamicModule } from '@nestjs/common';
import { ChatFilesModule } from './files/files.module.js';
import type { SecureChatConfig } from './secure-chat.config.js';

/** Nest module of the secure-chat domain; features register their modules here as they land. */
@Module({})
export class SecureChatModule {
  static forRoot(config: SecureChatConfig): DynamicModule {
    return { module: SecureChatModule, imports: [ChatFilesModule.forRoot(config.files)] };
  }
}
