import { randomBytes, randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { Inject, Injectable } from '@nestjs/common';
import { eq } from 'drizzle-orm';
import { AuditService, DATABASE, SYSTEM_ACTOR, type DatabaseHandle, type Db } from '@pakawaaz/platform';
import { institutions } from '../directory/institutions.schema.js';
import { IDENTITY_CONFIG, type IdentityConfig } from '../identity.config.js';
import { UsersRepository } from '../users/users.repository.js';
import { checkPassword, PASSWORD_PROBLEM_MESSAGES } from '../passwords/password-policy.js';
import { hashPassword } from '../passwords/password-hasher.js';
import { hashApiTokenSecret } from '../tokens/api-token-secret.js';
import { ApiTokensRepository } from '../tokens/api-tokens.repository.js';
import { FIRST_ADMIN_USERNAME, InitialPasswordFile } from './initial-password-file.js';

export { FIRST_ADMIN_USERNAME };

export const DEMO_INSTITUTION = 'Demo Ministry of Digital Affairs';
/** Advisory lock key so that two nodes starting on a fresh database do not both seed it. */
const FIRST_START_LOCK = 0x706b7a73;

export type FirstStartResult =
  | { firstStart: false }
  | {
      firstStart: true;
      adminUsername: string;
      adminPassword: string | null;
      passwordFile: string | null;
      bootstrapToken: boolean;
      demoInstitution: boolean;
    };

/**
 * Runs once, when the data store has no operator yet: creates the first NOC administrator, the demo
 * institution (embedded default) and, if PAKAWAAZ_BOOTSTRAP_TOKEN is set, a super-admin API token.
 */
@Injectable()
export class FirstStartService {
  constructor(
    @Inject(DATABASE) private readonly database: DatabaseHandle,
    @Inject(IDENTITY_CONFIG) private readonly config: IdentityConfig,
    private readonly users: UsersRepository,
    private readonly apiTokens: ApiTokensRepository,
    private readonly audit: AuditService,
    private readonly passwordFile: InitialPasswordFile,
  ) {}

  async run(): Promise<FirstStartResult> {
    if ((await this.users.count(undefined, 'operator')) > 0) {
      // Changed on another node, or before this version removed it at the change: the file goes now.
      const admin = await this.users.findByUsername(FIRST_ADMIN_USERNAME);
      if (admin) await this.passwordFile.retireIfStale(admin);
      return { firstStart: false };
    }
    const generated = this.config.adminPassword === undefined;
    const problem =
      this.config.adminPassword === undefined
        ? null
        : checkPassword(this.config.adminPassword, { username: FIRST_ADMIN_USERNAME });
    if (problem)
      throw new Error(`PAKAWAAZ_ADMIN_PASSWORD is not acceptable: ${PASSWORD_PROBLEM_MESSAGES[problem]}`);
    const password = this.config.adminPassword ?? randomBytes(15).toString('base64url');
    const passwordHash = await hashPassword(password);
    // Written before seeding: if the folder is not writable we fail before an admin exists whose password nobody knows.
    const passwordFile = generated ? await this.passwordFile.write(password) : null;
    const seeded = await this.database.withExclusiveLock(FIRST_START_LOCK, () =>
      this.database.db.transaction(async (tx) => {
        if ((await this.users.count(tx, 'operator')) > 0) return false;
        await this.seedAdmin(tx, passwordHash, generated);
        if (this.config.seedDemo) await this.seedDemoInstitution(tx);
        if (this.config.bootstrapToken) await this.seedBootstrapToken(tx, this.config.bootstrapToken);
        return true;
      }),
    );
    if (!seeded) {
      // Another node seeded first: our password was never used.
      if (passwordFile && (await this.passwordFile.read()) === password)
        await rm(passwordFile, { force: true });
      return { firstStart: false };
    }
    return {
      firstStart: true,
      adminUsername: FIRST_ADMIN_USERNAME,
      adminPassword: generated ? password : null,
      passwordFile,
      bootstrapToken: this.config.bootstrapToken !== undefined,
      demoInstitution: this.config.seedDemo,
    };
  }

  /**
   * The demo institution's id, for the other domains' demo seeds (the composition root hands it to them);
   * null without demo data, or once an operator renamed or removed it.
   */
  async demoInstitutionId(): Promise<string | null> {
    if (!this.config.seedDemo) return null;
    const [row] = await this.database.db
      .select({ id: institutions.id })
      .from(institutions)
      .where(eq(institutions.name, DEMO_INSTITUTION));
    return row?.id ?? null;
  }

  /** A generated password must be changed at the first sign-in; one the installer chose need not. */
  private async seedAdmin(tx: Db, passwordHash: string, generated: boolean): Promise<void> {
    const id = randomUUID();
    await this.users.insert(
      {
        id,
        kind: 'operator',
        username: FIRST_ADMIN_USERNAME,
        displayName: 'NOC Administrator',
        passwordHash,
        passwordChangedAt: new Date(),
        mustChangePassword: generated,
        roles: ['super-admin'],
      },
      tx,
    );
    await this.audit.record(
      {
        actor: SYSTEM_ACTOR,
        action: 'identity.operator.created',
        target: `operator:${FIRST_ADMIN_USERNAME}`,
        details: { roles: ['super-admin'], reason: 'first start' },
      },
      tx,
    );
  }

  private async seedDemoInstitution(tx: Db): Promise<void> {
    const id = randomUUID();
    await tx.insert(institutions).values({ id, name: DEMO_INSTITUTION });
    await this.audit.record(
      {
        actor: SYSTEM_ACTOR,
        action: 'identity.institution.created',
        target: `institution:${id}`,
        details: { name: DEMO_INSTITUTION, demo: true },
      },
      tx,
    );
  }

  private async seedBootstrapToken(tx: Db, secret: string): Promise<void> {
    const id = randomUUID();
    await this.apiTokens.insert(
      {
        id,
        name: 'bootstrap',
        secretHash: hashApiTokenSecret(secret),
        roles: ['super-admin'],
        createdBy: 'system:first-start',
      },
      tx,
    );
    await this.audit.record(
      {
        actor: SYSTEM_ACTOR,
        action: 'identity.api-token.bootstrap-created',
        target: `api-token:${id}`,
        details: { roles: ['super-admin'], source: 'PAKAWAAZ_BOOTSTRAP_TOKEN' },
      },
      tx,
    );
  }
}
