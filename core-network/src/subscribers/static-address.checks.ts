import type { Db } from '@pakawaaz/platform';
import { coreNetworkError } from '../core-network.errors.js';
import type { NetworkSpecRepository } from '../network-spec/network-spec.repository.js';
import { runningSpec } from './profile-checks.js';
import { SubscriberProfile } from './profile.js';
import {
  canonicalIpv6,
  isUniqueViolation,
  staticIpInUse,
  staticIpv4Problem,
  staticIpv6InUse,
  staticIpv6Problem,
} from './static-address.js';
import type { SubscribersRepository } from './subscribers.repository.js';
import { STATIC_IPV4_UNIQUE, STATIC_IPV6_PREFIX_UNIQUE } from './subscribers.schema.js';

export type Statics = { staticIpv4: string | null; staticIpv6: string | null };
/** The static addresses asked for, IPv6 in the RFC 5952 form it is stored and compared in. */
export const staticsOf = (input: { staticIpv4?: string | null; staticIpv6?: string | null }): Statics => ({
  staticIpv4: input.staticIpv4 ?? null,
  staticIpv6:
    input.staticIpv6 === undefined || input.staticIpv6 === null ? null : canonicalIpv6(input.staticIpv6),
});

/**
 * SubscribersService's static-address checks, apart for size: part of that service (its only caller), with
 * its repositories; the rules themselves are the pure ones in static-address.ts.
 */
export class StaticAddressChecks {
  constructor(
    private readonly repo: SubscribersRepository,
    private readonly specs: NetworkSpecRepository,
  ) {}

  /**
   * Static addresses Open5GS can honour (static-address.ts): each on the profile's default DNN of its family,
   * inside that DNN's static block in the running spec, and held by no other subscriber (IPv6: its /64).
   */
  async check(tx: Db, imsi: string, statics: Statics, profileName: string) {
    const { staticIpv4: v4, staticIpv6: v6 } = statics;
    if (v4 === null && v6 === null) return;
    // Ordered with `network apply` and profile saves, which check static addresses under the same lock.
    await this.specs.lockVersions(tx);
    const spec = runningSpec((await this.specs.current(tx))?.spec);
    if (!spec)
      throw coreNetworkError(
        'network_spec_missing',
        'A static address is checked against the network spec: apply one first (pakawaaz network apply).',
      );
    const profile = SubscriberProfile.safeParse((await this.repo.profile(profileName, tx))?.profile);
    if (!profile.success)
      throw coreNetworkError('invalid_static_ip', `Profile "${profileName}" is unreadable; save it again.`);
    const problem = (address: string, key: keyof Statics, check: typeof staticIpv4Problem) => {
      const found = check(address, profile.data, spec);
      if (found !== null)
        throw coreNetworkError('invalid_static_ip', `Static address ${found} (profile "${profileName}").`, {
          [key]: address,
        });
    };
    if (v4 !== null) problem(v4, 'staticIpv4', staticIpv4Problem);
    if (v6 !== null) problem(v6, 'staticIpv6', staticIpv6Problem);
    const holder4 = v4 === null ? undefined : await this.repo.byStaticIpv4(tx, v4, imsi);
    if (holder4) throw staticIpInUse(v4!, holder4);
    const holder6 = v6 === null ? undefined : await this.repo.byStaticIpv6Prefix(tx, v6, imsi);
    if (holder6) throw staticIpv6InUse(v6!, holder6);
  }

  /** Two concurrent changes passing the check above: a unique index refuses the second, named like the first. */
  async unique<T>(statics: Statics, imsi: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      const { staticIpv4: v4, staticIpv6: v6 } = statics;
      if (v4 !== null && isUniqueViolation(err, STATIC_IPV4_UNIQUE)) {
        const holder = await this.repo.byStaticIpv4(this.repo.db, v4, imsi);
        if (holder) throw staticIpInUse(v4, holder);
      }
      if (v6 !== null && isUniqueViolation(err, STATIC_IPV6_PREFIX_UNIQUE)) {
        const holder = await this.repo.byStaticIpv6Prefix(this.repo.db, v6, imsi);
        if (holder) throw staticIpv6InUse(v6, holder);
      }
      throw err;
    }
  }
}
