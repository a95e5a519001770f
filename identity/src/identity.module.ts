import { Module, type DynamicModule } from '@nestjs/common';
import {
  ACTOR_DIRECTORY,
  DATABASE,
  INSTITUTION_PHASES,
  KEYS,
  TOKEN_VERIFIER,
  type DatabaseHandle,
  type KeyService,
} from '@pakawaaz/platform';
import { AuthEventsController } from './auth-events/auth-events.controller.js';
import { AuthEventsRepository } from './auth-events/auth-events.repository.js';
import { AuthEventsService } from './auth-events/auth-events.service.js';
import { RadiusAuthLog } from './radius/radius-auth-log.js';
import { RadiusClientAdmin } from './radius/radius-client-admin.service.js';
import { AccountController } from './auth/account.controller.js';
import { AccountService } from './auth/account.service.js';
import { AuthController } from './auth/auth.controller.js';
import { LoginService } from './auth/login.service.js';
import { LoginFailures } from './auth/login-failures.service.js';
import { LoginThrottle } from './auth/login-throttle.js';
import { LoginTickets } from './auth/login-tickets.service.js';
import { FirstStartService } from './bootstrap/first-start.service.js';
import { InitialPasswordFile } from './bootstrap/initial-password-file.js';
import { DeviceAuthService } from './device-auth/device-auth.service.js';
import {
  DirectoryController,
  InstitutionsController,
  PeopleController,
} from './directory/directory.controller.js';
import { DirectoryBudget } from './directory/directory-budget.js';
import { DirectoryService } from './directory/directory.service.js';
import { INSTITUTION_SCOPES, InstitutionScopes } from './directory/institution-scopes.js';
import { InstitutionsRepository } from './directory/institutions.repository.js';
import { InstitutionsService } from './directory/institutions.service.js';
import { InstitutionPhaseController, RolloutController } from './directory/rollout.controller.js';
import { RolloutService } from './directory/rollout.service.js';
import { IDENTITY_CONFIG, type IdentityConfig } from './identity.config.js';
import { MfaRepository } from './mfa/mfa.repository.js';
import { PasskeysService } from './mfa/passkeys.service.js';
import { openSecretBox, SECRET_BOX } from './mfa/secret-box.provider.js';
import { DirectorySyncController } from './directory-sync/directory-sync.controller.js';
import { DirectorySyncRepository } from './directory-sync/directory-sync.repository.js';
import { DirectorySyncRunner } from './directory-sync/directory-sync-run.js';
import { DirectorySyncJobs } from './directory-sync/directory-sync-jobs.js';
import { DirectorySyncService } from './directory-sync/directory-sync.service.js';
import { DirectoryLinksService } from './directory-sync/directory-links.service.js';
import { EnrolmentService } from './onboarding/enrolment.service.js';
import { OnboardingChanges } from './onboarding/onboarding-changes.js';
import { EnrolmentController, UserImportsController } from './onboarding/onboarding.controller.js';
import { UserImportService } from './onboarding/user-import.service.js';
import { UserImportsRepository } from './onboarding/user-imports.repository.js';
import { TotpService } from './mfa/totp.service.js';
import { sessionCacheProvider } from './sessions/session-cache.provider.js';
import { SessionsController } from './sessions/sessions.controller.js';
import { SessionsRepository } from './sessions/sessions.repository.js';
import { SessionRevocations } from './sessions/session-revocations.service.js';
import { SessionsService } from './sessions/sessions.service.js';
import { RadiusAccessService } from './radius/radius-access.service.js';
import { RadiusAccountingService } from './radius/radius-accounting.service.js';
import { RadiusClientsService } from './radius/radius-clients.service.js';
import { RadiusController } from './radius/radius.controller.js';
import { RadiusListener } from './radius/radius.listener.js';
import { SimAuthService } from './sim-auth/sim-auth.service.js';
import { EapIdentitiesRepository } from './sim-auth/eap-identities.repository.js';
import { EapIdentitiesService } from './sim-auth/eap-identities.service.js';
import { SignInStatsController } from './sign-in-stats/sign-in-stats.controller.js';
import { SignInStatsService } from './sign-in-stats/sign-in-stats.service.js';
import { ApiTokensRepository } from './tokens/api-tokens.repository.js';
import { useTokenSigningKey } from './tokens/signing-key.js';
import { ApiTokenMemory } from './tokens/api-token-memory.js';
import { API_TOKEN_MEMORY, SIGNING_KEY, TokenService } from './tokens/token.service.js';
import { DpopTokenService } from './tokens/dpop-token.service.js';
import { JwksController, TokensController } from './tokens/tokens.controller.js';
import { FactorResetService } from './users/factor-reset.service.js';
import { OFFICIAL_DIRECTORY, OfficialDirectoryService } from './users/official-directory.service.js';
import { OFFICIAL_VISIBILITY, OfficialVisibilityService } from './directory/official-visibility.service.js';
import { FactorResetsRepository } from './users/factor-resets.repository.js';
import { PasswordChanges } from './users/password-changes.service.js';
import { ActorDirectoryService } from './users/actor-directory.service.js';
import { UserAdminService } from './users/user-admin.service.js';
import { UserChanges } from './users/user-changes.js';
import { FactorResetsController, UsersController } from './users/users.controller.js';
import { UsersRepository } from './users/users.repository.js';
import { UsersService } from './users/users.service.js';

