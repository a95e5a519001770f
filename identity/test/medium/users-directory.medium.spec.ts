import { refusal } from '@pakawaaz/test-support';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DirectoryService } from '../../src/directory/directory.service.js';
import { InstitutionsService } from '../../src/directory/institutions.service.js';
import { FactorResetService } from '../../src/users/factor-reset.service.js';
import { UserAdminService } from '../../src/users/user-admin.service.js';
import {
  createIdentityFixture,
  principal,
  query,
  resetIdentityData,
  type IdentityFixture,
} from '../support/identity-fixture.js';

let fx: IdentityFixture;
let users: UserAdminService;
let institutions: InstitutionsService;
let directory: DirectoryService;
const root = { principal: principal(['super-admin']), requestId: 'req-admin' };
const officer = { principal: principal(['security-officer']), requestId: 'req-officer' };
const PASSWORD = 'amber-orchard-violin-7';

beforeAll(async () => {
  fx = await createIdentityFixture({ config: { directoryRate: 5 } });
  users = fx.get(UserAdminService);
  institutions = fx.get(InstitutionsService);
  directory = fx.get(DirectoryService);
});
afterAll(async () => fx?.close());
beforeEach(async () => resetIdentityData(fx.handle));

async function world() {
  const interior = await institutions.create({ name: 'Ministry of Interior' }, root);
  const passports = await institutions.create(
    { name: 'Directorate of Passports', parentId: interior.id },
    root,
  );
  const finance = await institutions.create({ name: 'Ministry of Finance', directoryScope: 'own' }, root);
  const official = (username: string, displayName: string, institution: string, designation: string) =>
    users.create(
      { kind: 'official', username, displayName, password: PASSWORD, institution, designation },
      officer,
    );
  const ayesha = await official('ayesha', 'Ayesha Khan', 'Ministry of Interior', 'Deputy Secretary');
  const bilal = await official('bilal', 'Bilal Ahmed', passports.id, 'Director');
  const sana = await official('sana', 'Sana Mir', 'Ministry of Finance', 'Joint Secretary');
  return { interior, passports, finance, ayesha, bilal, sana };
}

describe('institutions', () => {
  it('a department hangs under a ministry; the hierarchy is checked', async () => {
    const { interior, passports } = await world();
    expect(await institutions.get(passports.id, root)).toMatchObject({
      kind: 'department',
      parentId: interior.id,
      rolloutPhase: 'pilot',
      users: 1,
    });
    expect((await refusal(institutions.create({ name: 'Sub', parentId: passports.id }, root))).code).toBe(
      'institution_invalid',
    );
    expect((await refusal(institutions.create({ name: 'Ministry of Interior' }, root))).code).toBe(
      'institution_exists',
    );
    expect((await refusal(institutions.create({ name: 'X' }, officer))).code).toBe('forbidden');
  });

  it('moves through the rollout phases and cannot be deleted while it has users', async () => {
    const { finance } = await world();
    expect(
      (await institutions.update(finance.id, { rolloutPhase: 'federal-ministries' }, root)).rolloutPhase,
    ).toBe('federal-ministries');
    expect((await refusal(institutions.remove(finance.id, root))).code).toBe('institution_in_use');
    const empty = await institutions.create({ name: 'Ministry of Tourism' }, root);
    await institutions.remove(empty.id, root);
    const actions = await query<{ action: string }>(
      fx.handle,
      "select action from platform.audit_log where action like 'identity.institution.%' order by seq",
    );
    expect(actions.map((a) => a.action)).toEqual([
      'identity.institution.created',
      'identity.institution.created',
      'identity.institution.created',
      'identity.institution.updated',
      // A phase move is its own entry with from and to, whichever route made it.
      'identity.institution.rollout-phase-changed',
      'identity.institution.created',
      'identity.institution.deleted',
    ]);
  });

  it('moves an institution by phase (super-admin only), refusing a stale move and auditing from/to', async () => {
    const { finance } = await world();
    expect((await refusal(institutions.setPhase(finance.id, 'nationwide', undefined, officer))).code).toBe(
      'forbidden',
    );
    const stale = await refusal(institutions.setPhase(finance.id, 'nationwide', 'federal-ministries', root));
    expect(stale.code).toBe('institution_phase_changed');
    expect(stale.message).toBe(
      'Ministry of Finance is in phase pilot now, not federal-ministries: look again before moving it.',
    );
    expect((await institutions.setPhase(finance.id, 'nationwide', 'pilot', root)).rolloutPhase).toBe(
      'nationwide',
    );
    // Moving to the phase it is in changes nothing and writes nothing.
    await institutions.setPhase(finance.id, 'nationwide', undefined, root);
    const moves = await query<{ target: string; details: { from: string; to: string; name: string } }>(
      fx.handle,
      "select target, details from platform.audit_log where action = 'identity.institution.rollout-phase-changed'",
    );
    expect(moves).toEqual([
      {
        target: `institution:${finance.id}`,
        details: { name: 'Ministry of Finance', from: 'pilot', to: 'nationwide' },
      },
    ]);
  });
});

