import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import {
  Global,
  Module,
  type DynamicModule,
  type INestApplicationContext,
  type Provider,
  type Type,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  AuditService,
  createLogger,
  DeadLetterStore,
  FileKeyBackend,
  InProcessEventBus,
  KeyService,
  institutionScope,
  NATIONAL_SCOPE,
  loadPlatformConfig,
  Metrics,
  PlatformModule,
  rowsOf,
  sql,
  type DatabaseHandle,
  type EventBus,
  type Logger,
  type Principal,
  type Role,
  platformDomain,
} from '@pakawaaz/platform';
import { coreNetworkDomain } from '@pakawaaz/core-network';
import { identityDomain } from '../../src/identity.domain.js';
import { InitialPasswordFile } from '../../src/bootstrap/initial-password-file.js';
import { FirstStartService } from '../../src/bootstrap/first-start.service.js';
import type { IdentityConfig } from '../../src/identity.config.js';
import { IdentityModule } from '../../src/identity.module.js';
import { hashPassword } from '../../src/passwords/password-hasher.js';
import { ApiTokensRepository } from '../../src/tokens/api-tokens.repository.js';
import { TokenService } from '../../src/tokens/token.service.js';
import { UsersRepository, type NewUser, type UserRow } from '../../src/users/users.repository.js';
import { compositionOf, createTestDatabase, type TestDatabase } from '@pakawaaz/test-support';

/** The real IdentityModule in a Nest application context (no HTTP), on one test database. */
export type IdentityFixture = {
  testDb: TestDatabase;
  handle: DatabaseHandle;
  app: INestApplicationContext;
  tmp: string;
  config: IdentityConfig;
  bus: EventBus;
  users: UsersRepository;
  audit: AuditService;
  tokens: TokenService;
  logLines: string[];
  get<T>(type: Type<T>): T;
  firstStart(overrides?: Partial<IdentityConfig>): FirstStartService;
  /** Inserts a user with a hashed password (shortcut around the API's policy for test data). */
  addUser(row: Partial<NewUser> & { username: string }, password?: string): Promise<UserRow>;
  close(): Promise<void>;
};

/** What identity's medium tests migrate: its floors (platform, core-network) and itself. */
const IDENTITY_TEST_DOMAINS = [platformDomain, coreNetworkDomain, identityDomain];

export type FixtureOptions = {
  config?: Partial<IdentityConfig>;
  providers?: Provider[];
  keys?: KeyService;
  /** More modules beside identity (e.g. core-network, to see its consumers follow identity's events). */
  imports?: DynamicModule[];
  /** The node's event bus (closed with the fixture); default a fresh in-process bus. */
  eventBus?: (logger: Logger, deadLetters: DeadLetterStore) => Promise<EventBus>;
  /** Another node on the same database: the fixture then neither creates nor drops it. */
  database?: TestDatabase;
};

