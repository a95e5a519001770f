import { AppError, institutionScope, type Principal } from '@pakawaaz/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coreNetworkFixture, testOperator, type CoreNetworkFixture } from '../support/fixture.js';
import { fakeSim } from '@pakawaaz/test-support';

/*
 * Subscribers are the one core-network resource that belongs to institutions: an institution's principal
 * sees its officials' SIMs (institution and departments) and nothing else; every change is national.
 */

const INTERIOR = '11111111-1111-4111-8111-111111111111';
const PASSPORTS = '22222222-2222-4222-8222-222222222222';
const FINANCE = '33333333-3333-4333-8333-333333333333';
const sims = [fakeSim(101), fakeSim(102), fakeSim(103), fakeSim(104)];
const [interiorSim, passportsSim, financeSim, nationalSim] = sims.map((s) => s.imsi) as [
  string,
  string,
  string,
  string,
];
const national = { principal: testOperator, requestId: null };
/** A ministry's viewer as the verifier would establish it: the ministry and its department. */
const interiorViewer: Principal = {
  ...testOperator,
  roles: ['viewer'],
  institutionId: INTERIOR,
  scope: institutionScope([INTERIOR, PASSPORTS]),
};
const passportsViewer: Principal = {
  ...interiorViewer,
  institutionId: PASSPORTS,
  scope: institutionScope([PASSPORTS]),
};

let fx: CoreNetworkFixture;

beforeAll(async () => {
  fx = await coreNetworkFixture();
  await fx.importSims(sims);
  const assign = (imsi: string, institutionId: string | null, displayName: string) => {
    fx.directory.add({ userId: `u-${imsi}`, username: `u-${imsi}`, displayName, institutionId });
    return fx.subscribers.assign({ imsi, official: `u-${imsi}` }, national);
  };
  await assign(interiorSim, INTERIOR, 'Interior Secretary');
  await assign(passportsSim, PASSPORTS, 'Passports Director');
  await assign(financeSim, FINANCE, 'Finance Secretary');
  await assign(nationalSim, null, 'NOC test handset');
});
afterAll(() => fx?.close());

async function refusal(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return err as AppError;
  }
  throw new Error('expected a refusal');
}

const listed = async (caller: Principal, q: { search?: string; institutionId?: string } = {}) => {
  const page = await fx.subscribers.list({ limit: 50, offset: 0, ...q }, caller);
  return { imsis: page.rows.map((r) => r.imsi).sort(), total: page.total };
};

describe('subscribers by institution scope', () => {
  it('a national principal lists every subscriber, national ones included', async () => {
    expect(await listed(testOperator)).toEqual({ imsis: [...sims.map((s) => s.imsi)].sort(), total: 4 });
  });

  it('a ministry lists its own and its departments’ subscribers; a department only its own', async () => {
    expect(await listed(interiorViewer)).toEqual({ imsis: [interiorSim, passportsSim], total: 2 });
    expect(await listed(passportsViewer)).toEqual({ imsis: [passportsSim], total: 1 });
  });

  it('filters never reach outside the scope: another institution’s id or a search for its IMSI finds nothing', async () => {
    expect(await listed(interiorViewer, { institutionId: FINANCE })).toEqual({ imsis: [], total: 0 });
    expect(await listed(interiorViewer, { search: financeSim })).toEqual({ imsis: [], total: 0 });
    expect(await listed(interiorViewer, { search: 'Secretary' })).toEqual({ imsis: [interiorSim], total: 1 });
  });

  it('get answers subscriber_not_found outside the scope, as if the IMSI did not exist', async () => {
    expect((await fx.subscribers.get(passportsSim, interiorViewer)).displayName).toBe('Passports Director');
    for (const imsi of [financeSim, nationalSim]) {
      const err = await refusal(fx.subscribers.get(imsi, interiorViewer));
      expect([err.code, err.status]).toEqual(['subscriber_not_found', 404]);
    }
    expect((await refusal(fx.subscribers.get(interiorSim, passportsViewer))).code).toBe(
      'subscriber_not_found',
    );
  });

  it('changes are national: an institution principal is refused before anything is read or written', async () => {
    const ctx = { principal: interiorViewer, requestId: null };
    const before = await fx.subscribersRepo.find(interiorSim);
    for (const attempt of [
      () => fx.subscribers.bar(interiorSim, 'handset lost', ctx),
      () => fx.subscribers.unbar(interiorSim, 'found again', ctx),
      () => fx.subscribers.update(interiorSim, { staticIpv4: '10.45.0.9' }, ctx),
      () => fx.subscribers.unassign(interiorSim, ctx),
      () => fx.subscribers.assign({ imsi: financeSim, official: `u-${interiorSim}` }, ctx),
      () => fx.profiles.list(interiorViewer),
    ])
      expect((await refusal(attempt())).code).toBe('national_only');
    expect(await fx.subscribersRepo.find(interiorSim)).toEqual(before);
  });
});
