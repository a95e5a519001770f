import { Client } from 'ldapts';
import { AppError } from '@pakawaaz/platform';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DirectorySyncService } from '../../src/directory-sync/directory-sync.service.js';
import { InstitutionsService } from '../../src/directory/institutions.service.js';
import { UserImportService } from '../../src/onboarding/user-import.service.js';
import { UsersService } from '../../src/users/users.service.js';
import {
  createIdentityFixture,
  principal,
  query,
  resetIdentityData,
  type IdentityFixture,
} from '../support/identity-fixture.js';
import { personLdif, startSlapd, type Slapd } from '../support/slapd.js';

/*
 * Directory sync against a real OpenLDAP (slapd, mdb) holding 10,000 people: a dry run that changes nothing,
 * the run that onboards them with per-entry errors, and a second run after the directory changed — one
 * updated, two gone and disabled (never deleted: their rows and audit history stay).
 */

const N = 10_000;
let fx: IdentityFixture;
let ldap: Slapd;
let syncs: DirectorySyncService;
const officer = { principal: principal(['security-officer']), requestId: null };
const root = { principal: principal(['super-admin']), requestId: null };

function people(suffix: string): string {
  let ldif = '';
  for (let i = 0; i < N; i++)
    ldif += personLdif(suffix, {
      uid: `ldap${i}`,
      cn: `Directory Official ${i}`,
      title: `Assistant Director ${i % 30}`,
      ou: i % 5 === 0 ? 'Directorate of Passports' : 'Ministry of Interior',
      mail: `ldap${i}@gov.example`,
      phone: `+92 51 ${2000000 + i}`,
    });
  ldif += personLdif(suffix, {
    uid: 'nomail',
    cn: 'Bad Mail',
    ou: 'Ministry of Interior',
    mail: 'not-an-address',
  });
  ldif += personLdif(suffix, { uid: 'lost', cn: 'Lost Official', ou: 'Ministry of Nowhere' });
  return ldif;
}

beforeAll(async () => {
  const t = performance.now();
  ldap = await startSlapd(people('dc=gov,dc=example'));
  console.log(`slapd with ${N} entries (slapadd + start): ${(performance.now() - t).toFixed(0)} ms`);
  fx = await createIdentityFixture();
  syncs = fx.get(DirectorySyncService);
}, 120_000);
afterAll(async () => {
  await fx?.close();
  await ldap?.close();
});
beforeEach(async () => resetIdentityData(fx.handle));

async function finished(jobId: string) {
  await syncs.settled(jobId);
  return fx.get(UserImportService).job(jobId, officer);
}

async function setUp(bindPassword = ldap.syncPassword, filter = '(objectClass=inetOrgPerson)') {
  const inst = fx.get(InstitutionsService);
  const interior = await inst.create({ name: 'Ministry of Interior' }, root);
  await inst.create({ name: 'Directorate of Passports', parentId: interior.id }, root);
  return syncs.create(
    {
      name: 'interior-ad',
      url: ldap.url,
      startTls: false,
      allowPlaintext: true,
      bindDn: ldap.syncDn,
      bindPassword,
      baseDn: `ou=People,${ldap.suffix}`,
      filter,
      mapping: {
        username: 'uid',
        displayName: 'cn',
        designation: 'title',
        institution: 'ou',
        email: 'mail',
        phone: 'telephoneNumber',
      },
      intervalMinutes: null,
    },
    officer,
  );
}

const officials = async (status: string) =>
  (
    await query<{ n: number }>(
      fx.handle,
      `select count(*)::int n from identity.users where status = '${status}'`,
    )
  )[0]!.n;

