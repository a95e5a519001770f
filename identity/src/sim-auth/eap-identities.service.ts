import { createHash } from 'node:crypto';
import { Inject, Injectable, Optional } from '@nestjs/common';
import type { EapAkaMethod, EapAkaPrivacyOutcome, KnownIdentity } from '@pakawaaz/eap-aka';
import { SecretBoxError, type SecretBox } from '../crypto/secret-box.js';
import { SECRET_BOX } from '../mfa/secret-box.provider.js';
import type { EapIdentityStore } from './eap-aka-driver.js';
import { EapIdentitiesRepository, type EapIdentityInsert } from './eap-identities.repository.js';

export type EapIdentityPolicy = {
  /** How long a pseudonym stays usable (default 30 days: a handset off the network for a month shows its IMSI once). */
  readonly pseudonymLifetimeMs: number;
  /** How long a fast re-authentication identity stays usable (default 12 h, a session's absolute lifetime). */
  readonly reauthLifetimeMs: number;
  readonly now: () => Date;
};

export const EAP_IDENTITY_POLICY = Symbol.for('pakawaaz.identity.EapIdentityPolicy');

const DAY = 24 * 60 * 60 * 1000;
const DEFAULT_POLICY: EapIdentityPolicy = {
  pseudonymLifetimeMs: 30 * DAY,
  reauthLifetimeMs: DAY / 2,
  now: () => new Date(),
};
/** One commit in this many also sweeps a batch of expired rows. */
const SWEEP_EVERY = 64;

/** The username (before '@') is what was issued; the realm is the peer's (RFC 4187 §4.1.1.7). */
export function identityKey(identity: Buffer | string): string {
  const text = typeof identity === 'string' ? identity : identity.toString('latin1');
  const at = text.indexOf('@');
  return createHash('sha256')
    .update(at >= 0 ? text.slice(0, at) : text, 'latin1')
    .digest('hex');
}

/**
 * Pseudonyms and fast re-authentication identities in identity's database, so any node can continue where
 * another left off, with the re-authentication keys sealed under the identity secrets key. Never logs an
 * identity, and never an IMSI next to one.
 */
@Injectable()
export class EapIdentitiesService implements EapIdentityStore {
  private readonly policy: EapIdentityPolicy;
  private commits = 0;

  constructor(
    private readonly repo: EapIdentitiesRepository,
    @Inject(SECRET_BOX) private readonly box: SecretBox,
    @Optional() @Inject(EAP_IDENTITY_POLICY) policy?: Partial<EapIdentityPolicy>,
  ) {
    this.policy = { ...DEFAULT_POLICY, ...policy };
  }

  async find(
    method: EapAkaMethod,
    kind: 'pseudonym' | 'reauth',
    identity: Buffer,
  ): Promise<KnownIdentity | null> {
    const row = await this.repo.live(identityKey(identity), kind, method, this.policy.now());
    if (!row) return null;
    if (row.kind === 'pseudonym') return { kind: 'pseudonym', imsi: row.imsi };
    if (!row.sealedKeys) return null;
    try {
      const keys = JSON.parse((await this.box.open('eap-reauth-keys', row.sealedKeys)).toString('utf8')) as {
        e: string;
        a: string;
        m: string;
      };
      return {
        kind: 'reauth',
        imsi: row.imsi,
        counter: row.counter,
        kEncr: Buffer.from(keys.e, 'base64'),
        kAut: Buffer.from(keys.a, 'base64'),
        master: Buffer.from(keys.m, 'base64'),
      };
    } catch (err) {
      // A rotated-away key or a tampered row: the peer falls back to a full authentication.
      if (err instanceof SecretBoxError || err instanceof SyntaxError) return null;
      throw err;
    }
  }

  async commit(method: EapAkaMethod, imsi: string, privacy: EapAkaPrivacyOutcome): Promise<boolean> {
    const now = this.policy.now();
    const rows: EapIdentityInsert[] = [];
    if (privacy.pseudonym !== null)
      rows.push({
        key: identityKey(privacy.pseudonym),
        kind: 'pseudonym',
        method,
        imsi,
        counter: 0,
        expiresAt: new Date(now.getTime() + this.policy.pseudonymLifetimeMs),
      });
    if (privacy.reauth !== null) {
      const { identity, counter, kEncr, kAut, master } = privacy.reauth;
      const keys = { e: kEncr.toString('base64'), a: kAut.toString('base64'), m: master.toString('base64') };
      rows.push({
        key: identityKey(identity),
        kind: 'reauth',
        method,
        imsi,
        counter,
        sealedKeys: await this.box.seal('eap-reauth-keys', Buffer.from(JSON.stringify(keys), 'utf8')),
        expiresAt: new Date(now.getTime() + this.policy.reauthLifetimeMs),
      });
    }
    const used = privacy.used
      ? { key: identityKey(privacy.used.identity), counter: privacy.used.counter }
      : null;
    // A full authentication replaces everything the subscriber held; a fast one only the re-auth identity.
    const replaces = privacy.fast ? (['reauth'] as const) : (['pseudonym', 'reauth'] as const);
    const stored = await this.repo.replace({ used, imsi, method, replaces, rows, now });
    if (++this.commits % SWEEP_EVERY === 0) await this.repo.sweep(now);
    return stored;
  }
}
