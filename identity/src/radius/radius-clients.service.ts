import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import {
  AuditService,
  consume,
  DATABASE,
  EVENT_BUS,
  LOGGER,
  requireRole,
  type DatabaseHandle,
  type EventBus,
  type Logger,
  type Subscription,
} from '@pakawaaz/platform';
import { asc, eq } from 'drizzle-orm';
import type { SecretBox } from '../crypto/secret-box.js';
import { identityError } from '../identity.errors.js';
import { SECRET_BOX } from '../mfa/secret-box.provider.js';
import type { Ctx } from '../users/access.js';
import { compileClients, parseCidr } from './radius-client-table.js';
import { serialReload } from './serial-reload.js';
import { generateSharedSecret } from './shared-secret.js';
import { radiusClients } from './radius-clients.schema.js';
import type { RadiusClient } from './radius-handler.js';
import { RADIUS_CLIENTS_CONSUMER, RadiusClientChanged } from './radius.events.js';

export type RadiusClientView = {
  id: string;
  name: string;
  cidr: string;
  createdAt: Date;
  disabledAt: Date | null;
  secretRotatedAt: Date | null;
};
type ClientRow = typeof radiusClients.$inferSelect;
const view = ({ id, name, cidr, createdAt, disabledAt, secretRotatedAt }: ClientRow): RadiusClientView => ({
  id,
  name,
  cidr,
  createdAt,
  disabledAt,
  secretRotatedAt,
});
/** Other nodes pick up a client change within this time even if its event is lost. */
const RELOAD_MS = 30_000;

/**
 * NAS clients and their shared secrets (sealed at rest). The RADIUS listener needs a synchronous lookup per
 * datagram, so the table lives in memory and is reloaded on every change here, on change events from other
 * nodes, and every 30 s.
 */
@Injectable()
export class RadiusClientsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private lookupFn: (address: string) => RadiusClient | null = () => null;
  private disabledFn: (address: string) => RadiusClient | null = () => null;
  private names = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private subscription: Subscription | undefined;

  constructor(
    @Inject(DATABASE) private readonly database: DatabaseHandle,
    @Inject(SECRET_BOX) private readonly box: SecretBox,
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly audit: AuditService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // Subscribed before the first load: a change made in between is then reloaded, never missed.
    this.subscription = await consume(this.bus, RADIUS_CLIENTS_CONSUMER, () => this.reload());
    await this.reload();
    this.timer = setInterval(
      () =>
        void this.reload().catch((err: unknown) => this.logger.warn({ err }, 'RADIUS client reload failed')),
      RELOAD_MS,
    );
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.subscription?.unsubscribe();
  }

  readonly lookup = (address: string): RadiusClient | null => this.lookupFn(address);

  async list(): Promise<RadiusClientView[]> {
    const rows = await this.database.db.select().from(radiusClients).orderBy(asc(radiusClients.name));
    return rows.map(view);
  }

  /** Registers a NAS; without a secret one is generated and returned once. */
  async add(
    input: { name: string; cidr: string; secret?: string | undefined },
    ctx: Ctx,
  ): Promise<RadiusClientView & { secret: string }> {
    requireRole(ctx.principal, 'network-admin', 'security-officer');
    if (!parseCidr(input.cidr))
      throw identityError(
        'radius_client_invalid',
        'Give an IPv4/IPv6 address or CIDR block, e.g. 10.20.0.0/16.',
      );
    const secret = input.secret ?? generateSharedSecret();
    const row = {
      id: randomUUID(),
      name: input.name,
      cidr: input.cidr.trim(),
      sealedSecret: await this.box.seal('radius-secret', Buffer.from(secret, 'utf8')),
      createdAt: new Date(),
    };
    await this.database.db.transaction(async (tx) => {
      if ((await tx.select().from(radiusClients).where(eq(radiusClients.name, input.name))).length)
        throw identityError('radius_client_exists', `A RADIUS client named "${input.name}" exists already.`);
      await tx.insert(radiusClients).values(row);
      await this.audit.record(
        {
          actor: ctx.principal.actor,
          action: 'identity.radius-client.added',
          target: `radius-client:${row.name}`,
          details: { cidr: row.cidr },
          requestId: ctx.requestId,
        },
        tx,
      );
    });
    await this.changed();
    return { ...view({ ...row, disabledAt: null, secretRotatedAt: null }), secret };
  }

  async remove(idOrName: string, ctx: Ctx): Promise<void> {
    requireRole(ctx.principal, 'network-admin', 'security-officer');
    const row = await this.find(idOrName);
    await this.database.db.transaction(async (tx) => {
      await tx.delete(radiusClients).where(eq(radiusClients.id, row.id));
      await this.audit.record(
        {
          actor: ctx.principal.actor,
          action: 'identity.radius-client.removed',
          target: `radius-client:${row.name}`,
          requestId: ctx.requestId,
        },
        tx,
      );
    });
    await this.changed();
  }

  /** Re-reads the table; reloads run one at a time, so an older read never replaces a newer one. */
  readonly reload = serialReload(() => this.load());

  private async load(): Promise<void> {
    const rows = await this.database.db.select().from(radiusClients);
    const opened = await Promise.all(
      rows.map(async (r) => {
        try {
          const secret = await this.box.open('radius-secret', r.sealedSecret);
          return [{ id: r.id, name: r.name, cidr: r.cidr, secret }];
        } catch {
          this.logger.error(
            { client: r.name },
            'RADIUS client secret does not open with the identity secrets key; client ignored',
          );
          return [];
        }
      }),
    );
    const entries = opened.flat();
    const disabled = new Set(rows.filter((r) => r.disabledAt !== null).map((r) => r.id));
    this.lookupFn = compileClients(entries.filter((e) => !disabled.has(e.id)));
    this.disabledFn = compileClients(entries.filter((e) => disabled.has(e.id)));
    this.names = new Map(rows.map((r) => [r.id, r.name]));
  }

  /** A dropped datagram's client by id (null: unknown), and whether its address belongs to a disabled one. */
  describe(
    clientId: string | null,
    address: string,
  ): { client: { id: string; name: string } | null; disabled: boolean } {
    const name = clientId === null ? undefined : this.names.get(clientId);
    if (clientId !== null && name !== undefined) return { client: { id: clientId, name }, disabled: false };
    const off = this.disabledFn(address);
    return off
      ? { client: { id: off.id, name: off.name }, disabled: true }
      : { client: null, disabled: false };
  }

  async find(idOrName: string): Promise<ClientRow> {
    const rows = await this.database.db.select().from(radiusClients);
    const row = rows.find((r) => r.id === idOrName || r.name === idOrName);
    if (!row) throw identityError('radius_client_not_found', 'No RADIUS client with this id or name.');
    return row;
  }

  async changed(): Promise<void> {
    await this.reload();
    await this.bus.publish(RadiusClientChanged.create({}));
  }
}
