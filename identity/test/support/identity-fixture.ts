import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import {
  AuditService,
  createLogger,
  rowsOf,
  sql,
  type DatabaseHandle,
  type Logger,
} from '@pakawaaz/platform';
import { AuthService } from '../../src/auth/auth.service.js';
import { FirstStartService } from '../../src/bootstrap/first-start.service.js';
import type { IdentityConfig } from '../../src/identity.config.js';
import { OperatorsRepository } from '../../src/operators/operators.repository.js';
import { ApiTokensRepository } from '../../src/tokens/api-tokens.repository.js';
import { loadOrCreateSigningKey } from '../../src/tokens/signing-key.js';
import { TokenService } from '../../src/tokens/token.service.js';
import { createTestDatabase, type TestDatabase } from '../../../platform/test/support/database.js';
import { ALL_DOMAINS } from '../../../server/src/domains.js';

/** The identity services wired by hand, as IdentityModule would, on one test database. */
export type IdentityFixture = {
  testDb: TestDatabase;
  handle: DatabaseHandle;
  tmp: string;
  config: IdentityConfig;
  operators: OperatorsRepository;
  apiTokens: ApiTokensRepository;
  audit: AuditService;
  tokens: TokenService;
  auth: AuthService;
  logLines: string[];
  firstStart(overrides?: Partial<IdentityConfig>): FirstStartService;
  close(): Promise<void>;
};

export async function createIdentityFixture(): Promise<IdentityFixture> {
  const testDb = await createTestDatabase(ALL_DOMAINS);
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
  };
  const key = await loadOrCreateSigningKey(config.signingKeyFile);
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
  const operators = new OperatorsRepository(handle);
  const apiTokens = new ApiTokensRepository(handle);
  const audit = new AuditService(handle);
  const tokens = new TokenService(key, config, handle, apiTokens, audit);
  const auth = new AuthService(operators, tokens, audit, logger);
  return {
    testDb,
    handle,
    tmp,
    config,
    operators,
    apiTokens,
    audit,
    tokens,
    auth,
    logLines,
    firstStart: (overrides = {}) =>
      new FirstStartService(handle, { ...config, ...overrides }, operators, apiTokens, audit),
    async close() {
      await testDb.drop();
      await rm(tmp, { recursive: true, force: true });
    },
  };
}

/** Empties the identity tables and the audit log (its append-only triggers are off for that one statement). */
export async function resetIdentityData(handle: DatabaseHandle): Promise<void> {
  await handle.db.transaction(async (tx) => {
    await tx.execute(sql.raw('truncate identity.operators, identity.api_tokens, identity.institutions'));
    await tx.execute(sql.raw('alter table platform.audit_log disable trigger user'));
    await tx.execute(sql.raw('truncate platform.audit_log'));
    await tx.execute(sql.raw('alter table platform.audit_log enable trigger user'));
  });
}

/** Rows of a raw query. */
export async function query<T>(handle: DatabaseHandle, statement: string): Promise<T[]> {
  return rowsOf<T>(await handle.db.execute(sql.raw(statement)));
}
