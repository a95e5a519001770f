import { fakeSim, refusal } from '@pakawaaz/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DEMO_NETWORK_YAML } from '../../src/network-spec/demo-network.js';
import { validateNetworkSpec } from '../../src/network-spec/network-spec.js';
import { NetworkSpecRepository } from '../../src/network-spec/network-spec.repository.js';
import { NetworkSpecService } from '../../src/network-spec/network-spec.service.js';
import { networkSpecs } from '../../src/network-spec/network-specs.schema.js';
import { isUniqueViolation } from '../../src/subscribers/static-address.js';
import { STATIC_IPV6_PREFIX_UNIQUE } from '../../src/subscribers/subscribers.schema.js';
import { coreNetworkFixture, testOperator, type CoreNetworkFixture } from '../support/fixture.js';

/*
 * Static IPv6 addresses on real PostgreSQL. The demo DNN internet gets the upstream sample IPv6 pool
 * (configs/open5gs/smf.yaml.in: 2001:db8:cafe::/48, gateway 2001:db8:cafe::1) with the /64s of
 * 2001:db8:cafe:ff00::/56 kept static. Open5GS gives each UE a whole /64 (the SMF's router advertisement and
 * the SMF/UPF session lookup use the first 64 bits only), so two subscribers must not share a /64: the
 * service refuses it naming the holder, and a unique index on the /64 backs that.
 */

const sims = Array.from({ length: 8 }, (_, i) => fakeSim(501 + i));
const imsi = (i: number) => sims[i]!.imsi;
const ctx = { principal: testOperator, requestId: 'req-static6' };
const gbps = { downlink: { value: 1, unit: 'Gbps' }, uplink: { value: 1, unit: 'Gbps' } } as const;
const IPV6 = {
  subnet: '2001:db8:cafe::/48',
  gateway: '2001:db8:cafe::1',
  staticRange: '2001:db8:cafe:ff00::/56',
};

let fx: CoreNetworkFixture;

beforeAll(async () => {
  fx = await coreNetworkFixture();
  await fx.importSims(sims);
  for (const [n, name] of ['Ayesha Khan', 'Sana Mir', 'Omar Farooq', 'Hina Aslam'].entries())
    fx.directory.add({
      userId: `b1000000-0000-4000-8000-00000000000${n}`,
      username: `user${n}`,
      displayName: name,
      institutionId: null,
      institutionName: null,
    });
  const data = parse(DEMO_NETWORK_YAML) as { dnns: Record<string, unknown>[] };
  data.dnns[0]!.ipv6 = IPV6;
  const checked = validateNetworkSpec(data);
  if (!checked.ok) throw new Error(JSON.stringify(checked.errors));
  await fx.db.handle.db
    .insert(networkSpecs)
    .values({ version: 2, spec: checked.spec, sourceYaml: '', sha256: '', appliedBy: 'test' });
  await fx.profiles.save(
    'dual',
    '',
    {
      ambr: gbps,
      slices: [{ sst: 1, default: true, sessions: [{ dnn: 'internet', type: 'IPv4v6', ambr: gbps }] }],
    },
    ctx,
  );
});

afterAll(async () => {
  await fx?.close();
});

