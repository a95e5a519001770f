import { randomUUID } from 'node:crypto';
import { scopeIds, type Principal } from '@pakawaaz/platform';
import { refusal } from '@pakawaaz/test-support';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DirectoryService } from '../../src/directory/directory.service.js';
import { InstitutionChanged } from '../../src/directory/institutions.events.js';
import { InstitutionsService } from '../../src/directory/institutions.service.js';
import { RolloutService } from '../../src/directory/rollout.service.js';
import { SessionsService } from '../../src/sessions/sessions.service.js';
import { hashApiTokenSecret, newApiTokenSecret } from '../../src/tokens/api-token-secret.js';
import { ApiTokensRepository } from '../../src/tokens/api-tokens.repository.js';
import { UserAdminService } from '../../src/users/user-admin.service.js';
import {
  createIdentityFixture,
  principal,
  resetIdentityData,
  type IdentityFixture,
} from '../support/identity-fixture.js';

/*
 * Institution scope as identity establishes and applies it: the verifier turns a token's institution into
 * the institution and its descendants (from a per-node cache of the tree), and the users, sessions,
 * institutions and directory services keep an institution's principals to those rows.
 */

let fx: IdentityFixture;
let institutions: InstitutionsService;
let users: UserAdminService;
const root = { principal: principal(['super-admin']), requestId: null };
const officer = { principal: principal(['security-officer']), requestId: null };
const PASSWORD = 'amber-orchard-violin-7';

beforeAll(async () => {
  fx = await createIdentityFixture();
  institutions = fx.get(InstitutionsService);
  users = fx.get(UserAdminService);
});
afterAll(async () => fx?.close());
beforeEach(async () => resetIdentityData(fx.handle));

async function world() {
  const interior = await institutions.create({ name: 'Ministry of Interior' }, root);
  const passports = await institutions.create(
    { name: 'Directorate of Passports', parentId: interior.id },
    root,
  );
  const finance = await institutions.create({ name: 'Ministry of Finance' }, root);
  const official = (username: string, institution: string) =>
    users.create(
      { kind: 'official', username, displayName: username, password: PASSWORD, institution },
      officer,
    );
  const ayesha = await official('ayesha', interior.id);
  const bilal = await official('bilal', passports.id);
  const sana = await official('sana', finance.id);
  const viewer = await users.create(
    {
      kind: 'operator',
      username: 'interior-noc',
      displayName: 'Interior NOC',
      password: PASSWORD,
      institution: interior.id,
      roles: ['viewer'],
    },
    root,
  );
  return { interior, passports, finance, ayesha, bilal, sana, viewer };
}

/** A real access token for the user, verified the way every request is. */
async function signedIn(userId: string): Promise<Principal> {
  const user = await fx.users.findById(userId);
  if (!user) throw new Error('no such user');
  const session = await fx.get(SessionsService).start(user, ['pwd', 'otp', 'mfa'], 'aal2', {});
  const verified = await fx.tokens.verify(session.accessToken);
  if (!verified) throw new Error('the token did not verify');
  return verified;
}

describe('the verifier computes the scope', () => {
  it('national for operators without an institution; own institution and descendants otherwise', async () => {
    const w = await world();
    const admin = await fx.addUser({ username: 'root', roles: ['super-admin'] });
    expect((await signedIn(admin.id)).scope).toEqual({ kind: 'national' });
    expect(scopeIds(await signedIn(w.viewer.id))).toEqual([w.interior.id, w.passports.id]);
    expect(scopeIds(await signedIn(w.bilal.id))).toEqual([w.passports.id]);
  });

  it('follows changes of the tree: here at once, from another node on its event', async () => {
    const w = await world();
    const token = (
      await fx.get(SessionsService).start((await fx.users.findById(w.viewer.id))!, ['pwd'], 'aal1', {})
    ).accessToken;
    const scopeNow = async () => scopeIds((await fx.tokens.verify(token))!);
    expect(await scopeNow()).toEqual([w.interior.id, w.passports.id]);
    const police = await institutions.create({ name: 'Police', parentId: w.interior.id }, root);
    expect(await scopeNow()).toEqual([w.interior.id, w.passports.id, police.id]);
    // Another node moves the passports directorate to Finance: the row changes, then its event arrives.
    await fx.handle.db.execute(
      `update identity.institutions set parent_id = '${w.finance.id}' where id = '${w.passports.id}'`,
    );
    await fx.bus.publish(InstitutionChanged.create({}));
    await expect.poll(scopeNow).toEqual([w.interior.id, police.id]);
  });

  it('never lets a principal of an institution exercise a national role, whatever its token row says', async () => {
    const w = await world();
    const secret = newApiTokenSecret();
    // A row as an older version could have written it (the API refuses this combination now).
    await fx.get(ApiTokensRepository).insert({
      id: randomUUID(),
      name: 'legacy',
      secretHash: hashApiTokenSecret(secret),
      roles: ['viewer', 'network-admin', 'super-admin'],
      institutionId: w.interior.id,
      createdBy: 'test',
    });
    const p = await fx.tokens.verify(secret);
    expect(p?.roles).toEqual(['viewer']);
    expect(p?.scope).toEqual({ kind: 'institution', institutionIds: [w.interior.id, w.passports.id] });
  });
});

