import { Inject, Injectable } from '@nestjs/common';
import {
  AuditService,
  EVENT_BUS,
  LOGGER,
  SYSTEM_ACTOR,
  requireInScope,
  requireNational,
  type Db,
  type EventBus,
  type Logger,
  type Principal,
} from '@pakawaaz/platform';
import { coreNetworkError } from '../core-network.errors.js';
import { NetworkSpecRepository } from '../network-spec/network-spec.repository.js';
import { SimInventoryRepository } from '../sim-inventory/sim-inventory.repository.js';
import type { OfficialRecord } from './official-directory.port.js';
import { Officials } from './officials.js';
import { DEFAULT_PROFILE_NAME } from './profile.js';
import { canonicalIpv6 } from './static-address.js';
import { StaticAddressChecks, staticsOf, type Statics } from './static-address.checks.js';
import { SubscriberBarred } from './subscribers.events.js';
import {
  SubscribersRepository,
  type SubscriberListQuery,
  type SubscriberRow,
} from './subscribers.repository.js';

export type AssignInput = {
  imsi: string;
  /** The person's username or user id in identity. */
  official: string;
  /** Optional check: when given, it must be the official's institution (null: none). */
  institutionId?: string | null | undefined;
  profile?: string | undefined;
  staticIpv4?: string | null | undefined;
  staticIpv6?: string | null | undefined;
};
type Ctx = { principal: Principal; requestId: string | null };
/** A subscriber as shown: its SIM's MSISDN and the official's current username and institution name. */
export type SubscriberWithMsisdn = SubscriberRow & {
  msisdn: string | null;
  username?: string | null;
  institutionName?: string | null;
  officialStatus?: 'active' | 'disabled' | null;
};

const notFound = () => coreNetworkError('subscriber_not_found', 'No subscriber with this IMSI.');

/**
 * Subscribers: a SIM assigned to an official, with a profile and a status that Open5GS enforces. Reading is
 * institution-filtered (an institution's operator sees its officials' SIMs); every change acts on the
 * national network and SIM inventory, so it is for national operators only. The official a SIM goes to is
 * also looked up within the caller's scope (Officials), so the rule holds if assigning is ever delegated.
 */
@Injectable()
export class SubscribersService {
  constructor(
    private readonly repo: SubscribersRepository,
    private readonly sims: SimInventoryRepository,
    private readonly audit: AuditService,
    private readonly officials: Officials,
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly specs: NetworkSpecRepository,
  ) {}

  private get statics(): StaticAddressChecks {
    return new StaticAddressChecks(this.repo, this.specs);
  }

  /** Subscribers in the caller's scope matching the query, with their MSISDNs and officials' names. */
  async list(
    q: SubscriberListQuery,
    caller: Principal,
  ): Promise<{ rows: SubscriberWithMsisdn[]; total: number }> {
    const { rows, total } = await this.repo.list(q, caller);
    return { rows: await this.named(rows), total };
  }

  /** One subscriber; outside the caller's scope it does not exist. */
  async get(imsi: string, caller: Principal): Promise<SubscriberWithMsisdn> {
    const row = await this.repo.find(imsi);
    if (!row) throw notFound();
    requireInScope(caller, row.institutionId, notFound);
    return this.shown(row);
  }

  /** With the official's current username, status and institution name from identity (null when unknown). */
  async named(rows: (SubscriberRow & { msisdn: string | null })[]): Promise<SubscriberWithMsisdn[]> {
    const people = await this.officials.describe(rows.map((r) => r.userId));
    return rows.map((r) => {
      const o = people.get(r.userId);
      return {
        ...r,
        username: o?.username ?? null,
        institutionName: o?.institutionName ?? null,
        officialStatus: o?.status ?? null,
      };
    });
  }

  private async shown(row: SubscriberRow): Promise<SubscriberWithMsisdn> {
    return (await this.named([await this.repo.withMsisdn(row)]))[0]!;
  }

  /**
   * Assigns an available SIM to an active person named by username or id. Their name and institution come
   * from identity; an institution in the input that says otherwise is refused (institution_mismatch).
   */
  async assign(input: AssignInput, ctx: Ctx): Promise<SubscriberWithMsisdn> {
    requireNational(ctx.principal);
    const official = await this.assignee(input, ctx.principal);
    const profileName = input.profile ?? DEFAULT_PROFILE_NAME;
    const statics = staticsOf(input);
    const row = await this.statics.unique(statics, input.imsi, () =>
      this.assignTx(input, official, profileName, statics, ctx),
    );
    return this.shown(row);
  }

