import { randomBytes } from 'node:crypto';
import type { EapAkaPrivacyOutcome, IssuedReauth } from '@pakawaaz/eap-aka';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SecretBox } from '../../src/crypto/secret-box.js';
import { SECRET_BOX } from '../../src/mfa/secret-box.provider.js';
import { EapIdentitiesRepository } from '../../src/sim-auth/eap-identities.repository.js';
import { EapIdentitiesService } from '../../src/sim-auth/eap-identities.service.js';
import { createIdentityFixture, query, type IdentityFixture } from '../support/identity-fixture.js';

/*
 * The pseudonym / fast re-authentication store on PostgreSQL: what a success hands out works once, counters
 * and lifetimes hold, the keys are sealed at rest, and two nodes (two service instances on one database)
 * finishing with the same identity at once cannot both succeed.
 */
const IMSI = '001010000000001';
const REALM = 'wlan.mnc001.mcc001.3gppnetwork.org';
const HOUR = 3_600_000;

let fx: IdentityFixture;
let clock: Date;
let nodeA: EapIdentitiesService;
let nodeB: EapIdentitiesService;

const node = () =>
  new EapIdentitiesService(new EapIdentitiesRepository(fx.handle), fx.app.get<SecretBox>(SECRET_BOX), {
    now: () => clock,
  });

beforeAll(async () => {
  fx = await createIdentityFixture();
  nodeA = node();
  nodeB = node();
});
afterAll(async () => fx?.close());
beforeEach(async () => {
  clock = new Date('2026-12-04T00:00:00Z');
  await query(fx.handle, 'truncate identity.eap_identities');
});

const hex = () => randomBytes(16).toString('hex');
const reauthOf = (counter = 0): IssuedReauth => ({
  identity: `4${hex()}@${REALM}`,
  counter,
  kEncr: randomBytes(16),
  kAut: randomBytes(16),
  master: randomBytes(20),
});
const fullAuth = (used: EapAkaPrivacyOutcome['used'] = null) => ({
  used,
  pseudonym: `2${hex()}`,
  reauth: reauthOf(),
  fast: false,
});
const buf = (s: string) => Buffer.from(s);

