import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  healthyLabAttestation,
  LAB_AGENT,
  LAB_BOOT_KEY,
  LabHandset,
  loadOrCreateLabRoot,
  signWithDeviceKey,
  type LabAttestation,
  type LabAttestationRoot,
} from '@pakawaaz/handset-simulator';
import {
  controlPlaneApi,
  passwordFactor,
  possessionFirst,
  signedIn,
  unwrap,
  type ControlPlaneApi,
} from '../../src/server-process/control-plane-api.js';
import { startServerProcess, type ServerProcess } from '../../src/server-process/server-process.js';

/*
 * Attested enrolment end to end: the built server in a child process trusting a lab attestation root, an
 * institution's device administrator making enrolment tokens, lab handsets enrolling (and being refused with
 * their reason codes), then the official signing in with the device factor.
 */
const ADMIN_PASSWORD = 'quartz-meadow-lantern-58';
const OFFICIAL = { username: 'nadia.rahman', password: 'violet-harbour-tandem-93' };
const OTHER = { username: 'omar.farooq', password: 'copper-lantern-meadow-41' };
const DEVICE_ADMIN = { username: 'interior.devices', password: 'amber-quartz-harbour-77' };
const REVOKED_BATCH = 'badbadbad1';

/** A JSON reply as the tests read it (several shapes; a non-JSON body as `text`). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Reply = Record<string, any>;

let server: ServerProcess;
let admin: ControlPlaneApi;
let deviceAdmin: ControlPlaneApi;
let root: LabAttestationRoot;
let dir: string;

async function call(api: ControlPlaneApi | null, method: string, p: string, body?: unknown) {
  const res = await fetch(`${server.url}${p}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(api?.token ? { authorization: `Bearer ${api.token}` } : {}),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  const type = res.headers.get('content-type') ?? '';
  return { status: res.status, body: (type.includes('json') && text ? JSON.parse(text) : { text }) as Reply };
}

const newToken = async (official = OFFICIAL.username) => {
  const r = await call(deviceAdmin, 'POST', '/api/v1/enrolment-tokens', { official });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.token as string;
};

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'pkz-enrol-e2e-'));
  root = await loadOrCreateLabRoot(path.join(dir, 'lab'));
  await writeFile(
    path.join(dir, 'status.json'),
    JSON.stringify({ entries: { [REVOKED_BATCH]: { status: 'REVOKED', reason: 'KEY_COMPROMISE' } } }),
  );
  server = await startServerProcess({
    adminPassword: ADMIN_PASSWORD,
    env: {
      PAKAWAAZ_TRUST_LAB_ROOT: '1',
      PAKAWAAZ_LAB_ROOT_FILE: path.join(dir, 'lab', 'attestation-root.pem'),
      PAKAWAAZ_ATTESTATION_STATUS_FILE: path.join(dir, 'status.json'),
      PAKAWAAZ_TRUSTED_BOOT_KEYS: LAB_BOOT_KEY.toString('hex'),
      PAKAWAAZ_AGENT_PACKAGE: LAB_AGENT.packageName,
      PAKAWAAZ_AGENT_SIGNATURE_DIGESTS: LAB_AGENT.signatureDigest.toString('hex'),
      PAKAWAAZ_MIN_PATCH_LEVEL: '202501',
    },
  });
  admin = await signedIn(controlPlaneApi(server.url), 'admin', ADMIN_PASSWORD);
  for (const name of ['Ministry of Interior', 'Ministry of Finance'])
    await unwrap(admin.POST('/api/v1/institutions', { body: { name } }));
  const user = (u: { username: string; password: string }, institution: string, extra: object = {}) =>
    unwrap(
      admin.POST('/api/v1/users', {
        body: { kind: 'official', displayName: u.username, institution, ...u, ...extra },
      }),
    );
  await user(OFFICIAL, 'Ministry of Interior');
  await user(OTHER, 'Ministry of Finance');
  await user(DEVICE_ADMIN, 'Ministry of Interior', { kind: 'operator', roles: ['device-admin'] });
  deviceAdmin = await signedIn(controlPlaneApi(server.url), DEVICE_ADMIN.username, DEVICE_ADMIN.password);
});
afterAll(async () => {
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('attested enrolment over HTTP', () => {
  it('enrols a lab handset: a device certificate from the device CA that openssl verifies', async () => {
    const created = await call(deviceAdmin, 'POST', '/api/v1/enrolment-tokens', {
      official: OFFICIAL.username,
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      state: 'pending',
      official: { username: OFFICIAL.username },
      institutionName: 'Ministry of Interior',
    });
    expect(created.body.enrolUrl).toContain(created.body.token);
    const handset = new LabHandset(root, (c) => ({ ...healthyLabAttestation(c), imei: '490154203237518' }));
    const token = created.body.token as string;
    const enrolled = await handset.enrol(server.url, token);
    expect(enrolled.deviceId).toMatch(/^[0-9a-f-]{36}$/);
    const ca = await call(null, 'GET', '/api/v1/device-ca/certificate');
    expect(ca.status).toBe(200);
    await writeFile(path.join(dir, 'ca.pem'), ca.body.text as string);
    await writeFile(path.join(dir, 'device.pem'), enrolled.certificatePem);
    const verified = execFileSync(
      'openssl',
      ['verify', '-CAfile', path.join(dir, 'ca.pem'), path.join(dir, 'device.pem')],
      {
        encoding: 'utf8',
      },
    );
    expect(verified).toContain(': OK');
    // The token is spent: a second handset (or a replay) cannot use it.
    const again = await call(null, 'POST', '/api/v1/enrolment/challenge', { token });
    expect(again.status).toBe(401);
    expect(again.body.code).toBe('enrolment_token_invalid');
  });

  it('refuses bad attestations with their reason codes (422 attestation_refused)', async () => {
    const cases: [Partial<LabAttestation>, string][] = [
      [{ securityLevel: 'Software' }, 'SECURITY_LEVEL'],
      [{ deviceLocked: false }, 'DEVICE_UNLOCKED'],
      [{ verifiedBootKey: Buffer.alloc(32, 7) }, 'BOOT_KEY_UNKNOWN'],
      [{ intermediateSerial: REVOKED_BATCH }, 'CERT_REVOKED'],
      [
        { notBefore: new Date(Date.now() - 3 * 86_400_000), notAfter: new Date(Date.now() - 86_400_000) },
        'CERT_EXPIRED',
      ],
      [{ osPatchLevel: 202301, vendorPatchLevel: 20230105, bootPatchLevel: 20230105 }, 'PATCH_LEVEL'],
    ];
    for (const [change, reason] of cases) {
      const handset = new LabHandset(root, (c) => ({ ...healthyLabAttestation(c), ...change }));
      const r = await handset.tryEnrol(server.url, await newToken());
      expect(r.status, `${reason} ${JSON.stringify(r.body)}`).toBe(422);
      expect(r.body.code).toBe('attestation_refused');
      expect((r.body.details as { reasons: string[] }).reasons, reason).toContain(reason);
    }
  });

  it('refuses a chain for another challenge, and a replayed challenge', async () => {
    const token = await newToken();
    const handset = new LabHandset(root);
    const first = await handset.challenge(server.url, token);
    const second = await handset.challenge(server.url, token);
    // Attested for the first challenge, sent with the second: the verifier sees the mismatch.
    const attested = await handset.attest(first.challenge);
    const wrong = await call(null, 'POST', '/api/v1/enrolment', {
      token,
      challengeId: second.challengeId,
      attestationChain: attested.chain,
      csr: attested.csr,
    });
    expect(wrong.status).toBe(422);
    expect((wrong.body.details as { reasons: string[] }).reasons).toContain('CHALLENGE_MISMATCH');
    // The second challenge was spent by that attempt: replaying it (even with a good chain) fails.
    const good = await handset.attest(second.challenge);
    const replay = await call(null, 'POST', '/api/v1/enrolment', {
      token,
      challengeId: second.challengeId,
      attestationChain: good.chain,
      csr: good.csr,
    });
    expect(replay.status).toBe(409);
    expect(replay.body.code).toBe('challenge_invalid');
  });

  it('answers malformed chains and CSRs with 400', async () => {
    const token = await newToken();
    const handset = new LabHandset(root);
    const c = await handset.challenge(server.url, token);
    const a = await handset.attest(c.challenge);
    const junk = Buffer.from([0x30, 0x84, 0xff, 0xff, 0xff, 0xff]).toString('base64');
    const badChain = await call(null, 'POST', '/api/v1/enrolment', {
      token,
      challengeId: c.challengeId,
      attestationChain: [junk],
      csr: a.csr,
    });
    expect(badChain.status).toBe(400);
    const c2 = await handset.challenge(server.url, token);
    const a2 = await handset.attest(c2.challenge);
    const badCsr = await call(null, 'POST', '/api/v1/enrolment', {
      token,
      challengeId: c2.challengeId,
      attestationChain: a2.chain,
      csr: junk,
    });
    expect(badCsr.status).toBe(400);
    expect(badCsr.body.code).toBe('csr_invalid');
  });

  it('answers oversized and over-deep chains and CSRs with 400 within the time budget, and keeps serving', async () => {
    const token = await newToken();
    const handset = new LabHandset(root);
    const c = await handset.challenge(server.url, token);
    const a = await handset.attest(c.challenge);
    const b64 = (b: Buffer) => b.toString('base64');
    // DER SEQUENCEs nested `depth` deep (each with a 2-byte long-form length), as one value.
    const nested = (depth: number): Buffer => {
      let v = Buffer.alloc(0);
      for (let i = 0; i < depth; i++)
        v = Buffer.concat([Buffer.from([0x30, 0x82, v.length >> 8, v.length & 0xff]), v]);
      return v;
    };
    const cert = Buffer.from(a.chain[0]!, 'base64');
    const padded = (n: number) => Buffer.concat([cert, Buffer.alloc(n - cert.length, 0x41)]);
    const chains: [string, string[]][] = [
      // Limits of device-mgmt's attestation parser (ATTESTATION_LIMITS): 8 certificates of 16 KiB, 64 KiB.
      ['nine certificates', Array.from({ length: 9 }, () => a.chain[0]!)],
      ['a 17 KiB certificate', [b64(padded(17 * 1024)), ...a.chain.slice(1)]],
      ['80 KiB in all', Array.from({ length: 8 }, () => b64(padded(10 * 1024)))],
      ['ASN.1 nested 2,000 deep', [b64(nested(2_000)), ...a.chain.slice(1)]],
    ];
    for (const [what, attestationChain] of chains) {
      const fresh = await handset.challenge(server.url, token);
      const started = performance.now();
      const r = await call(null, 'POST', '/api/v1/enrolment', {
        token,
        challengeId: fresh.challengeId,
        attestationChain,
        csr: a.csr,
      });
      const ms = performance.now() - started;
      expect(r.status, `${what}: ${JSON.stringify(r.body)}`).toBe(400);
      expect(ms, what).toBeLessThan(5_000);
    }
    const csrs: [string, string][] = [
      ['a 5 KiB CSR', b64(Buffer.concat([Buffer.from(a.csr, 'base64'), Buffer.alloc(5 * 1024, 0x41)]))],
      ['a CSR nested 1,000 deep', b64(nested(1_000))],
    ];
    for (const [what, csr] of csrs) {
      const fresh = await handset.challenge(server.url, token);
      const attested = await handset.attest(fresh.challenge);
      const started = performance.now();
      const r = await call(null, 'POST', '/api/v1/enrolment', {
        token,
        challengeId: fresh.challengeId,
        attestationChain: attested.chain,
        csr,
      });
      expect(r.status, `${what}: ${JSON.stringify(r.body)}`).toBe(400);
      expect(performance.now() - started, what).toBeLessThan(5_000);
    }
    // The token was never spent by the refusals: a good attempt still enrols.
    const ok = await handset.tryEnrol(server.url, token);
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
  });

  it("keeps an institution's device administrator to its own officials", async () => {
    const r = await call(deviceAdmin, 'POST', '/api/v1/enrolment-tokens', { official: OTHER.username });
    expect(r.status).toBe(404);
    expect(r.body.code).toBe('official_not_found');
    const operator = await call(deviceAdmin, 'POST', '/api/v1/enrolment-tokens', { official: 'admin' });
    expect(operator.status).toBe(404);
    const national = await call(admin, 'POST', '/api/v1/enrolment-tokens', { official: OTHER.username });
    expect(national.status).toBe(201);
    const listed = await call(deviceAdmin, 'GET', '/api/v1/enrolment-tokens');
    expect(listed.status).toBe(200);
    const usernames = new Set(
      (listed.body.tokens as { official: { username: string } }[]).map((t) => t.official.username),
    );
    expect([...usernames]).toEqual([OFFICIAL.username]);
  });
});

describe('the device factor', () => {
  it('an enrolled official signs in with the device and gets tokens bound to its certificate', async () => {
    const handset = new LabHandset(root);
    const enrolled = await handset.enrol(server.url, await newToken());
    const api = controlPlaneApi(server.url);
    const start = await possessionFirst(api, OFFICIAL.username);
    expect(start.status).toBe('mfa_required');
    const ticket = (start as { ticket: string }).ticket;
    const challenge = await call(null, 'POST', '/api/v1/auth/device/challenge', { ticket });
    expect(challenge.status, JSON.stringify(challenge.body)).toBe(200);
    const text = challenge.body.challenge as string;
    const proof = await call(null, 'POST', '/api/v1/auth/login/device', {
      ticket,
      challenge: text,
      certificateChain: [Buffer.from(enrolled.certificateDer).toString('base64')],
      signature: Buffer.from(signWithDeviceKey(enrolled.keys, text)).toString('base64'),
    });
    expect(proof.status, JSON.stringify(proof.body)).toBe(200);
    expect(proof.body.amr).toContain('hwk');
    const done = await passwordFactor(api, proof.body.ticket as string, OFFICIAL.password);
    expect(done.status).toBe('authenticated');
    const token = (done as { accessToken: string }).accessToken;
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as {
      cnf?: Record<string, string>;
    };
    const thumbprint = (await import('node:crypto'))
      .createHash('sha256')
      .update(enrolled.certificateDer)
      .digest('base64url');
    expect(claims.cnf?.['x5t#S256']).toBe(thumbprint);
  });
});

describe('devices in the NOC', () => {
  it('lists, shows and retires a device; its certificate then appears on the CRL', async () => {
    const handset = new LabHandset(root, (c) => ({ ...healthyLabAttestation(c), serial: 'LAB-SN-77' }));
    const enrolled = await handset.enrol(server.url, await newToken());
    const list = await call(deviceAdmin, 'GET', '/api/v1/devices?q=LAB-SN');
    expect(list.status).toBe(200);
    expect(list.body.total).toBe(1);
    expect((list.body.devices as unknown[])[0]).toMatchObject({
      id: enrolled.deviceId,
      serial: 'LAB-SN-77',
      official: { username: OFFICIAL.username },
      institutionName: 'Ministry of Interior',
      state: 'active',
    });
    const byOfficial = await call(deviceAdmin, 'GET', `/api/v1/devices?q=${OFFICIAL.username}`);
    expect(byOfficial.body.total).toBeGreaterThanOrEqual(1);
    const detail = await call(deviceAdmin, 'GET', `/api/v1/devices/${enrolled.deviceId}`);
    expect(detail.status).toBe(200);
    expect(detail.body.attestation).toMatchObject({ attestationSecurityLevel: 'StrongBox' });
    const certs = detail.body.certificates as { serial: string; status: string }[];
    expect(certs).toHaveLength(1);
    expect(certs[0]!.status).toBe('valid');
    const retired = await call(deviceAdmin, 'POST', `/api/v1/devices/${enrolled.deviceId}/retire`, {
      reason: 'handset returned to stores',
    });
    expect(retired.status).toBe(200);
    expect(retired.body.revokedCertificates).toEqual([certs[0]!.serial]);
    const crl = await fetch(`${server.url}/api/v1/device-ca/crl`);
    await writeFile(path.join(dir, 'crl-retired.der'), Buffer.from(await crl.arrayBuffer()));
    const text = execFileSync(
      'openssl',
      ['crl', '-inform', 'DER', '-in', path.join(dir, 'crl-retired.der'), '-noout', '-text'],
      {
        encoding: 'utf8',
      },
    );
    expect(text.toLowerCase()).toContain(certs[0]!.serial);
    const again = await call(deviceAdmin, 'POST', `/api/v1/devices/${enrolled.deviceId}/retire`, {
      reason: 'twice',
    });
    expect(again.status).toBe(409);
  });

  it("hides another institution's devices from an institution's device administrator", async () => {
    const otherDevice = await new LabHandset(root).enrol(
      server.url,
      (await call(admin, 'POST', '/api/v1/enrolment-tokens', { official: OTHER.username })).body
        .token as string,
    );
    const shown = await call(deviceAdmin, 'GET', `/api/v1/devices/${otherDevice.deviceId}`);
    expect(shown.status).toBe(404);
    const listed = await call(deviceAdmin, 'GET', `/api/v1/devices?q=${OTHER.username}`);
    expect(listed.body.total).toBe(0);
    const retire = await call(deviceAdmin, 'POST', `/api/v1/devices/${otherDevice.deviceId}/retire`, {
      reason: 'not mine',
    });
    expect(retire.status).toBe(404);
    const national = await call(admin, 'GET', `/api/v1/devices/${otherDevice.deviceId}`);
    expect(national.status).toBe(200);
  });
});

describe('the devices CLI', () => {
  const cli = (...args: string[]) =>
    execFileSync(
      process.execPath,
      [path.join(import.meta.dirname, '../../../server/bin/pakawaaz.js'), ...args],
      {
        encoding: 'utf8',
        env: { ...process.env, PAKAWAAZ_URL: server.url, PAKAWAAZ_TOKEN: deviceAdmin.token! },
      },
    );

  it('creates a token (with a QR code), lists and shows devices', async () => {
    const created = cli('devices', 'enrolment-token', 'create', '--user', OFFICIAL.username, '--qr');
    const token = /token: (\S+)/.exec(created)?.[1];
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(created).toContain('enrol URL: pakawaaz-enrol:?token=');
    expect(created).toMatch(/[▀▄█]/);
    const enrolled = await new LabHandset(root).enrol(server.url, token!);
    const tokens = JSON.parse(cli('devices', 'enrolment-tokens', '--json')) as { deviceId: string | null }[];
    expect(tokens.map((t) => t.deviceId)).toContain(enrolled.deviceId);
    const list = JSON.parse(cli('devices', 'list', '--json')) as { devices: { id: string }[] };
    expect(list.devices.map((d) => d.id)).toContain(enrolled.deviceId);
    expect(cli('devices', 'show', enrolled.deviceId)).toContain('certificate ');
  });
});

describe('the device CA', () => {
  it('publishes a CRL openssl reads, signed by the CA', async () => {
    const res = await fetch(`${server.url}/api/v1/device-ca/crl`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/pkix-crl');
    await writeFile(path.join(dir, 'crl.der'), Buffer.from(await res.arrayBuffer()));
    const out = execFileSync(
      'openssl',
      [
        'crl',
        '-inform',
        'DER',
        '-in',
        path.join(dir, 'crl.der'),
        '-noout',
        '-CAfile',
        path.join(dir, 'ca.pem'),
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    expect(out).toBe('');
  });
});