  private async assignTx(
    input: AssignInput,
    official: OfficialRecord,
    profileName: string,
    statics: Statics,
    ctx: Ctx,
  ): Promise<SubscriberRow> {
    return this.repo.db.transaction(async (tx) => {
      await this.assignable(tx, input.imsi, profileName);
      await this.statics.check(tx, input.imsi, statics, profileName);
      await this.sims.setStatus(tx, input.imsi, 'assigned');
      await this.repo.insert(tx, {
        imsi: input.imsi,
        userId: official.userId,
        displayName: official.displayName,
        institutionId: official.institutionId,
        profileName,
        ...statics,
      });
      await this.audit.record(
        {
          actor: ctx.principal.actor,
          action: 'core-network.subscriber.assigned',
          target: `imsi:${input.imsi}`,
          details: { userId: official.userId, username: official.username, profile: profileName },
          requestId: ctx.requestId,
        },
        tx,
      );
      return (await this.repo.find(input.imsi, tx))!;
    });
  }

  /** Everything `assign` checks, changing nothing (a dry run): throws what `assign` would. */
  async checkAssign(input: AssignInput, caller: Principal): Promise<OfficialRecord> {
    requireNational(caller);
    const official = await this.assignee(input, caller);
    const profileName = input.profile ?? DEFAULT_PROFILE_NAME;
    await this.assignable(this.repo.db, input.imsi, profileName);
    await this.statics.check(this.repo.db, input.imsi, staticsOf(input), profileName);
    return official;
  }

  /** The official, in the caller's scope and active; a given institution must be theirs. */
  private async assignee(input: AssignInput, caller: Principal): Promise<OfficialRecord> {
    const official = await this.officials.assignable(input.official, caller);
    if (input.institutionId !== undefined && input.institutionId !== official.institutionId)
      throw coreNetworkError(
        'institution_mismatch',
        `${official.displayName} (${official.username}) belongs to ${official.institutionName ?? 'no institution'}: leave the institution out, it is taken from the official.`,
      );
    return official;
  }

  private async assignable(tx: Db, imsi: string, profileName: string): Promise<void> {
    if (!(await this.repo.profile(profileName, tx)))
      throw coreNetworkError('profile_not_found', `No subscriber profile named "${profileName}".`);
    if (await this.repo.find(imsi, tx))
      throw coreNetworkError('subscriber_exists', 'This SIM is already assigned; unassign it first.');
    const [sim] = await this.sims.existingByImsi(tx, [imsi]);
    if (!sim)
      throw coreNetworkError('sim_not_found', 'No SIM with this IMSI in the inventory: import it first.');
    if (sim.status !== 'available') throw coreNetworkError('sim_not_available', `The SIM is ${sim.status}.`);
  }

  async bar(imsi: string, reason: string, ctx: Ctx): Promise<SubscriberWithMsisdn> {
    requireNational(ctx.principal);
    const row = await this.repo.db.transaction(async (tx) => {
      const updated = await this.repo.update(tx, imsi, {
        status: 'barred',
        barringReason: reason,
        barredBy: `${ctx.principal.actor.type}:${ctx.principal.actor.id}`,
      });
      if (!updated) throw notFound();
      await this.audit.record(
        {
          actor: ctx.principal.actor,
          action: 'core-network.subscriber.barred',
          target: `imsi:${imsi}`,
          details: { reason },
          requestId: ctx.requestId,
        },
        tx,
      );
      return updated;
    });
    await this.bus.publish(SubscriberBarred.create({ imsi, userId: row.userId, reason }));
    return this.shown(row);
  }

  async unbar(imsi: string, reason: string, ctx: Ctx): Promise<SubscriberWithMsisdn> {
    requireNational(ctx.principal);
    const row = await this.repo.db.transaction(async (tx) => {
      const updated = await this.repo.update(tx, imsi, {
        status: 'active',
        barringReason: null,
        barredBy: null,
      });
      if (!updated) throw notFound();
      await this.audit.record(
        {
          actor: ctx.principal.actor,
          action: 'core-network.subscriber.unbarred',
          target: `imsi:${imsi}`,
          details: { reason },
          requestId: ctx.requestId,
        },
        tx,
      );
      return updated;
    });
    return this.shown(row);
  }