/**
 * Identity: institutions, officials and operators, multi-factor sign-in (password, TOTP, passkeys, SIM,
 * device), sessions and tokens (the platform's TOKEN_VERIFIER port), the directory. The SIM factor uses
 * core-network's ports (AKA vectors, SIM ownership) when that domain runs on this node; the device factor
 * uses a DEVICE_TRUST port that device management binds.
 */
@Module({})
export class IdentityModule {
  static forRoot(config: IdentityConfig): DynamicModule {
    return {
      module: IdentityModule,
      controllers: [
        AuthController,
        AccountController,
        UsersController,
        FactorResetsController,
        InstitutionsController,
        InstitutionPhaseController,
        RolloutController,
        DirectoryController,
        PeopleController,
        SessionsController,
        RadiusController,
        AuthEventsController,
        TokensController,
        JwksController,
        SignInStatsController,
        UserImportsController,
        EnrolmentController,
        DirectorySyncController,
      ],
      providers: [
        { provide: IDENTITY_CONFIG, useValue: config },
        {
          provide: SIGNING_KEY,
          inject: [KEYS],
          useFactory: (keys: KeyService) => useTokenSigningKey(keys, config.signingKeyFile),
        },
        {
          provide: SECRET_BOX,
          inject: [KEYS, DATABASE],
          useFactory: (keys: KeyService, database: DatabaseHandle) =>
            openSecretBox(keys, database, config.secretsKeyFile),
        },
        UsersRepository,
        InstitutionsRepository,
        MfaRepository,
        SessionsRepository,
        ApiTokensRepository,
        FactorResetsRepository,
        EapIdentitiesRepository,
        EapIdentitiesService,
        UserImportsRepository,
        DirectorySyncRepository,
        sessionCacheProvider,
        {
          provide: INSTITUTION_SCOPES,
          inject: [InstitutionsRepository],
          useFactory: (repo: InstitutionsRepository) => new InstitutionScopes({ load: () => repo.tree() }),
        },
        // The kernel's rollout gate reads institution phases from the same per-node memory.
        { provide: INSTITUTION_PHASES, useExisting: INSTITUTION_SCOPES },
        { provide: API_TOKEN_MEMORY, useFactory: () => new ApiTokenMemory() },
        TokenService,
        DpopTokenService,
        SessionRevocations,
        SessionsService,
        AuthEventsRepository,
        AuthEventsService,
        RadiusAuthLog,
        RadiusClientAdmin,
        LoginThrottle,
        LoginFailures,
        SignInStatsService,
        LoginTickets,
        TotpService,
        LoginService,
        PasskeysService,
        SimAuthService,
        DeviceAuthService,
        UsersService,
        UserChanges,
        PasswordChanges,
        InitialPasswordFile,
        FactorResetService,
        UserAdminService,
        OnboardingChanges,
        UserImportService,
        EnrolmentService,
        DirectorySyncService,
        DirectorySyncRunner,
        DirectorySyncJobs,
        DirectoryLinksService,
        InstitutionsService,
        RolloutService,
        DirectoryBudget,
        DirectoryService,
        AccountService,
        FirstStartService,
        RadiusClientsService,
        RadiusAccessService,
        RadiusAccountingService,
        RadiusListener,
        { provide: TOKEN_VERIFIER, useExisting: TokenService },
        OfficialDirectoryService,
        { provide: OFFICIAL_DIRECTORY, useExisting: OfficialDirectoryService },
        OfficialVisibilityService,
        { provide: OFFICIAL_VISIBILITY, useExisting: OfficialVisibilityService },
        ActorDirectoryService,
        { provide: ACTOR_DIRECTORY, useExisting: ActorDirectoryService },
      ],
      exports: [
        TOKEN_VERIFIER,
        INSTITUTION_PHASES,
        FirstStartService,
        TokenService,
        SIGNING_KEY,
        SECRET_BOX,
        UsersRepository,
        LoginService,
        SessionsService,
      ],
    };
  }
}
