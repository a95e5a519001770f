import { randomUUID } from 'node:crypto';
import { AppError, NATIONAL_SCOPE, personKey, type Principal } from '@pakawaaz/platform';
import { InstitutionsService } from '../../src/directory/institutions.service.js';
import { ApiTokensRepository } from '../../src/tokens/api-tokens.repository.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hashApiTokenSecret, newApiTokenSecret } from '../../src/tokens/api-token-secret.js';
import { UsersService } from '../../src/users/users.service.js';
import {
  createIdentityFixture,
  query,
  resetIdentityData,
  type IdentityFixture,
} from '../support/identity-fixture.js';

let fx: IdentityFixture;

const ROOT: Principal = {
  actor: { type: 'operator', id: randomUUID() },
  name: 'root',
  roles: ['super-admin'],
  institutionId: null,
  scope: NATIONAL_SCOPE,
  amr: ['pwd'],
  acr: 'aal1',
  tokenId: 'jti-root',
};
/** An actor the audit log refuses (empty id): whatever it does must leave no trace. */
const UNAUDITABLE: Principal = { ...ROOT, actor: { type: 'operator', id: '' } };

beforeAll(async () => {
  fx = await createIdentityFixture();
});

afterAll(async () => {
  await fx?.close();
});

beforeEach(async () => {
  await resetIdentityData(fx.handle);
  // Tokens answer to their creator's current rights: ROOT is a real, active super-admin.
  await fx.addUser({ id: ROOT.actor.id, username: 'root', roles: ['super-admin'] });
});

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

type AuditRow = {
  action: string;
  actor_id: string;
  target: string;
  request_id: string | null;
  details: Record<string, unknown>;
  xmin: string;
};
const auditRows = () =>
  query<AuditRow>(
    fx.handle,
    'select action, actor_id, target, request_id, details, xmin::text as xmin from platform.audit_log order by seq',
  );
const tokenXmin = async (id: string) =>
  (
    await query<{ xmin: string }>(
      fx.handle,
      `select xmin::text as xmin from identity.api_tokens where id = '${id}'`,
    )
  )[0]?.xmin;

