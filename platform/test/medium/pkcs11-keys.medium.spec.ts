import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logging/logger.js';
import { KeyError } from '../../src/keys/key-backend.js';
import { KeyService } from '../../src/keys/key.service.js';
import { openKeyBackend } from '../../src/keys/open-keys.js';
import { Pkcs11KeyBackend } from '../../src/keys/pkcs11-key-backend.js';
import { keyRef, keyServiceContract } from '../../src/keys/key-service.contract.js';
import { requireServices } from '@pakawaaz/test-support';

/**
 * The PKCS#11 backend against Debian's softhsm2 on a throw-away token in a temp SOFTHSM2_CONF folder.
 * Missing softhsm2 → skipped with a notice; under PAKAWAAZ_REQUIRE_SERVICES=1 → the tests run and fail.
 */
const MODULE = process.env.PAKAWAAZ_TEST_PKCS11_MODULE ?? '/usr/lib/softhsm/libsofthsm2.so';
const SOFTHSM_UTIL = '/usr/bin/softhsm2-util';
const available = existsSync(MODULE) && existsSync(SOFTHSM_UTIL);
if (!available && !requireServices())
  console.warn(
    `\n[notice] softhsm2 is missing (apt-get install softhsm2): skipping the PKCS#11 key tests.\n`,
  );

const logger = createLogger({ level: 'silent' });
const run = promisify(execFile);
const LABEL = `pakawaaz-test-${process.pid}`;
const PIN = '246810';
let dir = '';
let pinFile = '';
const opened: KeyService[] = [];

async function service(): Promise<KeyService> {
  const backend = await Pkcs11KeyBackend.open({ modulePath: MODULE, tokenLabel: LABEL, pin: PIN });
  const s = new KeyService(backend, logger);
  opened.push(s);
  return s;
}

