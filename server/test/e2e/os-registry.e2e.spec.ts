import 'reflect-metadata';
import { createHash } from 'node:crypto';
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LAB_VERIFIED_BOOT_KEY } from '@pakawaaz/device-mgmt/attestation';
import {
  HandsetHttpError,
  labRootPaths,
  loadOrCreateLabRoot,
  SimulatedHandset,
  type LabAttestationRoot,
} from '@pakawaaz/handset-simulator';
import { freeTcpPort } from '@pakawaaz/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFile } from 'node:fs/promises';
import { ensureBuilt, runCli } from '../support/cli.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/*
 * Issue 13's registry over the real protocols: models, boot keys and releases through the API; OTA payloads
 * streamed as application/octet-stream, refused whole when too large or cut short; and a verified-boot key
 * marked compromised turns a simulated handset (lab root, LAB_VERIFIED_BOOT_KEY) non-compliant at its next
 * check-in, and keeps new handsets with that key from enrolling.
 */
const MAX_BYTES = 4096;
let server: TestServer;
let admin: string;
let labDir: string;
let payloadDir: string;
let root: LabAttestationRoot;
const handsets: SimulatedHandset[] = [];

async function api<T>(method: string, p: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await server.request(method, p, { token: admin, ...(body === undefined ? {} : { body }) });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

function upload(releaseId: string, bytes: Buffer, query = 'kind=full') {
  return fetch(`${server.url}/api/v1/os/releases/${releaseId}/payloads?${query}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/octet-stream' },
    body: bytes,
  });
}

function newHandset(): SimulatedHandset {
  if (!server.devicePort.open) throw new Error('the device port is not open');
  const h = new SimulatedHandset({ apiUrl: server.url, deviceUrl: server.devicePort.url, root });
  handsets.push(h);
  return h;
}

/** An OTA payload upload that declares 4,000 bytes; the test writes fewer (a client cut off, or stalling). */
function shortUpload(releaseId: string, onResponse?: (res: IncomingMessage) => void): ClientRequest {
  return httpRequest(
    `${server.url}/api/v1/os/releases/${releaseId}/payloads?kind=incremental&from=PKZ1.261001.001`,
    {
      method: 'POST',
      headers: {
        authorization: `Bearer ${admin}`,
        'content-type': 'application/octet-stream',
        'content-length': '4000',
      },
    },
    onResponse,
  );
}

async function enrolmentToken(): Promise<string> {
  const r = await api<{ token: string }>('POST', '/api/v1/enrolment-tokens', { official: 'omar.riaz' });
  expect(r.status).toBe(201);
  return r.body.token;
}

beforeAll(async () => {
  labDir = await mkdtemp(path.join(tmpdir(), 'pkz-os-lab-'));
  payloadDir = path.join(labDir, 'payloads');
  root = await loadOrCreateLabRoot(labDir);
  server = await startTestServer({
    OPEN5GS_MONITOR: 'off',
    PAKAWAAZ_DEVICE_PORT: String(await freeTcpPort()),
    PAKAWAAZ_TRUST_LAB_ROOT: '1',
    PAKAWAAZ_LAB_ROOT_FILE: labRootPaths(labDir).cert,
    PAKAWAAZ_OS_PAYLOAD_DIR: payloadDir,
    PAKAWAAZ_OS_PAYLOAD_MAX_BYTES: String(MAX_BYTES),
    PAKAWAAZ_OS_PAYLOAD_UPLOAD_IDLE_SECONDS: '1',
  });
  admin = await server.adminToken();
  const inst = await api<{ id: string }>('POST', '/api/v1/institutions', { name: 'Ministry of Ports' });
  expect(inst.status).toBe(201);
  const user = await api('POST', '/api/v1/users', {
    username: 'omar.riaz',
    displayName: 'Omar Riaz',
    kind: 'official',
    institution: inst.body.id,
    password: 'harbour-lantern-violet-42',
  });
  expect(user.status).toBe(201);
}, 180_000);

afterAll(async () => {
  handsets.forEach((h) => h.close());
  await server?.stop();
  await rm(labDir, { recursive: true, force: true });
});

describe('the OS registry', () => {
  let releaseId = '';

  it('registers a model, its verified-boot key and a release', async () => {
    const model = await api('POST', '/api/v1/os/models', {
      codename: 'labphone',
      manufacturer: 'Pakawaaz Lab',
      name: 'Lab Phone',
      strongBox: true,
    });
    expect(model.status).toBe(201);
    const key = await api<{ status: string }>('POST', '/api/v1/os/boot-keys', {
      model: 'labphone',
      digest: LAB_VERIFIED_BOOT_KEY.toUpperCase(),
      label: 'lab signing key',
    });
    expect(key.status).toBe(201);
    expect(key.body.status).toBe('active');
    expect(
      (
        await api<{ code: string }>('POST', '/api/v1/os/boot-keys', {
          model: 'nophone',
          digest: LAB_VERIFIED_BOOT_KEY,
        })
      ).body.code,
    ).toBe('device_model_not_found');
    const release = await api<{ id: string; channel: string }>('POST', '/api/v1/os/releases', {
      model: 'labphone',
      buildId: 'PKZ1.261101.001',
      fingerprint: 'pakawaaz/labphone/labphone:15/PKZ1.261101.001/1:user/release-keys',
      version: '15',
      securityPatchLevel: '2026-11-05',
      channel: 'stable',
      notes: 'November security update',
    });
    expect(release.status).toBe(201);
    releaseId = release.body.id;
  });

  it('stores an OTA payload by the SHA-256 of its bytes', async () => {
    const bytes = Buffer.alloc(3000, 7);
    const res = await upload(releaseId, bytes);
    expect(res.status).toBe(201);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    expect(await res.json()).toMatchObject({ kind: 'full', sha256, sizeBytes: 3000 });
    expect(await readdir(payloadDir)).toEqual([sha256]);
    const listed = await api<{ payloads: unknown[] }>('GET', `/api/v1/os/releases/${releaseId}`);
    expect(listed.body.payloads).toHaveLength(1);
  });

  it('refuses an oversized payload and a truncated one, and leaves no partial file', async () => {
    const before = await readdir(payloadDir);
    const big = await upload(releaseId, Buffer.alloc(MAX_BYTES + 1), 'kind=incremental&from=PKZ1.261001.001');
    expect(big.status).toBe(413);
    expect(((await big.json()) as { code: string }).code).toBe('payload_too_large');
    // A client that declares 4,000 bytes, sends 100 and hangs up.
    await new Promise<void>((resolve) => {
      const req = shortUpload(releaseId);
      req.on('error', () => resolve());
      req.write(Buffer.alloc(100), () => setTimeout(() => (req.destroy(), resolve()), 200));
    });
    await expect.poll(() => readdir(payloadDir), { timeout: 5000 }).toEqual(before);
    const wrong = await upload(
      releaseId,
      Buffer.alloc(10),
      `kind=incremental&from=PKZ1.261001.001&sha256=${'0'.repeat(64)}`,
    );
    expect(wrong.status).toBe(422);
    expect(await readdir(payloadDir)).toEqual(before);
  });

  it('answers a stalled upload 400 payload_upload_timeout on its connection (not a reset), leaving no file', async () => {
    const before = await readdir(payloadDir);
    // Declares 4,000 bytes, sends 100 and then nothing: the idle limit (1 s here) ends it.
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = shortUpload(releaseId, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.write(Buffer.alloc(100));
    });
    expect(answer.status).toBe(400);
    expect((JSON.parse(answer.body) as { code: string }).code).toBe('payload_upload_timeout');
    await expect.poll(() => readdir(payloadDir), { timeout: 5000 }).toEqual(before);
  });

  it('refuses application/octet-stream on any other route', async () => {
    const res = await fetch(`${server.url}/api/v1/os/models`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/octet-stream' },
      body: Buffer.from('x'),
    });
    expect(res.status).toBe(415);
  });
});

describe('pakawaaz os', () => {
  it('registers a model, a key and a release, and uploads a payload with progress', async () => {
    ensureBuilt();
    const env = { PAKAWAAZ_URL: server.url, PAKAWAAZ_TOKEN: admin };
    const ok = async (args: string[]) => {
      const r = await runCli(['os', ...args], env);
      expect(r.code, r.stderr).toBe(0);
      return r;
    };
    await ok(['models', 'add', 'cliphone', '--manufacturer', 'Pakawaaz Lab', '--no-strongbox']);
    await ok(['boot-keys', 'add', 'cliphone', 'c3'.repeat(32), '--retired']);
    const listed = await ok(['boot-keys', 'list', '--model', 'cliphone']);
    expect(listed.stdout).toContain(`${'c3'.repeat(32)}  retired`);
    const added = await ok([
      'releases',
      'add',
      '--model',
      'cliphone',
      '--build-id',
      'CLI1.261201.001',
      '--android-version',
      '15',
      '--patch',
      '2026-12-01',
      '--channel',
      'beta',
      '--fingerprint',
      'pakawaaz/cliphone/cliphone:15/CLI1.261201.001/7:user/release-keys',
      '--json',
    ]);
    const { id } = JSON.parse(added.stdout) as { id: string };
    const file = path.join(labDir, 'cli-ota.zip');
    const bytes = Buffer.alloc(2500, 3);
    await writeFile(file, bytes);
    const up = await ok(['releases', 'upload', id, file]);
    expect(up.stderr).toContain('100%');
    expect(up.stdout).toContain(createHash('sha256').update(bytes).digest('hex'));
    const tooBig = path.join(labDir, 'cli-big.zip');
    await writeFile(tooBig, Buffer.alloc(MAX_BYTES + 10));
    const refused = await runCli(
      ['os', 'releases', 'upload', id, tooBig, '--incremental-from', 'CLI1.261101.001'],
      env,
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('payload_too_large');
  });
});

describe('a compromised verified-boot key', () => {
  it('turns an enrolled handset non-compliant at its next check-in, and keeps new ones out', async () => {
    const handset = newHandset();
    await handset.enrol(await enrolmentToken());
    expect((await handset.checkIn()).compliance.state).toBe('compliant');

    const marked = await api<{ status: string }>(
      'PUT',
      `/api/v1/os/boot-keys/labphone/${LAB_VERIFIED_BOOT_KEY}/status`,
      { status: 'compromised' },
    );
    expect(marked.status).toBe(200);
    expect(marked.body.status).toBe('compromised');

    const reply = await handset.checkIn();
    expect(reply.compliance).toEqual({ state: 'non_compliant', reasons: ['BOOT_KEY_COMPROMISED'] });
    const shown = await api<{ compliance: string }>('GET', `/api/v1/devices/${handset.deviceId}`);
    expect(shown.body.compliance).toBe('non_compliant');

    const err = (await newHandset()
      .enrol(await enrolmentToken())
      .catch((e: unknown) => e)) as HandsetHttpError;
    expect(err).toBeInstanceOf(HandsetHttpError);
    expect(JSON.stringify(err.body)).toContain('BOOT_KEY_UNKNOWN');

    // Compromised is final.
    const back = await api<{ code: string }>(
      'PUT',
      `/api/v1/os/boot-keys/labphone/${LAB_VERIFIED_BOOT_KEY}/status`,
      { status: 'active' },
    );
    expect(back.status).toBe(409);
    expect(back.body.code).toBe('boot_key_compromised');
  });
});