describe('TokenService API tokens', () => {
  it('returns the secret once at creation and stores only its hash', async () => {
    const created = await fx.tokens.createApiToken(
      { name: 'ci', roles: ['sim-operator'], expiresInDays: 30 },
      ROOT,
      'req-1',
    );

    expect(created.token).toMatch(/^pkz_[A-Za-z0-9_-]{43}$/);
    expect(created).toMatchObject({
      name: 'ci',
      roles: ['sim-operator'],
      institutionId: null,
      createdBy: `operator:${ROOT.actor.id}`,
      revokedAt: null,
    });
    expect('secretHash' in created).toBe(false);
    const days = ((created.expiresAt?.getTime() ?? 0) - created.createdAt.getTime()) / 86_400_000;
    expect(days).toBe(30);

    const rows = await query<Record<string, unknown>>(fx.handle, 'select * from identity.api_tokens');
    expect(rows).toHaveLength(1);
    expect(rows[0]?.secret_hash).toBe(hashApiTokenSecret(created.token));
    expect(JSON.stringify(rows)).not.toContain(created.token);
    expect(JSON.stringify(await auditRows())).not.toContain(created.token);
  });

  it('never lists the secret or its hash', async () => {
    const a = await fx.tokens.createApiToken({ name: 'a', roles: ['viewer'] }, ROOT, null);
    const b = await fx.tokens.createApiToken({ name: 'b', roles: ['billing'] }, ROOT, null);
    const list = await fx.tokens.listApiTokens();

    expect(list.map((t) => t.name).sort()).toEqual(['a', 'b']);
    for (const t of list) expect(Object.keys(t)).not.toContain('secretHash');
    const json = JSON.stringify(list);
    for (const secret of [a.token, b.token]) {
      expect(json).not.toContain(secret);
      expect(json).not.toContain(hashApiTokenSecret(secret));
    }
  });

  it('verifies a token as an api-token principal with its roles, institution and scope, and records its use', async () => {
    const inst = (
      await fx
        .get(InstitutionsService)
        .create({ name: 'Ministry of Interior' }, { principal: ROOT, requestId: null })
    ).id;
    const created = await fx.tokens.createApiToken(
      { name: 'provisioning', roles: ['billing', 'viewer'], institutionId: inst },
      ROOT,
      null,
    );

    const principal = await fx.tokens.verify(created.token);
    expect(principal).toEqual({
      actor: { type: 'api-token', id: created.id },
      // The person whose rights bound the token (its creator's owner): rules that count people count them.
      onBehalfOf: { type: 'operator', id: expect.stringMatching(/^[0-9a-f-]{36}$/) },
      name: 'provisioning',
      roles: ['billing', 'viewer'],
      institutionId: inst,
      scope: { kind: 'institution', institutionIds: [inst] },
      amr: [],
      acr: null,
      tokenId: created.id,
    });
    expect((await fx.tokens.listApiTokens())[0]?.lastUsedAt).toBeInstanceOf(Date);
  });

  it('rejects unknown, mangled and out-of-range tokens without throwing', async () => {
    const created = await fx.tokens.createApiToken({ name: 'x', roles: ['viewer'] }, ROOT, null);
    const mangled = created.token.slice(0, -1) + (created.token.endsWith('A') ? 'B' : 'A');
    for (const t of [
      newApiTokenSecret(),
      mangled,
      'pkz_short',
      'p'.repeat(300),
      'not.a.jwt',
      'eyJ.eyJ.sig',
      '',
    ]) {
      expect(await fx.tokens.verify(t)).toBeNull();
    }
  });

  it('stops accepting a token the moment it is revoked', async () => {
    const created = await fx.tokens.createApiToken({ name: 'ci', roles: ['viewer'] }, ROOT, null);
    const other = await fx.tokens.createApiToken({ name: 'other', roles: ['viewer'] }, ROOT, null);
    expect(await fx.tokens.verify(created.token)).not.toBeNull();

    await fx.tokens.revokeApiToken(created.id, ROOT, 'req-revoke');

    expect(await fx.tokens.verify(created.token)).toBeNull();
    expect(await fx.tokens.verify(other.token)).not.toBeNull();
    const listed = (await fx.tokens.listApiTokens()).find((t) => t.id === created.id);
    expect(listed?.revokedAt).toBeInstanceOf(Date);
  });

  it('rejects an expired token', async () => {
    const secret = newApiTokenSecret();
    const id = randomUUID();
    await fx.get(ApiTokensRepository).insert({
      id,
      name: 'old',
      secretHash: hashApiTokenSecret(secret),
      roles: ['viewer'],
      createdBy: 'test',
      expiresAt: new Date(Date.now() - 1000),
    });
    const fresh = newApiTokenSecret();
    await fx.get(ApiTokensRepository).insert({
      id: randomUUID(),
      name: 'fresh',
      secretHash: hashApiTokenSecret(fresh),
      roles: ['viewer'],
      createdBy: 'test',
      expiresAt: new Date(Date.now() + 60_000),
    });

    expect(await fx.tokens.verify(secret)).toBeNull();
    expect(await fx.tokens.verify(fresh)).not.toBeNull();
  });

  it('answers token_not_found (404) when revoking twice or revoking an unknown id', async () => {
    const created = await fx.tokens.createApiToken({ name: 'ci', roles: ['viewer'] }, ROOT, null);
    await fx.tokens.revokeApiToken(created.id, ROOT, null);
    const firstRevokedAt = (await fx.tokens.listApiTokens())[0]?.revokedAt;

    for (const id of [created.id, randomUUID()]) {
      const err = await rejection(fx.tokens.revokeApiToken(id, ROOT, null));
      expect(err).toBeInstanceOf(AppError);
      expect(err).toMatchObject({ code: 'token_not_found', status: 404 });
    }
    // The second attempt did not move the revocation time.
    expect((await fx.tokens.listApiTokens())[0]?.revokedAt).toEqual(firstRevokedAt);
    expect((await auditRows()).filter((r) => r.action === 'identity.api-token.revoked')).toHaveLength(1);
  });

  it('audits creation and revocation in the same transaction as the change', async () => {
    const created = await fx.tokens.createApiToken(
      { name: 'ci', roles: ['viewer'], expiresInDays: 1 },
      ROOT,
      'req-create',
    );
    const createdXmin = await tokenXmin(created.id);
    await fx.tokens.revokeApiToken(created.id, ROOT, 'req-revoke');
    const revokedXmin = await tokenXmin(created.id);

    const rows = await auditRows();
    expect(rows.map((r) => r.action)).toEqual(['identity.api-token.created', 'identity.api-token.revoked']);
    expect(rows[0]).toMatchObject({
      actor_id: ROOT.actor.id,
      target: `api-token:${created.id}`,
      request_id: 'req-create',
      details: { name: 'ci', roles: ['viewer'], expiresAt: created.expiresAt?.toISOString() },
    });
    expect(rows[1]).toMatchObject({
      actor_id: ROOT.actor.id,
      target: `api-token:${created.id}`,
      request_id: 'req-revoke',
    });
    // xmin is the id of the transaction that wrote the row: the token and its audit entry share it.
    expect(rows[0]?.xmin).toBe(createdXmin);
    expect(rows[1]?.xmin).toBe(revokedXmin);
    expect(createdXmin).not.toBe(revokedXmin);
    expect(await fx.audit.verify()).toMatchObject({ ok: true, entries: 2 });
  });

  it('creates no token when its audit entry cannot be written', async () => {
    const err = await rejection(
      fx.tokens.createApiToken({ name: 'ghost', roles: ['viewer'] }, UNAUDITABLE, null),
    );
    expect((err as Error).message).toMatch(/audit actor id/);
    expect(await fx.tokens.listApiTokens()).toEqual([]);
  });

  it('keeps a token active when the audit entry of its revocation cannot be written', async () => {
    const created = await fx.tokens.createApiToken({ name: 'ci', roles: ['viewer'] }, ROOT, null);
    const err = await rejection(fx.tokens.revokeApiToken(created.id, UNAUDITABLE, null));
    expect((err as Error).message).toMatch(/audit actor id/);
    expect(await fx.tokens.verify(created.token)).not.toBeNull();
    expect((await fx.tokens.listApiTokens())[0]?.revokedAt).toBeNull();
  });
});

