import { AppError, AuditService, institutionScope, rowsOf, sql, SYSTEM_ACTOR } from '@pakawaaz/platform';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, operatorPrincipal, refusal, type TestDatabase } from '@pakawaaz/test-support';
import { CORE_NETWORK_TEST_DOMAINS } from '../support/domains.js';
import { DEMO_NETWORK_YAML } from '../../src/network-spec/demo-network.js';
import { NetworkSpecRepository } from '../../src/network-spec/network-spec.repository.js';
import { SubscribersRepository } from '../../src/subscribers/subscribers.repository.js';
import { NetworkSpecService } from '../../src/network-spec/network-spec.service.js';
import { specSha256, parseNetworkSpec } from '../../src/network-spec/network-spec.js';
import { OPEN5GS_CONFIG_FILES } from '../../src/open5gs/config/render.js';
import { DEFAULT_PROFILE } from '../../src/subscribers/profile.js';
import { subscriberProfiles } from '../../src/subscribers/subscribers.schema.js';
import { SubscriberProfilesService } from '../../src/subscribers/subscriber-profiles.service.js';

const admin = operatorPrincipal('op-network-admin', ['network-admin']);

let db: TestDatabase;
let audit: AuditService;

function service(seedDemo = false): NetworkSpecService {
  return new NetworkSpecService(
    db.handle,
    { seedDemo },
    new NetworkSpecRepository(db.handle),
    audit,
    new SubscribersRepository(db.handle),
  );
}

async function query<T>(statement: string): Promise<T[]> {
  return rowsOf<T>(await db.handle.db.execute(sql.raw(statement)));
}

type AuditRow = {
  action: string;
  actor_type: string;
  actor_id: string;
  target: string;
  request_id: string | null;
  details: Record<string, unknown>;
};
const auditRows = () =>
  query<AuditRow>(
    'select action, actor_type, actor_id, target, request_id, details from platform.audit_log order by seq',
  );
const versions = async () =>
  (await query<{ version: number }>('select version from core_network.network_specs order by version')).map(
    (r) => r.version,
  );

/** Apply against this running version (0: none yet). */
const base = (baseVersion: number) => ({ baseVersion });

/** The demo spec with one line changed, as an operator would edit it. */
const edited = (from: string, to: string) => {
  if (!DEMO_NETWORK_YAML.includes(from)) throw new Error(`demo spec has no "${from}"`);
  return DEMO_NETWORK_YAML.replace(from, to);
};

beforeAll(async () => {
  db = await createTestDatabase(CORE_NETWORK_TEST_DOMAINS);
  audit = new AuditService(db.handle);
});

afterAll(async () => {
  await db?.drop();
});

beforeEach(async () => {
  await db.handle.db.transaction(async (tx) => {
    await tx.execute(sql.raw('truncate core_network.network_specs, core_network.subscriber_profiles'));
    await tx.execute(sql.raw('alter table platform.audit_log disable trigger user'));
    await tx.execute(sql.raw('truncate platform.audit_log'));
    await tx.execute(sql.raw('alter table platform.audit_log enable trigger user'));
  });
});