describe.runIf(available || requireServices())('PKCS#11 key backend (softhsm2)', () => {
  let shared: KeyService;
  let wrongPinError: KeyError | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'pkz-softhsm-'));
    await writeFile(
      path.join(dir, 'softhsm2.conf'),
      `directories.tokendir = ${dir}\nobjectstore.backend = file\nlog.level = ERROR\n`,
    );
    // Read by libsofthsm2 when it initialises, i.e. at the first open in this process.
    process.env.SOFTHSM2_CONF = path.join(dir, 'softhsm2.conf');
    await run(
      SOFTHSM_UTIL,
      ['--init-token', '--free', '--label', LABEL, '--pin', PIN, '--so-pin', '13579111'],
      {
        env: { ...process.env },
      },
    );
    pinFile = path.join(dir, 'pin');
    await writeFile(pinFile, `${PIN}\n`, { mode: 0o600 });
    // Before anything logs in: a PKCS#11 login holds for the whole process, so a wrong PIN is only refused first.
    const wrongPin = path.join(dir, 'wrong-pin');
    await writeFile(wrongPin, '000000', { mode: 0o600 });
    wrongPinError = await openKeyBackend({
      PAKAWAAZ_KEY_BACKEND: 'pkcs11',
      PAKAWAAZ_PKCS11_MODULE: MODULE,
      PAKAWAAZ_PKCS11_TOKEN_LABEL: LABEL,
      PAKAWAAZ_PKCS11_PIN_FILE: wrongPin,
    }).then(
      () => undefined,
      (e: unknown) => e as KeyError,
    );
    shared = await service();
  });

  afterAll(async () => {
    for (const s of opened.reverse()) await s.close().catch(() => undefined);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  keyServiceContract('PKCS#11, softhsm2', () => ({ keys: () => shared, dir: () => dir }));

  it('keeps keys in the token non-extractable: CKA_VALUE cannot be read and the key cannot be wrapped out', async () => {
    const ref = keyRef(dir, 'locked');
    await shared.useKeySet({ ...ref, protects: 'x', inUse: () => Promise.resolve(false) });
    await shared.useSigner({ ...ref, name: `${ref.name}-sig`, alg: 'ES256' });
    const p = (await import('pkcs11js')).default;
    const mod = new p.PKCS11();
    mod.load(MODULE);
    // The library is already initialised in this process by the backend.
    try {
      mod.C_Initialize();
    } catch (err) {
      expect((err as { code: number }).code).toBe(p.CKR_CRYPTOKI_ALREADY_INITIALIZED);
    }
    const slot = mod.C_GetSlotList(true).find((s) => mod.C_GetTokenInfo(s).label.trim() === LABEL)!;
    const session = mod.C_OpenSession(slot, p.CKF_SERIAL_SESSION | p.CKF_RW_SESSION);
    const find = (template: { type: number; value: number | string | boolean }[]) => {
      mod.C_FindObjectsInit(session, template);
      const found = mod.C_FindObjects(session, 10);
      mod.C_FindObjectsFinal(session);
      return found;
    };
    try {
      const [secret] = find([
        { type: p.CKA_CLASS, value: p.CKO_SECRET_KEY },
        { type: p.CKA_LABEL, value: `pakawaaz/${ref.name}/mac` },
      ]);
      const [aes] = find([
        { type: p.CKA_CLASS, value: p.CKO_SECRET_KEY },
        { type: p.CKA_KEY_TYPE, value: p.CKK_AES },
      ]);
      const [priv] = find([
        { type: p.CKA_CLASS, value: p.CKO_PRIVATE_KEY },
        { type: p.CKA_LABEL, value: `pakawaaz/${ref.name}-sig` },
      ]);
      for (const h of [secret!, aes!, priv!]) {
        const attrs = mod.C_GetAttributeValue(session, h, [
          { type: p.CKA_SENSITIVE },
          { type: p.CKA_EXTRACTABLE },
        ]);
        expect(attrs.map((a) => a.value[0])).toEqual([1, 0]);
        expect(() => mod.C_GetAttributeValue(session, h, [{ type: p.CKA_VALUE }])).toThrow(
          /CKR_ATTRIBUTE_SENSITIVE/,
        );
      }
      // A session key allowed to wrap: the token still refuses to wrap a non-extractable key with it.
      const wrapper = mod.C_GenerateKey(session, { mechanism: p.CKM_AES_KEY_GEN }, [
        { type: p.CKA_CLASS, value: p.CKO_SECRET_KEY },
        { type: p.CKA_KEY_TYPE, value: p.CKK_AES },
        { type: p.CKA_VALUE_LEN, value: 32 },
        { type: p.CKA_TOKEN, value: false },
        { type: p.CKA_WRAP, value: true },
      ]);
      expect(() =>
        mod.C_WrapKey(session, { mechanism: p.CKM_AES_KEY_WRAP }, wrapper, aes!, Buffer.alloc(512)),
      ).toThrow(/CKR_KEY_UNEXTRACTABLE|CKR_KEY_NOT_WRAPPABLE/);
    } finally {
      mod.C_CloseSession(session);
    }
  });

  it('is chosen by PAKAWAAZ_KEY_BACKEND=pkcs11 with module, token label and PIN file', async () => {
    const backend = await openKeyBackend({
      PAKAWAAZ_KEY_BACKEND: 'pkcs11',
      PAKAWAAZ_PKCS11_MODULE: MODULE,
      PAKAWAAZ_PKCS11_TOKEN_LABEL: LABEL,
      PAKAWAAZ_PKCS11_PIN_FILE: pinFile,
    });
    expect(backend.kind).toBe('pkcs11');
    await backend.close();
    await expect(
      openKeyBackend({
        PAKAWAAZ_KEY_BACKEND: 'pkcs11',
        PAKAWAAZ_PKCS11_MODULE: MODULE,
        PAKAWAAZ_PKCS11_TOKEN_LABEL: 'no-such-token',
        PAKAWAAZ_PKCS11_PIN_FILE: pinFile,
      }),
    ).rejects.toThrow('No PKCS#11 token labelled "no-such-token"');
    expect(wrongPinError).toBeInstanceOf(KeyError);
    expect(wrongPinError?.message).toContain(
      `Cannot log in to the PKCS#11 token "${LABEL}": CKR_PIN_INCORRECT`,
    );
    expect(wrongPinError?.message).not.toContain('000000');
    await expect(
      openKeyBackend({
        PAKAWAAZ_KEY_BACKEND: 'pkcs11',
        PAKAWAAZ_PKCS11_MODULE: MODULE,
        PAKAWAAZ_PKCS11_TOKEN_LABEL: LABEL,
      }),
    ).rejects.toThrow('PAKAWAAZ_PKCS11_PIN_FILE');
  });
});