describe('API tokens answer to their creator’s current rights', () => {
  const officer = { principal: { ...ROOT, roles: ['super-admin' as const] }, requestId: 'req-admin' };
  const creator = async (roles: string[]) => {
    const user = await fx.addUser({ username: `ops-${randomUUID().slice(0, 8)}`, roles });
    const p: Principal = {
      ...ROOT,
      actor: { type: 'operator', id: user.id },
      name: user.username,
      roles: [],
    };
    return { user, p };
  };

  it('stops working the moment its creator is disabled, and works again when re-enabled', async () => {
    const { user, p } = await creator(['super-admin']);
    const token = await fx.tokens.createApiToken({ name: 'ci', roles: ['sim-operator'] }, p, null);
    expect((await fx.tokens.verify(token.token))?.roles).toEqual(['sim-operator']);
    const users = fx.get(UsersService);
    await users.setStatus(user.id, 'disabled', 'left', officer);
    expect(await fx.tokens.verify(token.token)).toBeNull();
    await users.setStatus(user.id, 'active', 'back', officer);
    expect((await fx.tokens.verify(token.token))?.roles).toEqual(['sim-operator']);
  });

  it('carries only the roles its creator still holds (token roles ∩ creator roles)', async () => {
    const { user, p } = await creator(['sim-operator', 'viewer']);
    const token = await fx.tokens.createApiToken({ name: 'ci', roles: ['sim-operator', 'viewer'] }, p, null);
    expect((await fx.tokens.verify(token.token))?.roles).toEqual(['sim-operator', 'viewer']);
    await fx.get(UsersService).update(user.id, { roles: ['viewer'] }, officer);
    expect((await fx.tokens.verify(token.token))?.roles).toEqual(['viewer']);
    await fx.get(UsersService).update(user.id, { roles: ['billing'] }, officer);
    // No role left in common: the token is refused rather than admitted with none.
    expect(await fx.tokens.verify(token.token)).toBeNull();
  });

  it('a token made by a token answers to the same person, and dies with its parent', async () => {
    const { user, p } = await creator(['super-admin']);
    const parent = await fx.tokens.createApiToken({ name: 'provisioner', roles: ['super-admin'] }, p, null);
    const asParent = (await fx.tokens.verify(parent.token))!;
    const child = await fx.tokens.createApiToken({ name: 'child', roles: ['viewer'] }, asParent, null);
    expect((await fx.tokens.listApiTokens()).find((t) => t.id === child.id)?.owner).toBe(user.username);
    expect((await fx.tokens.verify(child.token))?.roles).toEqual(['viewer']);
    await fx.tokens.revokeApiToken(parent.id, p, null);
    expect(await fx.tokens.verify(child.token)).toBeNull();
  });

  it('refuses a token whose creator no longer exists', async () => {
    const { user, p } = await creator(['super-admin']);
    const token = await fx.tokens.createApiToken({ name: 'ci', roles: ['viewer'] }, p, null);
    await query(fx.handle, `delete from identity.users where id = '${user.id}'`);
    expect(await fx.tokens.verify(token.token)).toBeNull();
  });

  it('the bootstrap token has no human creator and keeps its documented rights', async () => {
    const secret = `bootstrap-${'x'.repeat(40)}`;
    await resetIdentityData(fx.handle); // a first start: nobody exists yet
    await fx.firstStart({ bootstrapToken: secret, adminPassword: 'harbour-lantern-violet-9' }).run();
    expect((await fx.tokens.verify(secret))?.roles).toEqual(['super-admin']);
    expect((await fx.tokens.listApiTokens()).find((t) => t.name === 'bootstrap')?.owner).toBeNull();
    // Its descendants have no owner either: the bootstrap token is the person behind each of them, so two
    // of them are one person to the rules that count people (two approvers, not the uploader).
    const boot = (await fx.tokens.verify(secret))!;
    expect(personKey(boot)).toBe(`api-token:${boot.actor.id}`);
    const made = async (name: string) =>
      (await fx.tokens.verify(
        (await fx.tokens.createApiToken({ name, roles: ['viewer'] }, boot, null)).token,
      ))!;
    const [a, b] = [await made('child-a'), await made('child-b')];
    expect(a.actor.id).not.toBe(b.actor.id);
    expect([personKey(a), personKey(b)]).toEqual([personKey(boot), personKey(boot)]);
  });

  it('lists the owner by username and the last use, written at most once a minute', async () => {
    const { user, p } = await creator(['super-admin']);
    const token = await fx.tokens.createApiToken({ name: 'ci', roles: ['viewer'] }, p, null);
    expect((await fx.tokens.listApiTokens())[0]).toMatchObject({ owner: user.username, lastUsedAt: null });
    await fx.tokens.verify(token.token);
    const used = (await fx.tokens.listApiTokens())[0]?.lastUsedAt;
    expect(used).toBeInstanceOf(Date);
    const xmin = await tokenXmin(token.id);
    for (let i = 0; i < 5; i++) await fx.tokens.verify(token.token);
    expect(await tokenXmin(token.id)).toBe(xmin);
    expect((await fx.tokens.listApiTokens())[0]?.lastUsedAt).toEqual(used);
  });
});