describe('applying a network spec', () => {
  it('stores version 1 with its YAML, hash and author, and reads it back as current', async () => {
    const applied = await service().apply(DEMO_NETWORK_YAML, base(0), admin, 'req-1');
    const parsed = parseNetworkSpec(DEMO_NETWORK_YAML);
    if (!parsed.ok) throw new Error('demo spec invalid');
    expect(applied).toEqual({
      version: 1,
      sha256: specSha256(parsed.spec),
      appliedAt: expect.any(Date) as Date,
      warnings: [],
    });

    const current = await service().current();
    expect(current).toMatchObject({
      version: 1,
      sha256: applied.sha256,
      appliedBy: 'operator:op-network-admin',
    });
    expect(current.sourceYaml).toBe(DEMO_NETWORK_YAML);
    expect(current.spec.plmn).toEqual({ mcc: '001', mnc: '01' });
    expect(current.spec.dnns.map((d) => d.name)).toEqual(['internet', 'gov']);
    expect(specSha256(current.spec)).toBe(applied.sha256);
  });

  it('each apply is a new version; the newest is current and older ones are kept', async () => {
    await service().apply(DEMO_NETWORK_YAML, base(0), admin, 'req-1');
    const second = await service().apply(
      edited('expectedUeCount: 10000', 'expectedUeCount: 12000'),
      base(1),
      admin,
      'req-2',
    );
    expect(second.version).toBe(2);
    expect((await service().current()).spec.expectedUeCount).toBe(12_000);
    expect(await versions()).toEqual([1, 2]);
  });

  it('concurrent applies against the same base: one is stored, the others are 409 and store nothing', async () => {
    const results = await Promise.allSettled(
      [1, 2, 3, 4].map((n) => service().apply(DEMO_NETWORK_YAML, base(0), admin, `req-${n}`)),
    );
    expect(results.filter((r) => r.status === 'fulfilled').length).toBe(1);
    const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as AppError] : []));
    expect(refused.map((e) => [e.code, e.status])).toEqual(Array(3).fill(['network_spec_changed', 409]));
    expect(refused[0]?.message).toMatch(/^The running spec is version 1, not version 0 .*Preview again/);
    expect(await versions()).toEqual([1]);
    expect((await auditRows()).length).toBe(1);
    // Against the version it saw, the next apply goes through.
    expect((await service().apply(DEMO_NETWORK_YAML, base(1), admin, 'req-5')).version).toBe(2);
  });

  it('null ciphering or integrity first is refused without the override, and audited with it', async () => {
    const weak = edited('ciphering: [EEA2, EEA1, EEA0]', 'ciphering: [EEA0, EEA2]');
    const err = await refusal(service().apply(weak, base(0), admin, 'r1'));
    expect([err.code, err.status]).toEqual(['weak_security_not_allowed', 422]);
    expect((err.details as { errors: { path: string }[] }).errors.map((e) => e.path)).toEqual([
      'security.lte.ciphering[0]',
    ]);
    expect(await versions()).toEqual([]);
    const applied = await service().apply(weak, { baseVersion: 0, allowWeakSecurity: true }, admin, 'r2');
    expect(applied.version).toBe(1);
    expect((await auditRows())[0]?.details).toMatchObject({ weakSecurityOverride: true });
  });

  it('preview stores nothing and diffs against the running version', async () => {
    const first = await service().preview(DEMO_NETWORK_YAML, admin);
    expect(first).toMatchObject({ valid: true, baseVersion: 0, changed: true });
    await service().apply(DEMO_NETWORK_YAML, base(0), admin, 'r');
    const p = await service().preview(edited('tacs: [1]', 'tacs: [1, 2]'), admin);
    expect(p).toMatchObject({ valid: true, baseVersion: 1, changed: true });
    expect(p.files.filter((f) => f.status === 'changed').map((f) => f.name)).toEqual([
      'amf.yaml',
      'mme.yaml',
    ]);
    expect(await versions()).toEqual([1]);
  });

  it('returns warnings with an accepted spec', async () => {
    const applied = await service().apply(
      edited('integrity: [NIA2, NIA1]', 'integrity: [NIA2, NIA0]'),
      base(0),
      admin,
      'r',
    );
    expect(applied.warnings).toEqual([
      {
        path: 'security.nr.integrity[1]',
        message:
          'NIA0 is null integrity: allowed only for unauthenticated emergency sessions (TS 33.501 §5.5.2)',
        line: 38,
        column: 23,
      },
    ]);
  });

  it('audits core-network.network-spec.applied in the same transaction', async () => {
    const applied = await service().apply(DEMO_NETWORK_YAML, base(0), admin, 'req-audit');
    expect(await auditRows()).toEqual([
      {
        action: 'core-network.network-spec.applied',
        actor_type: 'operator',
        actor_id: 'op-network-admin',
        target: 'network-spec:v1',
        request_id: 'req-audit',
        details: {
          version: 1,
          sha256: applied.sha256,
          plmn: '001/01',
          tacs: [1],
          slices: ['SST 1', 'SST 1 SD 000001'],
          dnns: ['internet', 'gov'],
          expectedUeCount: 10_000,
          warnings: 0,
          weakSecurityOverride: false,
        },
      },
    ]);
    expect((await audit.verify()).ok).toBe(true);
  });
});

