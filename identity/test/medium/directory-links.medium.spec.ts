import { AppError } from '@pakawaaz/platform';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DirectoryLinksService } from '../../src/directory-sync/directory-links.service.js';
import { escapeFilterValue } from '../../src/directory-sync/ldap-mapping.js';
import { DirectorySyncRepository } from '../../src/directory-sync/directory-sync.repository.js';
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
import { personLdif, slapdAvailable, startSlapd, type Slapd } from '../support/slapd.js';

/*
 * A sync never adopts an official by username; a security officer links one explicitly. The link checks the
 * official against the sync (institution, other syncs, the directory itself: a real slapd) and from then on
 * the sync manages them: the next run updates them.
 */

const SUFFIX = 'dc=gov,dc=example';
let ldap: Slapd;
let fx: IdentityFixture;
let links: DirectoryLinksService;
const officer = { principal: principal(['security-officer']), requestId: null };
const root = { principal: principal(['super-admin']), requestId: null };
const PASSWORD = 'a long enough passphrase 93!';

beforeAll(async () => {
  ldap = await startSlapd(
    personLdif(SUFFIX, {
      uid: 'amna',
      cn: 'Amna Tariq',
      title: 'Director General',
      ou: 'Ministry of Interior',
    }),
    SUFFIX,
  );
  fx = await createIdentityFixture();
  links = fx.get(DirectoryLinksService);
}, 60_000);
afterAll(async () => {
  await fx?.close();
  await ldap?.close();
});

let interior: { id: string };
let finance: { id: string };
beforeEach(async () => {
  await resetIdentityData(fx.handle);
  const inst = fx.get(InstitutionsService);
  interior = await inst.create({ name: 'Ministry of Interior' }, root);
  finance = await inst.create({ name: 'Ministry of Finance' }, root);
  await fx.get(DirectorySyncService).create(
    {
      name: 'interior-ad',
      url: ldap.url,
      startTls: false,
      allowPlaintext: true,
      bindDn: ldap.syncDn,
      bindPassword: ldap.syncPassword,
      baseDn: `ou=People,${SUFFIX}`,
      filter: '(objectClass=inetOrgPerson)',
      mapping: { username: 'uid', displayName: 'cn', designation: 'title' },
      institution: 'Ministry of Interior',
      intervalMinutes: null,
    },
    officer,
  );
});

const official = (username: string, institutionId: string) =>
  fx
    .get(UsersService)
    .create({ kind: 'official', username, displayName: username, password: PASSWORD, institutionId }, root);

async function refusal(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return `${(err as AppError).code}: ${(err as AppError).message}`;
}