describe('EAP identity store', () => {
  it('finds what a full authentication handed out, with the re-auth keys sealed at rest', async () => {
    const issued = fullAuth();
    expect(await nodeA.commit('aka', IMSI, issued)).toBe(true);
    expect(await nodeB.find('aka', 'pseudonym', buf(`${issued.pseudonym}@${REALM}`))).toEqual({
      kind: 'pseudonym',
      imsi: IMSI,
    });
    expect(await nodeB.find('aka', 'reauth', buf(issued.reauth.identity))).toEqual({
      kind: 'reauth',
      imsi: IMSI,
      counter: 0,
      kEncr: issued.reauth.kEncr,
      kAut: issued.reauth.kAut,
      master: issued.reauth.master,
    });
    // Neither the identities nor the keys are in the table in clear.
    const rows = await query<{ key: string; sealed_keys: string | null }>(
      fx.handle,
      'select key, sealed_keys from identity.eap_identities',
    );
    const dump = JSON.stringify(rows);
    expect(dump).not.toContain(issued.pseudonym);
    expect(dump).not.toContain(issued.reauth.identity.split('@')[0]);
    expect(dump).not.toContain(issued.reauth.kAut.toString('base64'));
    expect(rows.find((r) => r.sealed_keys)?.sealed_keys).toMatch(/^s1\./);
    // Another method's lookup does not see them.
    expect(await nodeA.find('aka-prime', 'pseudonym', buf(issued.pseudonym))).toBeNull();
  });

  it('each identity works once: a success replaces it, a second use is refused', async () => {
    const first = fullAuth();
    await nodeA.commit('aka', IMSI, first);
    const used = { kind: 'pseudonym', identity: buf(`${first.pseudonym}@${REALM}`), counter: 0 } as const;
    const second = fullAuth(used);
    expect(await nodeA.commit('aka', IMSI, second)).toBe(true);
    expect(await nodeA.find('aka', 'pseudonym', used.identity)).toBeNull();
    expect(await nodeA.find('aka', 'reauth', buf(first.reauth.identity))).toBeNull();
    expect(await nodeB.commit('aka', IMSI, fullAuth(used))).toBe(false);
    // The refused commit changed nothing: the second sign-in's identities still work.
    expect(await nodeB.find('aka', 'pseudonym', buf(second.pseudonym))).not.toBeNull();
  });

  it('a fast re-authentication moves the counter on and keeps the pseudonym', async () => {
    const first = fullAuth();
    await nodeA.commit('aka', IMSI, first);
    const used = { kind: 'reauth', identity: buf(first.reauth.identity), counter: 0 } as const;
    const next = {
      ...reauthOf(1),
      kEncr: first.reauth.kEncr,
      kAut: first.reauth.kAut,
      master: first.reauth.master,
    };
    expect(await nodeB.commit('aka', IMSI, { used, pseudonym: null, reauth: next, fast: true })).toBe(true);
    expect(await nodeA.find('aka', 'reauth', buf(next.identity))).toMatchObject({ counter: 1 });
    expect(await nodeA.find('aka', 'reauth', used.identity)).toBeNull();
    expect(await nodeA.find('aka', 'pseudonym', buf(first.pseudonym))).not.toBeNull();
    // A commit that read an older counter is refused (the row it read is gone).
    const stale = { kind: 'reauth', identity: buf(next.identity), counter: 0 } as const;
    expect(await nodeA.commit('aka', IMSI, { used: stale, pseudonym: null, reauth: null, fast: true })).toBe(
      false,
    );
  });

  it('expires: re-authentication identities after 12 hours, pseudonyms after 30 days', async () => {
    const issued = {
      ...fullAuth(),
      pseudonym: `7${hex()}`,
      reauth: { ...reauthOf(), identity: `8${hex()}@${REALM}` },
    };
    await nodeA.commit('aka-prime', IMSI, issued);
    const start = clock.getTime();
    const find = (kind: 'pseudonym' | 'reauth', identity: string) =>
      nodeB.find('aka-prime', kind, buf(identity));
    clock = new Date(start + 12 * HOUR - 1);
    expect(await find('reauth', issued.reauth.identity)).not.toBeNull();
    clock = new Date(start + 12 * HOUR);
    expect(await find('reauth', issued.reauth.identity)).toBeNull();
    expect(await find('pseudonym', issued.pseudonym)).not.toBeNull();
    clock = new Date(start + 30 * 24 * HOUR);
    expect(await find('pseudonym', issued.pseudonym)).toBeNull();
    // An expired identity cannot be consumed either.
    const used = { kind: 'pseudonym', identity: buf(issued.pseudonym), counter: 0 } as const;
    expect(await nodeA.commit('aka-prime', IMSI, fullAuth(used))).toBe(false);
  });

  it('two nodes finishing with the same re-authentication identity at once: exactly one succeeds', async () => {
    for (let round = 0; round < 10; round++) {
      await query(fx.handle, 'truncate identity.eap_identities');
      const first = fullAuth();
      await nodeA.commit('aka', IMSI, first);
      const used = { kind: 'reauth', identity: buf(first.reauth.identity), counter: 0 } as const;
      const outcome = (): EapAkaPrivacyOutcome => ({
        used,
        pseudonym: null,
        reauth: reauthOf(1),
        fast: true,
      });
      const results = await Promise.all([
        nodeA.commit('aka', IMSI, outcome()),
        nodeB.commit('aka', IMSI, outcome()),
      ]);
      expect(results.filter(Boolean)).toHaveLength(1);
      const [count] = await query<{ n: number }>(
        fx.handle,
        "select count(*)::int as n from identity.eap_identities where kind = 'reauth'",
      );
      expect(count?.n).toBe(1);
    }
  });
});