describe('rejected specs', () => {
  it('names every path at fault, format and logic alike (422 invalid_network_spec), and stores nothing', async () => {
    await service().apply(DEMO_NETWORK_YAML, base(0), admin, 'req-1');
    const bad = edited("mnc: '01'", "mnc: '0001'")
      .replace("sd: '000001'\ndnns:", "sd: '00001'\ndnns:")
      .replace('subnet: 10.46.0.0/16', 'subnet: 10.45.128.0/17')
      .replace('gateway: 10.46.0.1', 'gateway: 10.45.128.1');
    const err = await refusal(service().apply(bad, base(1), admin, 'req-2'));
    expect(err.code).toBe('invalid_network_spec');
    expect(err.status).toBe(422);
    // The schema errors (plmn, slices) do not hide the overlap found by the checks on the valid sections.
    expect(err.details).toEqual({
      errors: [
        { path: 'plmn.mnc', message: 'MNC must be 2 or 3 digits, got 4 ("0001")', line: 9, column: 8 },
        {
          path: 'slices[1].sd',
          message: 'SD must be exactly 6 hex digits, e.g. "000001"',
          line: 16,
          column: 9,
        },
        {
          path: 'dnns[1].ipv4.subnet',
          message: '10.45.128.0/17 overlaps dnns[0].ipv4.subnet 10.45.0.0/16 (internet)',
          line: 29,
          column: 15,
        },
      ],
      warnings: [],
    });
    expect(err.message).toBe(
      'The network spec is invalid (3 errors):\n' +
        'line 9, column 8: plmn.mnc: MNC must be 2 or 3 digits, got 4 ("0001")\n' +
        'line 16, column 9: slices[1].sd: SD must be exactly 6 hex digits, e.g. "000001"\n' +
        'line 29, column 15: dnns[1].ipv4.subnet: 10.45.128.0/17 overlaps dnns[0].ipv4.subnet 10.45.0.0/16 (internet)',
    );
    expect(await versions()).toEqual([1]);
    expect((await auditRows()).length).toBe(1);
  });

  it('cross-field errors (undeclared slice, overlapping subnets) once the schema passes', async () => {
    const bad = edited("        sd: '000001'\nsecurity:", "        sd: '000002'\nsecurity:")
      .replace('subnet: 10.46.0.0/16', 'subnet: 10.45.128.0/17')
      .replace('gateway: 10.46.0.1', 'gateway: 10.45.128.1');
    const err = await refusal(service().apply(bad, base(0), admin, 'req-1'));
    const errors = (err.details as { errors: { path: string; message: string }[] }).errors;
    expect(errors.map(({ path, message }) => ({ path, message }))).toEqual([
      {
        path: 'dnns[1].slices[0]',
        message: 'slice SST 1 SD 000002 is not declared in slices (declared: SST 1, SST 1 SD 000001)',
      },
      {
        path: 'dnns[1].ipv4.subnet',
        message: '10.45.128.0/17 overlaps dnns[0].ipv4.subnet 10.45.0.0/16 (internet)',
      },
    ]);
    expect(await versions()).toEqual([]);
    expect(await auditRows()).toEqual([]);
  });

  it('YAML syntax errors carry line and column; oversized specs are 413', async () => {
    const err = await refusal(service().apply('plmn: [unclosed\n', base(0), admin, 'r'));
    expect(err.code).toBe('invalid_network_spec');
    expect(err.message).toMatch(/YAML syntax error at line \d+, column \d+/);
    const big = await refusal(service().apply(`#${'x'.repeat(300 * 1024)}`, base(0), admin, 'r'));
    expect([big.code, big.status]).toEqual(['network_spec_too_large', 413]);
    expect(await versions()).toEqual([]);
  });

  it('current and open5gs-config are 404 before any spec exists', async () => {
    expect((await refusal(service().current())).code).toBe('network_spec_not_found');
    expect((await refusal(service().open5gsConfig())).code).toBe('network_spec_not_found');
  });
});