describe('static IPv6 addresses', () => {
  it('assigns an address in the static /64s, stored in RFC 5952 form', async () => {
    const s = await fx.subscribers.assign(
      { imsi: imsi(0), official: 'user0', profile: 'dual', staticIpv6: '2001:DB8:CAFE:FF01:0:0:0:10' },
      ctx,
    );
    expect(s.staticIpv6).toBe('2001:db8:cafe:ff01::10');
  });

  it('refuses another address in the same /64 with 409 naming the holder and the /64', async () => {
    const err = await refusal(
      fx.subscribers.assign(
        { imsi: imsi(1), official: 'user1', profile: 'dual', staticIpv6: '2001:db8:cafe:ff01::99' },
        ctx,
      ),
    );
    expect([err.code, err.status]).toEqual(['static_ip_in_use', 409]);
    expect(err.message).toContain(
      `2001:db8:cafe:ff01::99 is in 2001:db8:cafe:ff01::/64, the /64 of Ayesha Khan's static address 2001:db8:cafe:ff01::10 (IMSI ${imsi(0)})`,
    );
    expect((await fx.repo.existingByImsi(fx.db.handle.db, [imsi(1)]))[0]?.status).toBe('available');
    const next = await fx.subscribers.assign(
      { imsi: imsi(1), official: 'user1', profile: 'dual', staticIpv6: '2001:db8:cafe:ff02::99' },
      ctx,
    );
    expect(next.staticIpv6).toBe('2001:db8:cafe:ff02::99');
  });

  it.each([
    ['dual', '2001:db8:beef::5', 'is outside the IPv6 subnet 2001:db8:cafe::/48 of DNN internet'],
    ['dual', '2001:db8:cafe:1::5', "is outside DNN internet's IPv6 static block 2001:db8:cafe:ff00::/56"],
    ['dual', '2001:db8:cafe::5', 'the network /64 of 2001:db8:cafe::/48'],
    ['default', '2001:db8:cafe:ff03::5', 'the profile has no IPv6 or IPv4v6 session'],
  ])('profile %s, %s: 422 invalid_static_ip (%s)', async (profile, address, problem) => {
    const err = await refusal(
      fx.subscribers.assign({ imsi: imsi(2), official: 'user2', profile, staticIpv6: address }, ctx),
    );
    expect([err.code, err.status]).toEqual(['invalid_static_ip', 422]);
    expect(err.message).toContain(problem);
  });

  it('an update into a taken /64 is 409; clearing the address frees the /64', async () => {
    const err = await refusal(fx.subscribers.update(imsi(1), { staticIpv6: '2001:db8:cafe:ff01::7' }, ctx));
    expect(err.code).toBe('static_ip_in_use');
    expect((await fx.subscribers.update(imsi(0), { staticIpv6: null }, ctx)).staticIpv6).toBeNull();
    expect(
      (await fx.subscribers.update(imsi(1), { staticIpv6: '2001:db8:cafe:ff01::7' }, ctx)).staticIpv6,
    ).toBe('2001:db8:cafe:ff01::7');
  });

  it('the database refuses a second address in one /64 even past the service (unique index)', async () => {
    await expect(
      fx.subscribersRepo.insert(fx.db.handle.db, {
        imsi: imsi(5),
        userId: 'x',
        displayName: 'Direct Insert',
        profileName: 'dual',
        staticIpv6: '2001:db8:cafe:ff01::abcd',
      }),
    ).rejects.toSatisfy((err) => isUniqueViolation(err, STATIC_IPV6_PREFIX_UNIQUE));
    expect(await fx.subscribersRepo.find(imsi(5))).toBeUndefined();
  });

  it('a profile change to IPv4 only strands the IPv6 statics: 409 profile_strands_static_addresses', async () => {
    const v4only = {
      ambr: gbps,
      slices: [{ sst: 1, default: true, sessions: [{ dnn: 'internet', type: 'IPv4', ambr: gbps }] }],
    };

    const err = await refusal(fx.profiles.save('dual', '', v4only, ctx));

    expect([err.code, err.status]).toEqual(['profile_strands_static_addresses', 409]);
    expect(err.message).toContain(
      `Sana Mir (IMSI ${imsi(1)}): the profile has no IPv6 or IPv4v6 session in its default slice`,
    );
    expect((await fx.subscribersRepo.profile('dual'))?.profile).toMatchObject({
      slices: [{ sessions: [{ type: 'IPv4v6' }] }],
    });
  });

  it('a spec that drops the IPv6 static block its subscribers use is 409 spec_orphans_static_addresses', async () => {
    const specs = new NetworkSpecService(
      fx.db.handle,
      { seedDemo: false },
      new NetworkSpecRepository(fx.db.handle),
      fx.audit,
      fx.subscribersRepo,
    );
    const v6 = (extra: string) =>
      DEMO_NETWORK_YAML.replace(
        'gateway: 10.45.0.1',
        `gateway: 10.45.0.1\n    ipv6:\n      subnet: ${IPV6.subnet}\n      gateway: ${IPV6.gateway}${extra}`,
      );

    const err = await refusal(specs.apply(v6(''), { baseVersion: 2 }, testOperator, null));

    expect([err.code, err.status]).toEqual(['spec_orphans_static_addresses', 409]);
    expect(err.message).toContain(`Sana Mir (IMSI ${imsi(1)}): DNN internet reserves no IPv6 block`);
    expect((err.details as { subscribers: { staticIpv6?: string }[] }).subscribers).toEqual([
      expect.objectContaining({ imsi: imsi(1), staticIpv6: '2001:db8:cafe:ff01::7' }),
    ]);
    const kept = v6(`\n      staticRange: ${IPV6.staticRange}`);
    expect((await specs.apply(kept, { baseVersion: 2 }, testOperator, null)).version).toBe(3);
  });
});