describe('users', () => {
  it('creates officials (security officer) and operators (super-admin only), refusing weak passwords', async () => {
    await world();
    const op = await users.create(
      {
        kind: 'operator',
        username: 'Noc.Zara',
        displayName: 'Zara',
        password: PASSWORD,
        roles: ['network-admin'],
      },
      root,
    );
    expect(op).toMatchObject({
      username: 'noc.zara',
      kind: 'operator',
      roles: ['network-admin'],
      factors: { totp: 'none', passkeys: 0 },
    });
    expect('passwordHash' in op).toBe(false);
    expect(
      (
        await refusal(
          users.create({ kind: 'operator', username: 'x', displayName: 'X', password: PASSWORD }, officer),
        )
      ).code,
    ).toBe('forbidden');
    const weak = await refusal(
      users.create(
        {
          kind: 'official',
          username: 'omar',
          displayName: 'Omar',
          password: 'password1234',
          institution: 'Ministry of Interior',
        },
        officer,
      ),
    );
    expect(weak.code).toBe('weak_password');
    expect(weak.message).toContain('common');
    expect(
      (
        await refusal(
          users.create(
            {
              kind: 'official',
              username: 'ayesha',
              displayName: 'Again',
              password: PASSWORD,
              institution: 'Ministry of Interior',
            },
            officer,
          ),
        )
      ).code,
    ).toBe('user_exists');
    expect(
      (
        await refusal(
          users.create(
            { kind: 'official', username: 'nobody', displayName: 'N', password: PASSWORD },
            officer,
          ),
        )
      ).code,
    ).toBe('institution_not_found');
  });

  it('institution-scoped roles only inside an institution; scoped viewers see only their own', async () => {
    const { interior } = await world();
    const scoped = await refusal(
      users.create(
        {
          kind: 'operator',
          username: 'mx',
          displayName: 'M',
          password: PASSWORD,
          institution: interior.id,
          roles: ['network-admin'],
        },
        root,
      ),
    );
    expect(scoped.code).toBe('role_scope');
    await users.create(
      {
        kind: 'operator',
        username: 'it-interior',
        displayName: 'IT',
        password: PASSWORD,
        institution: interior.id,
        roles: ['billing'],
      },
      root,
    );
    const viewer = principal(['viewer'], { institutionId: interior.id });
    const page = await users.list({ limit: 50, offset: 0 }, viewer);
    expect(page.users.map((u) => u.username).sort()).toEqual(['ayesha', 'it-interior']);
    expect((await refusal(users.get('sana', viewer))).code).toBe('user_not_found');
  });

  it('a security officer cannot touch a super-admin; nobody disables themselves', async () => {
    await world();
    const boss = await users.create(
      { kind: 'operator', username: 'boss', displayName: 'Boss', password: PASSWORD, roles: ['super-admin'] },
      root,
    );
    expect((await refusal(users.setStatus(boss.id, 'disabled', null, officer))).code).toBe('forbidden');
    const self = {
      principal: principal(['super-admin'], { actor: { type: 'operator', id: boss.id } }),
      requestId: null,
    };
    expect((await refusal(users.setStatus(boss.id, 'disabled', null, self))).code).toBe('invalid_role');
  });

  it('changing roles ends the sessions that carry the old ones', async () => {
    const op = await users.create(
      { kind: 'operator', username: 'rita', displayName: 'Rita', password: PASSWORD, roles: ['viewer'] },
      root,
    );
    await users.update(op.id, { roles: ['viewer', 'billing'] }, root);
    expect(
      await query(fx.handle, "select action from platform.audit_log where action = 'identity.user.updated'"),
    ).toHaveLength(1);
  });
});