describe('demo spec and Open5GS files', () => {
  it('ensureDemoSpec applies the demo once when seedDemo is on, as the system', async () => {
    expect(await service(false).ensureDemoSpec()).toEqual({ applied: false, version: null });
    expect(await versions()).toEqual([]);
    const results = await Promise.all([service(true).ensureDemoSpec(), service(true).ensureDemoSpec()]);
    expect(results.filter((r) => r.applied)).toEqual([{ applied: true, version: 1 }]);
    expect(await service(true).ensureDemoSpec()).toEqual({ applied: false, version: null });
    const current = await service().current();
    expect(current).toMatchObject({
      version: 1,
      appliedBy: `system:${SYSTEM_ACTOR.id}`,
      sourceYaml: DEMO_NETWORK_YAML,
    });
    expect((await auditRows()).map((r) => [r.action, r.actor_type, r.target])).toEqual([
      ['core-network.network-spec.applied', 'system', 'network-spec:v1'],
    ]);
  });

  it('ensureDemoSpec leaves an operator-applied spec alone', async () => {
    await service().apply(edited('expectedUeCount: 10000', 'expectedUeCount: 500'), base(0), admin, 'r');
    expect(await service(true).ensureDemoSpec()).toEqual({ applied: false, version: null });
    expect((await service().current()).spec.expectedUeCount).toBe(500);
  });

  it('renders the current spec to the Open5GS files', async () => {
    const applied = await service().apply(DEMO_NETWORK_YAML, base(0), admin, 'r');
    const config = await service().open5gsConfig();
    expect(config.specVersion).toBe(1);
    expect(config.sha256).toBe(applied.sha256);
    expect(config.files.map((f) => f.name)).toEqual([
      ...OPEN5GS_CONFIG_FILES,
      ...['mme', 'hss', 'smf', 'pcrf'].map((nf) => `freeDiameter/${nf}.conf`),
      // The demo's one UPF: the tun device of its DNNs, the sysctl file and its nftables script.
      'upf-host/upf/50-pakawaaz-ogstun.netdev',
      'upf-host/upf/50-pakawaaz-ogstun.network',
      'upf-host/upf/30-pakawaaz-upf.conf',
      'upf-host/upf/pakawaaz-upf.nft',
    ]);
    const nft = config.files.find((f) => f.name === 'upf-host/upf/pakawaaz-upf.nft')?.content ?? '';
    expect(nft).toContain('table inet pakawaaz_upf');
    const amf = config.files.find((f) => f.name === 'amf.yaml')?.content ?? '';
    expect(amf.split('\n')[0]).toBe(
      `# Generated by Pakawaaz from network spec ${applied.sha256} — do not edit by hand`,
    );
    expect(amf).toContain('    ue: 12288\n');
  });
});

