import { describe, expect, it } from 'vitest';
import {
  LAB_VERIFIED_BOOT_KEY,
  type AttestationFacts,
  type HardenedOsReleases,
} from '../attestation/index.js';
import type { DeviceMgmtConfig } from '../device-mgmt.config.js';
import { AttestationContext } from './attestation-context.js';

const A = 'a1'.repeat(32);
const B = 'b2'.repeat(32);
const ENV = 'e3'.repeat(32);

/** hardened-os's rule (registry-rules.ts bootKeyVerdict): codename or marketing name; unknown labels match any model. */
const registered: Record<string, { codename: string; keys: string[] }> = {
  shiba: { codename: 'shiba', keys: [A] },
  'pixel 8': { codename: 'shiba', keys: [A] },
  husky: { codename: 'husky', keys: [B] },
  'pixel 8 pro': { codename: 'husky', keys: [B] },
};
const releases = {
  bootKeys: () => Promise.resolve([A, B]),
  bootKeyStatus: () => Promise.resolve('unknown'),
  compromisedBootKeys: () => Promise.resolve([]),
  isOurBootKey: (model: string | null, digest: string) => {
    const m = model === null ? undefined : registered[model.trim().toLowerCase()];
    return Promise.resolve(m ? m.keys.includes(digest) : [A, B].includes(digest));
  },
  minimumPatchLevel: (inst?: string | null) => Promise.resolve(inst === 'strict' ? 202406 : 202401),
  latestRelease: () => Promise.resolve(null),
} satisfies HardenedOsReleases;

const config = {
  trustedBootKeys: [ENV],
  trustLabRoot: true,
  minimumPatchLevel: null,
  requireStrongBox: false,
  agent: null,
} as unknown as DeviceMgmtConfig;
const logger = { warn() {}, info() {}, error() {}, debug() {} } as never;
const context = new AttestationContext(config, logger, releases);

const facts = (key: string, ids: AttestationFacts['attestedIds'] = {}) =>
  ({
    rootOfTrust: { verifiedBootKey: key, deviceLocked: true, verifiedBootState: 'SelfSigned' },
    attestedIds: ids,
  }) as unknown as AttestationFacts;

describe('the boot key is held to the attested model', () => {
  it("refuses model A's key on a handset attesting model B (product, device or marketing name)", async () => {
    expect((await context.bootKeyRefusal(facts(A, { product: 'husky' }), null))?.code).toBe(
      'BOOT_KEY_UNKNOWN',
    );
    expect((await context.bootKeyRefusal(facts(A, { model: 'Pixel 8 Pro' }), null))?.code).toBe(
      'BOOT_KEY_UNKNOWN',
    );
    expect(await context.bootKeyRefusal(facts(A, { product: 'shiba', model: 'Pixel 8' }), null)).toBeNull();
    expect(await context.bootKeyRefusal(facts(B, { device: 'husky' }), 'shiba')).toBeNull();
  });

  it('uses the reported model only when the hardware attests none', async () => {
    expect((await context.bootKeyRefusal(facts(A), 'husky'))?.code).toBe('BOOT_KEY_UNKNOWN');
    expect(await context.bootKeyRefusal(facts(A), 'shiba')).toBeNull();
  });

  it('trusts PAKAWAAZ_TRUSTED_BOOT_KEYS and the lab key on every model, and ignores Verified boots', async () => {
    expect(await context.bootKeyRefusal(facts(ENV, { product: 'husky' }), null)).toBeNull();
    expect(await context.bootKeyRefusal(facts(LAB_VERIFIED_BOOT_KEY, { product: 'husky' }), null)).toBeNull();
    const verified = facts(A, { product: 'husky' });
    verified.rootOfTrust!.verifiedBootState = 'Verified';
    expect(await context.bootKeyRefusal(verified, null)).toBeNull();
  });
});

describe('the enrolment patch floor', () => {
  it("is the institution's floor when the institution is known, else the national one", async () => {
    expect((await context.policy('strict')).minimumPatchLevel).toBe(202406);
    expect((await context.policy()).minimumPatchLevel).toBe(202401);
  });
});