describe.skipIf(!slapdAvailable())('linking an existing official to a directory sync', () => {
  it('links by username, audits it, and the next run updates the official', async () => {
    const amna = await official('amna', interior.id);
    const before = await fx.get(DirectorySyncService).run('interior-ad', false, officer);
    await fx.get(DirectorySyncService).settled(before.id);
    expect((await fx.get(UserImportService).job(before.id, officer)).errors[0]?.reason).toMatch(
      /not managed by this directory sync; link it explicitly/,
    );

    expect(await links.link('interior-ad', 'AMNA', officer)).toEqual({
      sync: 'interior-ad',
      userId: amna.id,
      username: 'amna',
      dn: `uid=amna,ou=People,${SUFFIX}`,
    });
    const [audit] = await query<{ details: { dn: string } }>(
      fx.handle,
      "select details from platform.audit_log where action = 'identity.directory-sync.linked'",
    );
    expect(audit?.details.dn).toBe(`uid=amna,ou=People,${SUFFIX}`);

    const run = await fx.get(DirectorySyncService).run('interior-ad', false, officer);
    await fx.get(DirectorySyncService).settled(run.id);
    expect(await fx.get(UserImportService).job(run.id, officer)).toMatchObject({
      updated: 1,
      created: 0,
      invalid: 0,
    });
    const [row] = await query<{ display_name: string; designation: string }>(
      fx.handle,
      "select display_name, designation from identity.users where username = 'amna'",
    );
    expect(row).toEqual({ display_name: 'Amna Tariq', designation: 'Director General' });
  });

  it('refuses an official outside the sync’s institution, and an operator', async () => {
    await official('amna', finance.id);
    expect(await refusal(links.link('interior-ad', 'amna', officer))).toBe(
      'directory_sync_invalid: amna is not in Ministry of Interior, the institution of this sync, or its departments.',
    );
    await fx.get(UsersService).create(
      {
        kind: 'operator',
        username: 'noc.op',
        displayName: 'NOC op',
        password: PASSWORD,
        roles: ['viewer'],
      },
      root,
    );
    expect(await refusal(links.link('interior-ad', 'noc.op', officer))).toBe(
      'directory_sync_invalid: noc.op is an operator: a directory syncs officials.',
    );
  });

  it('refuses an official the directory does not have, and a user who does not exist', async () => {
    await official('nobody', interior.id);
    expect(await refusal(links.link('interior-ad', 'nobody', officer))).toMatch(
      /^directory_sync_invalid: No entry with uid=nobody under ou=People,dc=gov,dc=example/,
    );
    expect(await refusal(links.link('interior-ad', 'ghost', officer))).toBe(
      'user_not_found: No user "ghost".',
    );
  });

  it('links once: a second link is a conflict naming the sync, and one sync manages an official', async () => {
    const amna = await official('amna', interior.id);
    await links.link('interior-ad', 'amna', officer);
    expect(await refusal(links.link('interior-ad', 'amna', officer))).toBe(
      'directory_link_exists: amna is linked to interior-ad already.',
    );
    await fx.get(DirectorySyncService).create(
      {
        name: 'national-ad',
        url: ldap.url,
        startTls: false,
        allowPlaintext: true,
        bindDn: ldap.syncDn,
        bindPassword: ldap.syncPassword,
        baseDn: `ou=People,${SUFFIX}`,
        filter: '(objectClass=inetOrgPerson)',
        mapping: { username: 'uid', displayName: 'cn', institution: 'ou' },
        intervalMinutes: null,
      },
      officer,
    );
    expect(await refusal(links.link('national-ad', 'amna', officer))).toBe(
      'directory_link_exists: amna is managed by the directory sync interior-ad.',
    );
    // Two links racing past that check: the database keeps one (unique user), the other is refused.
    const repo = fx.get(DirectorySyncRepository);
    const national = (await repo.find('national-ad'))!;
    expect(await repo.db.transaction((tx) => repo.linkOne(tx, national.id, amna.id, 'uid=amna'))).toBe(false);
  });

  it('is a national security officer’s', async () => {
    await official('amna', interior.id);
    const viewer = { principal: principal(['viewer']), requestId: null };
    await expect(links.link('interior-ad', 'amna', viewer)).rejects.toBeInstanceOf(AppError);
  });
});

describe('RFC 4515 filter values', () => {
  it('escapes the five special characters as backslash and two hex digits', () => {
    // RFC 4515 §4 examples: (cn=*\2A*) for a literal "*", (o=Parens R Us \28for all your parenthetical needs\29),
    // (filename=C:\5cMyFile), (bin=\00\00\00\04).
    expect(escapeFilterValue('*')).toBe('\\2A');
    expect(escapeFilterValue('Parens R Us (for all your parenthetical needs)')).toBe(
      'Parens R Us \\28for all your parenthetical needs\\29',
    );
    // Hex digits may be either case (RFC 4515 §3 HEX); this one is lower-case in the RFC.
    expect(escapeFilterValue('C:\\MyFile').toLowerCase()).toBe('C:\\5cMyFile'.toLowerCase());
    expect(escapeFilterValue('a\0b')).toBe('a\\00b');
  });
});