describe('API tokens are placed like operators', () => {
  it('refuses a national role inside an institution (role_scope) and an institution that does not exist', async () => {
    const w = await world();
    const placed = await refusal(
      fx.tokens.createApiToken(
        { name: 'x', roles: ['viewer', 'sim-operator'], institutionId: w.interior.id },
        root.principal,
        null,
      ),
    );
    expect([placed.code, placed.status]).toEqual(['role_scope', 422]);
    expect(placed.message).toContain('sim-operator');
    const nowhere = await refusal(
      fx.tokens.createApiToken(
        { name: 'x', roles: ['viewer'], institutionId: randomUUID() },
        root.principal,
        null,
      ),
    );
    expect([nowhere.code, nowhere.status]).toEqual(['institution_not_found', 404]);
    expect(await fx.tokens.listApiTokens()).toEqual([]);
    const ok = await fx.tokens.createApiToken(
      { name: 'interior-billing', roles: ['billing'], institutionId: w.interior.id },
      root.principal,
      null,
    );
    expect(ok.institutionId).toBe(w.interior.id);
  });
});

describe('services keep an institution principal to its rows', () => {
  it('users: a ministry sees its departments, a department not its ministry, nobody another ministry', async () => {
    const w = await world();
    const ministry = await signedIn(w.viewer.id);
    const listed = await users.list({ limit: 50, offset: 0 }, ministry);
    expect(listed.users.map((u) => u.username).sort()).toEqual(['ayesha', 'bilal', 'interior-noc']);
    expect(listed.total).toBe(3);
    expect((await users.get(w.bilal.id, ministry)).username).toBe('bilal');
    expect((await refusal(users.get(w.sana.id, ministry))).code).toBe('user_not_found');
    // Filtering by another institution inside the scope finds nothing rather than leaking it.
    expect((await users.list({ limit: 50, offset: 0, institution: w.finance.id }, ministry)).users).toEqual(
      [],
    );
    const department = principal(['viewer'], { institutionId: w.passports.id });
    expect((await refusal(users.get(w.ayesha.id, department))).code).toBe('user_not_found');
  });

  it('sessions: an institution viewer lists its users’ sessions only; revoking another institution’s is refused', async () => {
    const w = await world();
    await signedIn(w.ayesha.id);
    await signedIn(w.bilal.id);
    const sanaSession = (await signedIn(w.sana.id)).sessionId!;
    const viewer = await signedIn(w.viewer.id);
    const sessions = fx.get(SessionsService);
    const listed = await sessions.list({ principal: viewer, requestId: null });
    expect(listed.map((s) => s.username).sort()).toEqual(['ayesha', 'bilal', 'interior-noc']);
    // A security officer of an institution does not exist (national role); the scope check still holds.
    const scopedOfficer = principal(['security-officer'], { institutionId: w.interior.id });
    const err = await refusal(sessions.revoke(sanaSession, { principal: scopedOfficer, requestId: null }));
    expect(err.code).toBe('session_not_found');
    expect(
      (await sessions.list({ principal: root.principal, requestId: null })).some((s) => s.id === sanaSession),
    ).toBe(true);
  });

  it('sessions: without the role, another user’s live session is as unknown as no session at all', async () => {
    const w = await world();
    const sanaSession = (await signedIn(w.sana.id)).sessionId!;
    const sessions = fx.get(SessionsService);
    for (const caller of [await signedIn(w.ayesha.id), await signedIn(w.viewer.id)]) {
      const ctx = { principal: caller, requestId: null };
      const live = await refusal(sessions.revoke(sanaSession, ctx));
      const unknown = await refusal(sessions.revoke(randomUUID(), ctx));
      expect([live.code, live.message]).toEqual([unknown.code, unknown.message]);
      expect(live.code).toBe('session_not_found');
    }
    expect((await sessions.list(root)).some((s) => s.id === sanaSession)).toBe(true);
  });

  it('institutions: its own, below it and what its directory may see; shaping the tree is national', async () => {
    const w = await world();
    const viewer = await signedIn(w.viewer.id);
    const ctx = { principal: viewer, requestId: null };
    expect((await institutions.list(ctx)).map((i) => i.name).sort()).toEqual([
      'Directorate of Passports',
      'Ministry of Interior',
    ]);
    expect((await refusal(institutions.get(w.finance.id, ctx))).code).toBe('institution_not_found');
    const scopedAdmin = principal(['super-admin'], { institutionId: w.interior.id });
    const err = await refusal(
      institutions.update(w.passports.id, { name: 'Renamed' }, { principal: scopedAdmin, requestId: null }),
    );
    expect(err.code).toBe('national_only');
  });

  it('institutions: beyond its scope a department sees only what names and places them (no users, grants, phase)', async () => {
    const w = await world();
    await institutions.update(w.interior.id, { visibleInstitutionIds: [w.finance.id] }, root);
    const operator = principal(['viewer'], { institutionId: w.passports.id });
    const ctx = { principal: operator, requestId: null };
    const byName = new Map((await institutions.list(ctx)).map((i) => [i.name, i]));
    expect([...byName.keys()].sort()).toEqual(['Directorate of Passports', 'Ministry of Interior']);
    expect(byName.get('Directorate of Passports')).toMatchObject({ users: 1, rolloutPhase: 'pilot' });
    const brief = { id: w.interior.id, name: 'Ministry of Interior', kind: 'ministry', parentId: null };
    expect(byName.get('Ministry of Interior')).toEqual(brief);
    expect(await institutions.get(w.interior.id, ctx)).toEqual(brief);
    // Scope `all`: every institution is named, none beyond the scope in full.
    await institutions.update(w.passports.id, { directoryScope: 'all' }, root);
    const all = await institutions.list(ctx);
    expect(all.map((i) => i.name).sort()).toEqual([
      'Directorate of Passports',
      'Ministry of Finance',
      'Ministry of Interior',
    ]);
    for (const i of all) expect('users' in i, i.name).toBe(i.id === w.passports.id);
    const plan = await fx.get(RolloutService).plan(ctx);
    expect(plan.institutions.map((i) => i.name)).toEqual(['Directorate of Passports']);
    expect(plan.phases.reduce((n, p) => n + p.institutions, 0)).toBe(1);
  });

  it('scope is for acting, the directory rule for looking people up: they differ where the directory is narrower', async () => {
    const w = await world();
    await institutions.update(w.interior.id, { directoryScope: 'own' }, root);
    const viewer = await signedIn(w.viewer.id);
    const ayesha = await signedIn(w.ayesha.id);
    const names = async (p: Principal) =>
      (await institutions.list({ principal: p, requestId: null })).map((i) => i.name).sort();
    // The operator acts on the directorate's users, so it lists the directorate; the official does not.
    expect(await names(viewer)).toEqual(['Directorate of Passports', 'Ministry of Interior']);
    expect(await names(ayesha)).toEqual(['Ministry of Interior']);
    // Neither looks up the directorate's officials: the ministry's directory is its own.
    const directory = fx.get(DirectoryService);
    for (const p of [viewer, ayesha])
      expect(
        (await directory.search({ q: 'a', limit: 25, offset: 0 }, p)).entries.map((e) => e.displayName),
      ).toEqual(['ayesha']);
  });

  it('directory: an institution operator looks up its hierarchy, not every official', async () => {
    const w = await world();
    const directory = fx.get(DirectoryService);
    const viewer = await signedIn(w.viewer.id);
    const found = await directory.search({ q: 'a', limit: 25, offset: 0 }, viewer);
    expect(found.entries.map((e) => e.displayName).sort()).toEqual(['ayesha', 'bilal']);
    const national = await directory.search({ q: 'a', limit: 25, offset: 0 }, root.principal);
    expect(national.entries.map((e) => e.displayName).sort()).toEqual(['ayesha', 'bilal', 'sana']);
  });
});
