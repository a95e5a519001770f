import { AppError, type DevicePrincipal } from '@pakawaaz/platform';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DirectoryService } from '../../src/directory/directory.service.js';
import { InstitutionsService } from '../../src/directory/institutions.service.js';
import { OfficialVisibilityService } from '../../src/directory/official-visibility.service.js';
import * as identity from '../support/identity-fixture.js';

/*
 * People search from an official's device (GET /api/v1/directory/people): an official finds, by a name, a
 * word of it or a username prefix, only active officials their institution may see — the rule secure chat
 * applies to group members (OfficialVisibility.maySee) — never an official of an institution hidden from
 * theirs, never themselves, never more than the limit.
 */

let fx: identity.IdentityFixture;
beforeAll(async () => void (fx = await identity.createIdentityFixture()));
beforeEach(async () => identity.resetIdentityData(fx.handle));
afterAll(async () => fx?.close());

/** Interior and Defence see only themselves; Finance was granted Interior; the Cabinet sees all. */
async function world() {
  const ctx = { principal: identity.principal(['super-admin']), requestId: null };
  const create = (name: string, more: { directoryScope?: 'own' | 'all'; visibleInstitutionIds?: string[] }) =>
    fx.get(InstitutionsService).create({ name, directoryScope: 'own', ...more }, ctx);
  const interior = await create('Ministry of Interior', {});
  const defence = await create('Ministry of Defence', {});
  const finance = await create('Ministry of Finance', { visibleInstitutionIds: [interior.id] });
  const cabinet = await create('Cabinet Division', { directoryScope: 'all' });
  const official = (username: string, displayName: string, institutionId: string) =>
    fx.addUser({ username, displayName, kind: 'official', institutionId });
  return {
    interior,
    defence,
    finance,
    cabinet,
    aisha: await official('aisha.malik', 'Aisha Malik', interior.id),
    bilal: await official('bilal.khan', 'Bilal Khan', interior.id),
    hidden: await official('bilal.ahmed', 'Bilal Ahmed', defence.id),
    farah: await official('farah.aziz', 'Farah Aziz', finance.id),
    nadia: await official('nadia.khan', 'Nadia Khan', cabinet.id),
  };
}

const device = (userId: string, institutionId: string | null): DevicePrincipal => ({
  deviceId: `device-of-${userId}`,
  userId,
  institutionId,
  certThumbprint: 'x',
  compliance: 'compliant',
});

const names = async (d: DevicePrincipal, q: string, limit = 10) =>
  (await fx.get(DirectoryService).people(d, { q, limit })).people.map((p) => p.displayName);

describe('people search from an official’s device', () => {
  it('finds officials of its own institution by name prefix, a word of the name, or username prefix', async () => {
    const w = await world();
    const aisha = device(w.aisha.id, w.interior.id);
    expect(await names(aisha, 'bil')).toEqual(['Bilal Khan']);
    expect(await names(aisha, 'KHAN')).toEqual(['Bilal Khan']);
    expect(await names(aisha, 'bilal.k')).toEqual(['Bilal Khan']);
    // Substrings inside a word are no match; LIKE wildcards typed are literal.
    expect(await names(aisha, 'ilal')).toEqual([]);
    expect(await names(aisha, 'b%')).toEqual([]);
    expect(await names(aisha, '__')).toEqual([]);
    const [bilal] = (await fx.get(DirectoryService).people(aisha, { q: 'bilal', limit: 10 })).people;
    expect(bilal).toEqual({
      userId: w.bilal.id,
      displayName: 'Bilal Khan',
      designation: null,
      institutionId: w.interior.id,
      institution: 'Ministry of Interior',
    });
  });

  it('never finds an official of an institution hidden from its own, nor itself', async () => {
    const w = await world();
    const aisha = device(w.aisha.id, w.interior.id);
    // "Bilal Ahmed" of Defence matches the prefix; Interior may not see Defence — and the chat agrees.
    expect(await names(aisha, 'bilal')).toEqual(['Bilal Khan']);
    expect(await names(aisha, 'bilal.ahmed')).toEqual([]);
    expect(await fx.get(OfficialVisibilityService).maySee(w.interior.id, w.defence.id)).toBe(false);
    // Nor Finance (a grant is one-way), nor the Cabinet (scope `all` is theirs, not Interior's), nor itself.
    expect(await names(aisha, 'farah')).toEqual([]);
    expect(await names(aisha, 'nadia')).toEqual([]);
    expect(await names(aisha, 'aisha')).toEqual([]);
    // Finance's grant shows Interior's officials, not Defence's.
    const farah = device(w.farah.id, w.finance.id);
    expect(await names(farah, 'bilal')).toEqual(['Bilal Khan']);
    expect(await fx.get(OfficialVisibilityService).maySee(w.finance.id, w.interior.id)).toBe(true);
    // Scope `all` sees every institution; a device of no institution (national) too, as the chat lets them.
    expect(await names(device(w.nadia.id, w.cabinet.id), 'bilal')).toEqual(['Bilal Ahmed', 'Bilal Khan']);
    expect(await names(device(w.nadia.id, null), 'bilal')).toEqual(['Bilal Ahmed', 'Bilal Khan']);
  });

  it('a disabled official is not found; the limit holds; bots are refused', async () => {
    const w = await world();
    const nadia = device(w.nadia.id, w.cabinet.id);
    expect(await names(nadia, 'bilal', 1)).toEqual(['Bilal Ahmed']);
    await fx.users.update(w.bilal.id, { status: 'disabled' });
    expect(await names(nadia, 'bilal')).toEqual(['Bilal Ahmed']);
    const bot = { ...device('bot', w.interior.id), kind: 'bot' as const };
    await expect(fx.get(DirectoryService).people(bot, { q: 'bilal', limit: 10 })).rejects.toBeInstanceOf(
      AppError,
    );
  });

  it('reads the device’s official afresh: disabled is refused, a moved official has the new scope', async () => {
    const w = await world();
    // Aisha's handset was enrolled under Interior; she moved to the Cabinet: she now sees every institution.
    const aisha = device(w.aisha.id, w.interior.id);
    await fx.users.update(w.aisha.id, { institutionId: w.cabinet.id });
    expect(await names(aisha, 'bilal')).toEqual(['Bilal Ahmed', 'Bilal Khan']);
    // Bilal Khan moved from Interior to Defence: his Interior-enrolled handset sees Defence's officials.
    const bilal = device(w.bilal.id, w.interior.id);
    await fx.users.update(w.bilal.id, { institutionId: w.defence.id });
    expect(await names(bilal, 'bilal')).toEqual(['Bilal Ahmed']);
    // A disabled official's handset still holds its certificate; the search refuses it.
    await fx.users.update(w.aisha.id, { status: 'disabled' });
    await expect(fx.get(DirectoryService).people(aisha, { q: 'bilal', limit: 10 })).rejects.toMatchObject({
      code: 'forbidden',
    });
  });
});
