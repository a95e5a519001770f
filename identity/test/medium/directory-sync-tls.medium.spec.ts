import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CreateDirectorySync } from '../../src/directory-sync/directory-sync.dto.js';
import { DirectorySyncService } from '../../src/directory-sync/directory-sync.service.js';
import { InstitutionsService } from '../../src/directory/institutions.service.js';
import { UserImportService } from '../../src/onboarding/user-import.service.js';
import {
  createIdentityFixture,
  principal,
  resetIdentityData,
  type IdentityFixture,
} from '../support/identity-fixture.js';
import { personLdif, slapdAvailable, startSlapd, type Slapd } from '../support/slapd.js';
import { makeTestPki, type TestPki } from '../support/test-ca.js';

/*
 * The bind password must not cross the network in clear: a directory is read over ldaps:// or StartTLS
 * (RFC 4513), its certificate verified against the pinned CA and the URL's host — against a real slapd
 * with a certificate from a throw-away CA. Plain ldap:// needs an explicit allowPlaintext.
 */

const SUFFIX = 'dc=gov,dc=example';
let dir: string;
let pki: TestPki;
let ldap: Slapd;
let fx: IdentityFixture;
let syncs: DirectorySyncService;
const officer = { principal: principal(['security-officer']), requestId: null };
const root = { principal: principal(['super-admin']), requestId: null };

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'pakawaaz-ldap-tls-'));
  pki = makeTestPki(dir);
  ldap = await startSlapd(
    personLdif(SUFFIX, {
      uid: 'amna',
      cn: 'Amna Tariq',
      ou: 'Ministry of Interior',
      mail: 'amna@gov.example',
    }),
    SUFFIX,
    { certFile: pki.certFile, keyFile: pki.keyFile },
  );
  fx = await createIdentityFixture();
  syncs = fx.get(DirectorySyncService);
}, 60_000);
afterAll(async () => {
  await fx?.close();
  await ldap?.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  await resetIdentityData(fx.handle);
  await fx.get(InstitutionsService).create({ name: 'Ministry of Interior' }, root);
});

const input = (over: Partial<Parameters<DirectorySyncService['create']>[0]>) => ({
  name: 'interior-ad',
  url: ldap.url,
  startTls: false,
  allowPlaintext: false,
  bindDn: ldap.syncDn,
  bindPassword: ldap.syncPassword,
  baseDn: `ou=People,${SUFFIX}`,
  filter: '(objectClass=inetOrgPerson)',
  mapping: { username: 'uid', displayName: 'cn', institution: 'ou', email: 'mail' },
  ...over,
});

async function runOnce() {
  const job = await syncs.run('interior-ad', true, officer);
  await syncs.settled(job.id);
  return fx.get(UserImportService).job(job.id, officer);
}

describe.skipIf(!slapdAvailable())('directory sync over TLS (slapd)', () => {
  it('reads over StartTLS with the pinned CA', async () => {
    await syncs.create(input({ startTls: true, caCertificates: readFileSync(pki.caFile, 'utf8') }), officer);
    expect(await runOnce()).toMatchObject({ status: 'completed', created: 1, invalid: 0 });
  });

  it('reads over ldaps:// with the pinned CA', async () => {
    await syncs.create(
      input({ url: ldap.ldapsUrl!, caCertificates: readFileSync(pki.caFile, 'utf8') }),
      officer,
    );
    expect(await runOnce()).toMatchObject({ status: 'completed', created: 1 });
  });

  it('refuses a certificate its pin does not vouch for, before the bind, and says what to give', async () => {
    await syncs.create(
      input({ startTls: true, caCertificates: readFileSync(pki.otherCaFile, 'utf8') }),
      officer,
    );
    const job = await runOnce();
    expect(job.status).toBe('failed');
    expect(job.failure).toMatch(/CA is not trusted \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\).*--ca-file/);
    expect(job.failure).not.toContain(ldap.syncPassword);
  });

  it('without a pin, uses the system CAs, which do not know a private directory CA', async () => {
    await syncs.create(input({ url: ldap.ldapsUrl! }), officer);
    expect((await runOnce()).failure).toMatch(/not trusted/);
  });

  it('refuses a bundle that is not CA certificates, naming what is wrong', async () => {
    await expect(
      syncs.create(input({ startTls: true, caCertificates: readFileSync(pki.certFile, 'utf8') }), officer),
    ).rejects.toThrow(/certificate 1 \(CN=127\.0\.0\.1\) is not a CA/);
    await expect(
      syncs.create(
        input({
          startTls: true,
          caCertificates: readFileSync(pki.caFile, 'utf8') + readFileSync(pki.keyFile, 'utf8'),
        }),
        officer,
      ),
    ).rejects.toThrow(/text besides certificates/);
  });
});

describe('the API contract for a directory’s transport', () => {
  const body = {
    name: 'x',
    url: 'ldap://dc1.gov.example',
    bindDn: 'cn=sync',
    bindPassword: 's',
    baseDn: 'dc=gov',
    mapping: { username: 'uid', displayName: 'cn' },
    institution: 'Ministry of Interior',
  };
  const problems = (b: object) =>
    CreateDirectorySync.safeParse(b).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];

  it('refuses plain ldap:// unless StartTLS or an explicit allowPlaintext', () => {
    expect(problems(body)).toEqual([
      'url: ldap:// sends the bind password in clear: use ldaps://, set startTls, or set allowPlaintext to accept it',
    ]);
    expect(problems({ ...body, startTls: true })).toEqual([]);
    expect(problems({ ...body, allowPlaintext: true })).toEqual([]);
    expect(problems({ ...body, url: 'ldaps://dc1.gov.example:636' })).toEqual([]);
  });

  it('refuses StartTLS on ldaps:// and a CA pin on a plaintext connection', () => {
    expect(problems({ ...body, url: 'ldaps://dc1.gov.example', startTls: true })).toEqual([
      'startTls: ldaps:// is TLS already: StartTLS is for ldap:// only',
    ]);
    expect(problems({ ...body, allowPlaintext: true, caCertificates: 'x' })).toEqual([
      'caCertificates: caCertificates need TLS (ldaps:// or startTls)',
    ]);
  });
});