export async function createIdentityFixture(options: FixtureOptions = {}): Promise<IdentityFixture> {
  const testDb = options.database ?? (await createTestDatabase(IDENTITY_TEST_DOMAINS));
  const handle = testDb.handle;
  const tmp = await mkdtemp(path.join(tmpdir(), 'pakawaaz-identity-'));
  const config: IdentityConfig = {
    bootstrapToken: undefined,
    adminPassword: undefined,
    signingKeyFile: path.join(tmp, 'keys', 'token-signing-key.jwk'),
    accessTokenTtlSeconds: 600,
    issuer: 'pakawaaz-test',
    dataDir: path.join(tmp, 'data'),
    seedDemo: false,
    secretsKeyFile: path.join(tmp, 'keys', 'identity-secrets.key'),
    requirePasskeys: false,
    requireOperatorMfa: false,
    lockoutThreshold: 100,
    loginBackoff: { freeFailures: 10_000, freeFailuresPerSource: 10_000, maxSeconds: 900 },
    loginRatePerIp: 10_000,
    pendingPasskeyChallenges: 10_000,
    directoryRate: 10_000,
    webauthn: { rpId: 'localhost', rpName: 'Pakawaaz NOC', origins: null },
    radius: { enabled: false, host: '127.0.0.1', authPort: 0, acctPort: 0, eapNetworkName: 'WLAN' },
    authEventsRetentionDays: 90,
    ...options.config,
  };
  const logLines: string[] = [];
  const logger: Logger = createLogger(
    { level: 'info' },
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        logLines.push(chunk.toString());
        cb();
      },
    }),
  );
  const metrics = new Metrics();
  const deadLetters = new DeadLetterStore(handle.db, metrics, logger);
  const bus = options.eventBus
    ? await options.eventBus(logger, deadLetters)
    : new InProcessEventBus(logger, { retryBaseMs: 10, retryMaxMs: 50, deadLetters });
  const resources = {
    config: loadPlatformConfig(
      { PAKAWAAZ_DATA_DIR: config.dataDir },
      process.cwd(),
      compositionOf(IDENTITY_TEST_DOMAINS),
    ),
    logger,
    database: handle,
    eventBus: bus,
    deadLetters,
    metrics,
    appInfo: { version: 'test', startedAt: new Date() },
    keys: options.keys ?? new KeyService(new FileKeyBackend(), logger),
  };
  @Global()
  @Module({ providers: options.providers ?? [], exports: (options.providers ?? []).map(tokenOf) })
  class TestPorts {}
  @Module({
    imports: [
      PlatformModule.forRoot(resources),
      TestPorts,
      IdentityModule.forRoot(config),
      ...(options.imports ?? []),
    ],
  })
  class Root {}
  const app = await NestFactory.createApplicationContext(Root, { logger: false, abortOnError: false });
  await app.init();
  const users = app.get(UsersRepository);
  const audit = app.get(AuditService);
  return {
    testDb,
    handle,
    app,
    tmp,
    config,
    bus,
    users,
    audit,
    tokens: app.get(TokenService),
    logLines,
    get: (type) => app.get(type),
    firstStart: (overrides = {}) => {
      const c = { ...config, ...overrides };
      const file = new InitialPasswordFile(c, logger);
      return new FirstStartService(handle, c, users, app.get(ApiTokensRepository), audit, file);
    },
    async addUser(row, password = 'correct horse battery staple') {
      return users.insert({
        id: crypto.randomUUID(),
        kind: 'operator',
        displayName: row.username,
        passwordHash: await hashPassword(password),
        ...row,
      });
    },
    async close() {
      await app.close();
      await bus.close();
      if (!options.database) await testDb.drop();
      await rm(tmp, { recursive: true, force: true });
    },
  };
}

function tokenOf(p: Provider): Provider | string | symbol {
  return typeof p === 'object' && 'provide' in p ? (p.provide as string | symbol) : p;
}

/** A caller for service-level calls, as the auth guard would establish it. */
export function principal(roles: Role[], extra: Partial<Principal> = {}): Principal {
  return {
    actor: { type: 'operator', id: '00000000-0000-4000-8000-00000000ad01' },
    name: 'test-admin',
    roles,
    institutionId: null,
    amr: ['pwd', 'otp', 'mfa'],
    acr: 'aal2',
    tokenId: 'test',
    ...extra,
    // As the verifier computes it; a test that needs descendants passes `scope` itself.
    scope: extra.scope ?? (extra.institutionId ? institutionScope([extra.institutionId]) : NATIONAL_SCOPE),
  };
}

/** Empties the identity tables and the audit log with its checkpoints (append-only triggers off for that). */
export async function resetIdentityData(handle: DatabaseHandle): Promise<void> {
  await handle.db.transaction(async (tx) => {
    await tx.execute(
      sql.raw(
        'truncate identity.users, identity.api_tokens, identity.institutions, identity.institution_visibility, identity.sessions, identity.refresh_tokens, identity.totp_factors, identity.recovery_codes, identity.passkeys, identity.webauthn_challenges, identity.factor_resets, identity.radius_clients, identity.radius_accounting, identity.auth_events, identity.user_import_jobs, identity.user_import_blocks, identity.user_import_codes, identity.user_enrolments, identity.directory_syncs, identity.directory_links, identity.directory_budgets',
      ),
    );
    // The checkpoints go with the log they sign, or the next one would report the emptied log as truncated.
    for (const t of ['audit_log', 'audit_checkpoints'])
      await tx.execute(sql.raw(`alter table platform.${t} disable trigger user`));
    await tx.execute(sql.raw('truncate platform.audit_log, platform.audit_checkpoints'));
    for (const t of ['audit_log', 'audit_checkpoints'])
      await tx.execute(sql.raw(`alter table platform.${t} enable trigger user`));
  });
}

/** Rows of a raw query. */
export async function query<T>(handle: DatabaseHandle, statement: string): Promise<T[]> {
  return rowsOf<T>(await handle.db.execute(sql.raw(statement)));
}
