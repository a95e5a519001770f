import { AppError } from '@pakawaaz/platform';
import { fakeSim, refusal } from '@pakawaaz/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DEMO_NETWORK_YAML } from '../../src/network-spec/demo-network.js';
import { validateNetworkSpec } from '../../src/network-spec/network-spec.js';
import { NetworkSpecRepository } from '../../src/network-spec/network-spec.repository.js';
import { NetworkSpecService } from '../../src/network-spec/network-spec.service.js';
import { networkSpecs } from '../../src/network-spec/network-specs.schema.js';
import { coreNetworkFixture, testOperator, type CoreNetworkFixture } from '../support/fixture.js';

/*
 * Static IPv4 addresses on real PostgreSQL: checked against the running spec's static block of the profile's
 * default DNN, and unique across subscribers (pre-check naming the holder, and the unique index behind it).
 * The demo spec's DNN internet is 10.45.0.0/16 with gateway 10.45.0.1; here it keeps 10.45.254.0/24 static.
 */

const sims = Array.from({ length: 8 }, (_, i) => fakeSim(401 + i));
const imsi = (i: number) => sims[i]!.imsi;
const ctx = { principal: testOperator, requestId: 'req-static' };
const gbps = { downlink: { value: 1, unit: 'Gbps' }, uplink: { value: 1, unit: 'Gbps' } } as const;

let fx: CoreNetworkFixture;

beforeAll(async () => {
  fx = await coreNetworkFixture();
  await fx.importSims(sims);
  for (const [n, name] of ['Ayesha Khan', 'Sana Mir', 'Omar Farooq', 'Hina Aslam'].entries())
    fx.directory.add({
      userId: `b0000000-0000-4000-8000-00000000000${n}`,
      username: `user${n}`,
      displayName: name,
      institutionId: null,
      institutionName: null,
    });
  const data = parse(DEMO_NETWORK_YAML) as { dnns: { ipv4: Record<string, unknown> }[] };
  data.dnns[0]!.ipv4.staticRange = '10.45.254.0/24';
  const checked = validateNetworkSpec(data);
  if (!checked.ok) throw new Error(JSON.stringify(checked.errors));
  await fx.db.handle.db
    .insert(networkSpecs)
    .values({ version: 2, spec: checked.spec, sourceYaml: '', sha256: '', appliedBy: 'test' });
  await fx.profiles.save(
    'gov-only',
    '',
    { ambr: gbps, slices: [{ sst: 1, sd: '000001', default: true, sessions: [{ dnn: 'gov', ambr: gbps }] }] },
    ctx,
  );
});

afterAll(async () => {
  await fx?.close();
});