describe('spec changes against saved subscriber profiles', () => {
  const withoutGov = DEMO_NETWORK_YAML.replace(/ {2}- name: gov\n[\s\S]*?sd: '000001'\n(?=security:)/, '');
  const gbps = { downlink: { value: 1, unit: 'Gbps' }, uplink: { value: 1, unit: 'Gbps' } };
  const govProfile = (type = 'IPv4') => ({
    ambr: gbps,
    slices: [{ sst: 1, sd: '000001', default: true, sessions: [{ dnn: 'gov', type, ambr: gbps }] }],
  });
  const profiles = () =>
    new SubscriberProfilesService(
      new SubscribersRepository(db.handle),
      audit,
      new NetworkSpecRepository(db.handle),
    );
  const ctx = { principal: admin, requestId: null };

  it('refuses (409 spec_orphans_profiles) a spec that drops a DNN a profile grants, naming the profile and its need', async () => {
    expect(withoutGov).not.toContain('- name: gov\n');
    await service().apply(DEMO_NETWORK_YAML, base(0), admin, 'r1');
    await profiles().save('default', '', DEFAULT_PROFILE, ctx);
    await profiles().save('gov-priority', 'Ministers', govProfile(), ctx);
    const auditBefore = (await auditRows()).length;

    const err = await refusal(service().apply(withoutGov, base(1), admin, 'r2'));

    expect([err.code, err.status]).toEqual(['spec_orphans_profiles', 409]);
    expect(err.details).toEqual({
      profiles: [
        {
          profile: 'gov-priority',
          needs: [
            {
              path: 'slices[0].sessions[0].dnn',
              message:
                'the running network spec offers no DNN gov in slice SST 1 SD 000001: add it there first',
            },
          ],
        },
      ],
    });
    expect(err.message).toMatch(/^This spec would break subscriber profile\(s\) gov-priority: /);
    expect(await versions()).toEqual([1]);
    expect((await auditRows()).length).toBe(auditBefore);
  });

  it('does not let a profile already out of step with the running spec (an upgraded install) block an unrelated change', async () => {
    await service().apply(withoutGov, base(0), admin, 'r1');
    // Saved before profiles were checked against the spec: it grants gov, which the running spec lacks.
    await db.handle.db
      .insert(subscriberProfiles)
      .values({ name: 'legacy-gov', description: '', profile: govProfile() });
    const otherTac = withoutGov.replace(/^tacs: \[1\]$/m, 'tacs: [1, 2]');
    expect(otherTac).not.toBe(withoutGov);

    expect((await service().preview(otherTac, admin)).valid).toBe(true);
    expect((await service().apply(otherTac, base(1), admin, 'r2')).version).toBe(2);
    // A change that breaks a profile that was fine is still refused.
    await profiles().save('default', '', DEFAULT_PROFILE, ctx);
    const noInternet = otherTac.replace(/name: internet/, 'name: web');
    expect((await refusal(service().apply(noInternet, base(2), admin, 'r3'))).code).toBe(
      'spec_orphans_profiles',
    );
  });

  it('the preview shows the same as errors, so it does not promise an apply that is refused', async () => {
    await service().apply(DEMO_NETWORK_YAML, base(0), admin, 'r1');
    await profiles().save('gov-priority', '', govProfile(), ctx);

    const preview = await service().preview(withoutGov, admin);

    expect(preview.valid).toBe(false);
    expect(preview.errors).toEqual([
      {
        path: 'profile gov-priority: slices[0].sessions[0].dnn',
        message: 'the running network spec offers no DNN gov in slice SST 1 SD 000001: add it there first',
      },
    ]);
    expect((await service().preview(DEMO_NETWORK_YAML, admin)).valid).toBe(true);
  });

  it('applies once the profile no longer needs what the spec drops', async () => {
    await service().apply(DEMO_NETWORK_YAML, base(0), admin, 'r1');
    await profiles().save('gov-priority', '', govProfile(), ctx);
    await profiles().save('gov-priority', '', DEFAULT_PROFILE, ctx);

    expect((await service().apply(withoutGov, base(1), admin, 'r2')).version).toBe(2);
  });

  it('refuses to save a profile granting what the running spec lacks (422 invalid_profile), IP version included', async () => {
    await service().apply(withoutGov, base(0), admin, 'r1');

    const missing = await refusal(profiles().save('gov-priority', '', govProfile(), ctx));
    expect([missing.code, missing.status]).toEqual(['invalid_profile', 422]);
    expect(missing.message).toBe(
      'slices[0].sessions[0].dnn: the running network spec offers no DNN gov in slice SST 1 SD 000001: add it there first',
    );
    const v6 = {
      ...DEFAULT_PROFILE,
      slices: [
        {
          ...DEFAULT_PROFILE.slices[0]!,
          sessions: [{ ...DEFAULT_PROFILE.slices[0]!.sessions[0]!, type: 'IPv4v6' }],
        },
      ],
    };
    const noV6 = await refusal(profiles().save('dual', '', v6, ctx));
    expect(noV6.message).toMatch(
      /^slices\[0\]\.sessions\[0\]\.type: IPv4v6 needs an IPv6 pool, but DNN internet/,
    );
    expect(await query('select name from core_network.subscriber_profiles')).toEqual([]);
  });

  it('is still national-only: an institution operator is refused before any profile is read', async () => {
    await service().apply(DEMO_NETWORK_YAML, base(0), admin, 'r1');
    await profiles().save('gov-priority', '', govProfile(), ctx);
    const institutional = { ...admin, institutionId: 'inst-1', scope: institutionScope(['inst-1']) };

    const err = await refusal(service().apply(withoutGov, base(1), institutional, 'r2'));

    expect(err.code).toBe('national_only');
    expect(await versions()).toEqual([1]);
  });
});
