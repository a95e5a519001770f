import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  freshUsimState,
  IND_COUNT,
  PAKAWAAZ_IND,
  seqIndFromSqn,
  verifyAutn,
  type UsimSqnState,
} from '@pakawaaz/milenage';
import { AkaVectorService } from '../../src/milenage/aka-vector.service.js';
import type { SubscribersService } from '../../src/subscribers/subscribers.service.js';
import { coreNetworkFixture, testOperator, type CoreNetworkFixture } from '../support/fixture.js';
import { fakeSim } from '@pakawaaz/test-support';

const ctx = { principal: testOperator, requestId: null };
const sim = fakeSim(42);
const usimKeys = { k: Buffer.from(sim.k, 'hex'), opc: Buffer.from(sim.opc, 'hex') };

let fx: CoreNetworkFixture;
let vectors: AkaVectorService;
let subscribers: SubscribersService;

beforeAll(async () => {
  fx = await coreNetworkFixture();
  await fx.importSims([sim, fakeSim(43)]);
  subscribers = fx.subscribers;
  fx.directory.add({ userId: 'u', username: 'u' });
  await subscribers.assign({ imsi: sim.imsi, official: 'u' }, ctx);
  vectors = new AkaVectorService(fx.repo, fx.secrets());
});
afterAll(() => fx?.close());

describe('AKA vectors from the SIM inventory', () => {
  let usim: UsimSqnState = freshUsimState();

  it('produces vectors the USIM accepts, with increasing SEQ in Pakawaaz’s own IND slot', async () => {
    const seqs: number[] = [];
    for (let i = 0; i < 3; i++) {
      const v = (await vectors.vector(sim.imsi))!;
      const r = verifyAutn({ ...usimKeys, rand: v.rand, autn: v.autn, usim });
      if (!r.ok) throw new Error(`USIM rejected the vector: ${r.reason}`);
      expect(r.res).toEqual(v.xres);
      expect([r.ck, r.ik]).toEqual([v.ck, v.ik]);
      const { seq, ind } = seqIndFromSqn(r.sqn);
      expect(ind).toBe(PAKAWAAZ_IND);
      seqs.push(seq);
      usim = r.usim;
    }
    expect(seqs).toEqual([1, 2, 3]);
  });

  it('answers null alike for an unknown IMSI, an unassigned SIM, a barred subscriber and garbage', async () => {
    expect(await vectors.vector('001019999999999')).toBeNull();
    expect(await vectors.vector(fakeSim(43).imsi)).toBeNull();
    expect(await vectors.vector('not-an-imsi')).toBeNull();
    await subscribers.bar(sim.imsi, 'test barring', ctx);
    expect(await vectors.vector(sim.imsi)).toBeNull();
    await subscribers.unbar(sim.imsi, 'test done', ctx);
  });

  it('re-synchronises from a USIM that is ahead (AUTS) and then authenticates', async () => {
    // The USIM has seen a much higher SEQ in our slot (e.g. a restored backup of the inventory).
    const ahead: UsimSqnState = {
      accepted: usim.accepted.map((a, i) => (i === PAKAWAAZ_IND ? 5_000 * IND_COUNT + PAKAWAAZ_IND : a)),
    };
    const stale = (await vectors.vector(sim.imsi))!;
    const r = verifyAutn({ ...usimKeys, rand: stale.rand, autn: stale.autn, usim: ahead });
    expect(r).toMatchObject({ ok: false, reason: 'sync_failure' });
    if (r.ok || r.reason !== 'sync_failure') return;
    const forged = Buffer.from(r.auts);
    forged[13]! ^= 1;
    expect(await vectors.resynchronise(sim.imsi, stale.rand, forged)).toBe(false);
    expect(await vectors.resynchronise(sim.imsi, stale.rand, r.auts)).toBe(true);
    const next = (await vectors.vector(sim.imsi))!;
    const accepted = verifyAutn({ ...usimKeys, rand: next.rand, autn: next.autn, usim: ahead });
    expect(accepted.ok).toBe(true);
    if (accepted.ok) expect(seqIndFromSqn(accepted.sqn).seq).toBe(5_001);
  });
});
