import { Module, type DynamicModule } from '@nestjs/common';
import { TOKEN_VERIFIER } from '@pakawaaz/platform';
import { AuthController } from './auth/auth.controller.js';
import { AuthService } from './auth/auth.service.js';
import { FirstStartService } from './bootstrap/first-start.service.js';
import { IDENTITY_CONFIG, type IdentityConfig } from './identity.config.js';
import { OperatorsRepository } from './operators/operators.repository.js';
import { ApiTokensRepository } from './tokens/api-tokens.repository.js';
import { loadOrCreateSigningKey } from './tokens/signing-key.js';
import { SIGNING_KEY, TokenService } from './tokens/token.service.js';
import { JwksController, TokensController } from './tokens/tokens.controller.js';

/** Identity: operators, API tokens, sign-in and token verification (the platform's TOKEN_VERIFIER port). */
@Module({})
export class IdentityModule {
  static forRoot(config: IdentityConfig): DynamicModule {
    return {
      module: IdentityModule,
      controllers: [AuthController, TokensController, JwksController],
      providers: [
        { provide: IDENTITY_CONFIG, useValue: config },
        { provide: SIGNING_KEY, useFactory: () => loadOrCreateSigningKey(config.signingKeyFile) },
        OperatorsRepository,
        ApiTokensRepository,
        TokenService,
        AuthService,
        FirstStartService,
        { provide: TOKEN_VERIFIER, useExisting: TokenService },
      ],
      exports: [TOKEN_VERIFIER, FirstStartService, TokenService],
    };
  }
}