  async update(
    imsi: string,
    input: {
      profile?: string | undefined;
      staticIpv4?: string | null | undefined;
      staticIpv6?: string | null | undefined;
    },
    ctx: Ctx,
  ): Promise<SubscriberWithMsisdn> {
    requireNational(ctx.principal);
    const values =
      input.staticIpv6 === undefined || input.staticIpv6 === null
        ? input
        : { ...input, staticIpv6: canonicalIpv6(input.staticIpv6) };
    const row = await this.statics.unique(staticsOf(values), imsi, () =>
      this.repo.db.transaction(async (tx) => {
        if (values.profile && !(await this.repo.profile(values.profile, tx)))
          throw coreNetworkError('profile_not_found', `No subscriber profile named "${values.profile}".`);
        const current = await this.repo.find(imsi, tx);
        if (!current) throw notFound();
        // A new profile can move the static addresses to another DNN: check them as they will be.
        const statics: Statics = {
          staticIpv4: values.staticIpv4 === undefined ? current.staticIpv4 : values.staticIpv4,
          staticIpv6: values.staticIpv6 === undefined ? current.staticIpv6 : values.staticIpv6,
        };
        const profileName = values.profile ?? current.profileName;
        if (values.profile !== undefined || values.staticIpv4 !== undefined)
          await this.statics.check(tx, imsi, { ...statics, staticIpv6: null }, profileName);
        if (values.profile !== undefined || values.staticIpv6 !== undefined)
          await this.statics.check(tx, imsi, { ...statics, staticIpv4: null }, profileName);
        const updated = await this.repo.update(tx, imsi, {
          ...(values.profile ? { profileName: values.profile } : {}),
          ...(values.staticIpv4 !== undefined ? { staticIpv4: values.staticIpv4 } : {}),
          ...(values.staticIpv6 !== undefined ? { staticIpv6: values.staticIpv6 } : {}),
        });
        if (!updated) throw notFound();
        await this.audit.record(
          {
            actor: ctx.principal.actor,
            action: 'core-network.subscriber.updated',
            target: `imsi:${imsi}`,
            details: { ...values },
            requestId: ctx.requestId,
          },
          tx,
        );
        return updated;
      }),
    );
    return this.shown(row);
  }

  /** The SIM goes back to the inventory; the reconciler removes the subscriber from Open5GS. */
  async unassign(imsi: string, ctx: Ctx): Promise<void> {
    requireNational(ctx.principal);
    await this.repo.db.transaction(async (tx) => {
      if (!(await this.repo.remove(tx, imsi))) throw notFound();
      await this.sims.setStatus(tx, imsi, 'available');
      await this.audit.record(
        {
          actor: ctx.principal.actor,
          action: 'core-network.subscriber.unassigned',
          target: `imsi:${imsi}`,
          requestId: ctx.requestId,
        },
        tx,
      );
    });
  }

  /**
   * Device management reports a lost or non-compliant handset: bar the SIM in it. A conditional update, so a
   * redelivered event racing the original bars once. Returns whether the IMSI is a subscriber.
   */
  async barForDevice(imsi: string, reason: string, userId: string): Promise<boolean> {
    const actor = { ...SYSTEM_ACTOR, id: 'device-compliance' };
    const row = await this.repo.db.transaction(async (tx) => {
      // Only the SIM of the handset's own official: an event never bars someone else's SIM.
      const barred = await this.repo.barIfActive(tx, imsi, reason, `${actor.type}:${actor.id}`, userId);
      if (barred)
        await this.audit.record(
          { actor, action: 'core-network.subscriber.barred', target: `imsi:${imsi}`, details: { reason } },
          tx,
        );
      return barred;
    });
    if (!row) return (await this.repo.find(imsi)) !== undefined;
    await this.bus.publish(SubscriberBarred.create({ imsi, userId: row.userId, reason }));
    this.logger.warn({ imsi, reason }, 'SIM barred on a device-management event');
    return true;
  }
}