describe('directory sync from OpenLDAP', () => {
  it('dry-runs, onboards 10,000 people with per-entry errors, then follows the directory’s changes', async () => {
    const sync = await setUp();
    expect(JSON.stringify(sync)).not.toContain(ldap.syncPassword);
    const [sealed] = await query<{ s: string }>(
      fx.handle,
      'select bind_password_sealed s from identity.directory_syncs',
    );
    expect(sealed!.s).toMatch(/^s1\./);

    const t0 = performance.now();
    const dry = await finished((await syncs.run('interior-ad', true, officer)).id);
    const dryMs = performance.now() - t0;
    expect(dry).toMatchObject({
      status: 'completed',
      dryRun: true,
      totalRows: N + 2,
      created: N,
      invalid: 2,
      disabled: 0,
    });
    expect(await officials('active')).toBe(0);

    const t1 = performance.now();
    const run = await finished((await syncs.run(sync.id, false, officer)).id);
    const runMs = performance.now() - t1;
    console.log(`directory sync of ${N} entries: dry run ${dryMs.toFixed(0)} ms, run ${runMs.toFixed(0)} ms`);
    expect(runMs).toBeLessThan(120_000);
    expect(run).toMatchObject({ status: 'completed', created: N, updated: 0, invalid: 2, disabled: 0 });
    expect(run.errors.map((e) => e.reason).sort()).toEqual([
      `uid=lost,ou=People,${ldap.suffix}: no institution "Ministry of Nowhere"`,
      `uid=nomail,ou=People,${ldap.suffix}: email is not an address`,
    ]);
    expect(await officials('active')).toBe(N);
    const codes = (await fx.get(UserImportService).codes(run.id, officer)).trimEnd().split('\n');
    expect(codes).toHaveLength(N + 1);

    // The directory changes: one title, two people gone.
    const admin = new Client({ url: ldap.url });
    await admin.bind(ldap.rootDn, ldap.rootPassword);
    const { Change, Attribute } = await import('ldapts');
    await admin.modify(`uid=ldap7,ou=People,${ldap.suffix}`, [
      new Change({
        operation: 'replace',
        modification: new Attribute({ type: 'title', values: ['Director General'] }),
      }),
    ]);
    await admin.del(`uid=ldap8,ou=People,${ldap.suffix}`);
    await admin.del(`uid=ldap9,ou=People,${ldap.suffix}`);
    await admin.unbind();

    const preview = await finished((await syncs.run(sync.id, true, officer)).id);
    expect(preview).toMatchObject({ created: 0, updated: 1, unchanged: N - 3, disabled: 2 });
    expect(await officials('disabled')).toBe(0);

    const again = await finished((await syncs.run(sync.id, false, officer)).id);
    expect(again).toMatchObject({
      status: 'completed',
      created: 0,
      updated: 1,
      unchanged: N - 3,
      disabled: 2,
    });
    const gone = await query<{ username: string; status: string; status_reason: string }>(
      fx.handle,
      "select username, status, status_reason from identity.users where username in ('ldap8', 'ldap9') order by username",
    );
    expect(gone).toEqual([
      { username: 'ldap8', status: 'disabled', status_reason: 'left the directory (interior-ad)' },
      { username: 'ldap9', status: 'disabled', status_reason: 'left the directory (interior-ad)' },
    ]);
    const [title] = await query<{ designation: string }>(
      fx.handle,
      "select designation from identity.users where username = 'ldap7'",
    );
    expect(title!.designation).toBe('Director General');
    const [audit] = await query<{ n: number }>(
      fx.handle,
      "select count(*)::int n from platform.audit_log where action = 'identity.directory-sync.disabled'",
    );
    expect(audit!.n).toBe(1);
  }, 600_000);

  it('fails a run whose bind is refused, saying so without the password, and changes nothing', async () => {
    await setUp('wrong-password');
    const job = await finished((await syncs.run('interior-ad', false, officer)).id);
    expect(job.status).toBe('failed');
    expect(job.failure).toMatch(/could not be read \(InvalidCredentialsError/);
    expect(job.failure).not.toContain('wrong-password');
    expect(await officials('active')).toBe(0);
  });

  it('never takes over an existing official of another ministry named by the directory', async () => {
    // The directory's administrator adds an entry with a Finance official's username and Interior's name.
    const finance = await fx.get(InstitutionsService).create({ name: 'Ministry of Finance' }, root);
    const victim = await fx.get(UsersService).create(
      {
        kind: 'official',
        username: 'fatima',
        displayName: 'Fatima Ali',
        password: 'a long enough passphrase 93!',
        designation: 'Joint Secretary',
        institutionId: finance.id,
      },
      root,
    );
    const admin = new Client({ url: ldap.url });
    await admin.bind(ldap.rootDn, ldap.rootPassword);
    const dn = `uid=fatima,ou=People,${ldap.suffix}`;
    await admin.add(dn, {
      objectClass: 'inetOrgPerson',
      uid: 'fatima',
      cn: 'Fatima Ali',
      sn: 'Ali',
      title: 'Clerk',
      ou: 'Ministry of Interior',
    });
    try {
      await setUp(ldap.syncPassword, '(|(uid=fatima)(uid=ldap1))');
      const run = await finished((await syncs.run('interior-ad', false, officer)).id);
      expect(run).toMatchObject({ status: 'completed', created: 1, updated: 0, invalid: 1 });
      expect(run.errors.map((e) => e.reason)).toEqual([
        `${dn}: exists and is not managed by this directory sync; link it explicitly`,
      ]);
      const state = () =>
        query<{ institution_id: string; designation: string; status: string; links: number }>(
          fx.handle,
          `select institution_id, designation, status,
             (select count(*)::int from identity.directory_links l where l.user_id = u.id) links
           from identity.users u where id = '${victim.id}'`,
        );
      const untouched = [
        { institution_id: finance.id, designation: 'Joint Secretary', status: 'active', links: 0 },
      ];
      expect(await state()).toEqual(untouched);

      // The entry is deleted: a later run disables nobody it does not manage.
      await admin.del(dn);
      const again = await finished((await syncs.run('interior-ad', false, officer)).id);
      expect(again).toMatchObject({ status: 'completed', unchanged: 1, invalid: 0, disabled: 0 });
      expect(await state()).toEqual(untouched);
    } finally {
      await admin.del(dn).catch(() => undefined);
      await admin.unbind();
    }
  });

  it('is a national security officer’s', async () => {
    const viewer = { principal: principal(['viewer']), requestId: null };
    await expect(syncs.list(viewer)).rejects.toBeInstanceOf(AppError);
  });
});