describe('directory', () => {
  it('an official sees their hierarchy; an own-scope institution sees only itself; search needs 2 characters', async () => {
    const { ayesha, sana, interior, finance } = await world();
    const asAyesha = principal([], {
      actor: { type: 'official', id: ayesha.id },
      institutionId: interior.id,
    });
    const asSana = principal([], { actor: { type: 'official', id: sana.id }, institutionId: finance.id });
    const found = await directory.search({ q: 'a', limit: 25, offset: 0 }, asAyesha);
    expect(found.entries.map((e) => e.displayName).sort()).toEqual(['Ayesha Khan', 'Bilal Ahmed']);
    expect(found.entries.find((e) => e.displayName === 'Bilal Ahmed')).toMatchObject({
      designation: 'Director',
      institution: 'Directorate of Passports',
    });
    expect((await directory.search({ q: 'ay', limit: 25, offset: 0 }, asSana)).entries).toEqual([]);
    expect(
      (await directory.search({ q: 'mir', limit: 25, offset: 0 }, asSana)).entries.map((e) => e.displayName),
    ).toEqual(['Sana Mir']);
    await institutions.update(finance.id, { visibleInstitutionIds: [interior.id] }, root);
    expect(
      (await directory.search({ q: 'ay', limit: 25, offset: 0 }, asSana)).entries.map((e) => e.displayName),
    ).toEqual(['Ayesha Khan']);
  });

  it('rate-limits each caller and refuses deep paging', async () => {
    const { ayesha, interior } = await world();
    const me = principal([], { actor: { type: 'official', id: ayesha.id }, institutionId: interior.id });
    expect((await refusal(directory.search({ q: 'aa', limit: 25, offset: 500 }, me))).code).toBe(
      'validation_failed',
    );
    // Budget 5 a minute: the refused deep page above counted as one.
    for (let i = 0; i < 4; i++) await directory.search({ q: 'aa', limit: 25, offset: 0 }, me);
    const limited = await refusal(directory.search({ q: 'aa', limit: 25, offset: 0 }, me));
    expect(limited.code).toBe('rate_limited');
    expect(limited.status).toBe(429);
  });
});

describe('user filters', () => {
  it('filters by institution and by a closed password step (under attack)', async () => {
    const { finance, sana } = await world();
    const inFinance = await users.list({ institution: finance.id, limit: 50, offset: 0 }, root.principal);
    expect(inFinance.users.map((u) => u.username)).toEqual(['sana']);
    await fx.users.update(sana.id, { passwordClosedAt: new Date(), failedLogins: 100 });
    expect(
      (await users.list({ passwordClosed: true, limit: 50, offset: 0 }, root.principal)).users.map(
        (u) => u.username,
      ),
    ).toEqual(['sana']);
    expect((await users.list({ passwordClosed: false, limit: 50, offset: 0 }, root.principal)).total).toBe(2);
  });

  it('an administrator may set a first password that must be changed at the first sign-in', async () => {
    await world();
    const u = await users.create(
      {
        kind: 'official',
        username: 'new.hire',
        displayName: 'New Hire',
        password: PASSWORD,
        institution: 'Ministry of Finance',
        mustChangePassword: true,
      },
      officer,
    );
    expect(u.mustChangePassword).toBe(true);
  });
});

describe('role boundaries', () => {
  it('removing roles is a super-admin’s, and so is any factor reset of a super-admin', async () => {
    const op = await users.create(
      {
        kind: 'operator',
        username: 'ops.one',
        displayName: 'Ops One',
        password: PASSWORD,
        roles: ['network-admin'],
      },
      root,
    );
    expect((await refusal(users.update(op.id, { roles: [] }, officer))).code).toBe('forbidden');
    const boss = await users.create(
      {
        kind: 'operator',
        username: 'boss2',
        displayName: 'Boss Two',
        password: PASSWORD,
        roles: ['super-admin'],
      },
      root,
    );
    const resets = fx.get(FactorResetService);
    const why = { reason: 'lost phone', password: true };
    expect((await refusal(resets.request(boss.id, why, officer))).code).toBe('forbidden');
    // An officer may ask for an operator's reset; a national role makes it a request for a second approver.
    expect((await resets.request(op.id, why, officer)).status).toBe('pending');
  });
});