describe('static IPv4 addresses', () => {
  it('assigns an address inside the static block of the default DNN', async () => {
    const s = await fx.subscribers.assign(
      { imsi: imsi(0), official: 'user0', staticIpv4: '10.45.254.10' },
      ctx,
    );
    expect(s.staticIpv4).toBe('10.45.254.10');
  });

  it('refuses a taken address with 409 naming the holder by name and IMSI; the SIM stays available', async () => {
    const err = await refusal(
      fx.subscribers.assign({ imsi: imsi(1), official: 'user1', staticIpv4: '10.45.254.10' }, ctx),
    );
    expect([err.code, err.status]).toEqual(['static_ip_in_use', 409]);
    expect(err.message).toBe(
      `10.45.254.10 is already the static address of Ayesha Khan (IMSI ${imsi(0)}): free it there or pick another address.`,
    );
    expect(await fx.subscribersRepo.find(imsi(1))).toBeUndefined();
    expect((await fx.repo.existingByImsi(fx.db.handle.db, [imsi(1)]))[0]?.status).toBe('available');
  });

  it.each([
    ['10.45.0.50', "is outside DNN internet's static block 10.45.254.0/24"],
    ['10.45.0.1', 'is the gateway of DNN internet'],
    ['10.46.254.1', 'is outside the subnet 10.45.0.0/16 of DNN internet'],
  ])('refuses %s (422 invalid_static_ip)', async (address, why) => {
    const err = await refusal(
      fx.subscribers.assign({ imsi: imsi(1), official: 'user1', staticIpv4: address }, ctx),
    );
    expect([err.code, err.status]).toEqual(['invalid_static_ip', 422]);
    expect(err.message).toContain(`Static address ${address} ${why}`);
  });

  it('refuses a static address on a DNN that keeps no static block', async () => {
    const err = await refusal(
      fx.subscribers.assign(
        { imsi: imsi(1), official: 'user1', profile: 'gov-only', staticIpv4: '10.46.254.1' },
        ctx,
      ),
    );
    expect(err.code).toBe('invalid_static_ip');
    expect(err.message).toMatch(
      /DNN gov reserves no block for static addresses: add dnns\[\]\.ipv4\.staticRange/,
    );
  });

  it('an update to a taken address is 409; a profile change that moves the address off its block is 422', async () => {
    await fx.subscribers.assign({ imsi: imsi(2), official: 'user2', staticIpv4: '10.45.254.20' }, ctx);
    const taken = await refusal(fx.subscribers.update(imsi(2), { staticIpv4: '10.45.254.10' }, ctx));
    expect([taken.code, taken.status]).toEqual(['static_ip_in_use', 409]);
    const moved = await refusal(fx.subscribers.update(imsi(2), { profile: 'gov-only' }, ctx));
    expect(moved.code).toBe('invalid_static_ip');
    expect((await fx.subscribersRepo.find(imsi(2)))?.staticIpv4).toBe('10.45.254.20');
    // Clearing the address, and then the profile change, go through.
    await fx.subscribers.update(imsi(2), { staticIpv4: null }, ctx);
    expect((await fx.subscribers.update(imsi(2), { profile: 'gov-only' }, ctx)).profileName).toBe('gov-only');
  });

  it('two concurrent assignments of one address: one wins, the other is 409 static_ip_in_use', async () => {
    const results = await Promise.allSettled([
      fx.subscribers.assign({ imsi: imsi(3), official: 'user3', staticIpv4: '10.45.254.30' }, ctx),
      fx.subscribers.assign({ imsi: imsi(4), official: 'user3', staticIpv4: '10.45.254.30' }, ctx),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as AppError] : []));
    expect(refused.map((e) => e.code)).toEqual(['static_ip_in_use']);
  });

  it('the database refuses a duplicate even past the service (unique index)', async () => {
    await expect(
      fx.subscribersRepo.insert(fx.db.handle.db, {
        imsi: imsi(5),
        userId: 'x',
        displayName: 'Direct Insert',
        profileName: 'default',
        staticIpv4: '10.45.254.10',
      }),
    ).rejects.toThrow();
    expect(await fx.subscribersRepo.find(imsi(5))).toBeUndefined();
  });

  it("a profile change that moves its subscribers' static addresses off their block is 409, naming them", async () => {
    const internet = {
      ambr: gbps,
      slices: [{ sst: 1, default: true, sessions: [{ dnn: 'internet', ambr: gbps }] }],
    };
    await fx.profiles.save('field', '', internet, ctx);
    await fx.subscribers.assign(
      { imsi: imsi(6), official: 'user3', profile: 'field', staticIpv4: '10.45.254.60' },
      ctx,
    );
    const govFirst = {
      ambr: gbps,
      slices: [
        { sst: 1, sd: '000001', default: true, sessions: [{ dnn: 'gov', ambr: gbps }] },
        { sst: 1, sessions: [{ dnn: 'internet', ambr: gbps }] },
      ],
    };

    const err = await refusal(fx.profiles.save('field', '', govFirst, ctx));

    expect([err.code, err.status]).toEqual(['profile_strands_static_addresses', 409]);
    expect(err.message).toContain(
      `Hina Aslam (IMSI ${imsi(6)}): 10.45.254.60 is outside the subnet 10.46.0.0/16 of DNN gov`,
    );
    expect((await fx.subscribersRepo.profile('field'))?.profile).toMatchObject({
      slices: [{ sessions: [{ dnn: 'internet' }] }],
    });
  });

  it('a spec that drops the static block its subscribers use is 409 spec_orphans_static_addresses', async () => {
    const specs = new NetworkSpecService(
      fx.db.handle,
      { seedDemo: false },
      new NetworkSpecRepository(fx.db.handle),
      fx.audit,
      fx.subscribersRepo,
    );

    const err = await refusal(specs.apply(DEMO_NETWORK_YAML, { baseVersion: 2 }, testOperator, null));

    expect([err.code, err.status]).toEqual(['spec_orphans_static_addresses', 409]);
    expect(err.message).toContain(`Ayesha Khan (IMSI ${imsi(0)}): DNN internet reserves no block`);
    expect((err.details as { subscribers: { imsi: string }[] }).subscribers.map((x) => x.imsi)).toContain(
      imsi(0),
    );
    const kept = DEMO_NETWORK_YAML.replace(
      'gateway: 10.45.0.1',
      'gateway: 10.45.0.1\n      staticRange: 10.45.254.0/24',
    );
    expect((await specs.apply(kept, { baseVersion: 2 }, testOperator, null)).version).toBe(3);
  });
});
